/**
 * The Train workspace's controller: classes and samples (written through to IndexedDB), the
 * per-sample embedding cache, training in the three modes (head, fine-tune, KNN), evaluation on
 * the validation split, and the active trained classifier that Use, Live and Tag run.
 */
import { tf } from '../engine/tf';
import { engine, type ModelHandle } from '../engine/engine';
import { lossFollows } from '../engine/deviceLoss';
import { useApp } from '../store';
import { catalogEntry, type InputSpec } from '../models/catalog';
import { toModelInput } from '../classification/preprocess';
import type { SampleView, TrainRun } from '../store/trainSlice';
import { getBackbone, releaseBackbones, type Backbone } from './backbone';
import { augmentViews, viewParams } from './augment';
import { blobToPixels, fileToStoredImage, yieldToUi } from './images';
import { classWeights, hashString, rng, stratifiedSplit } from './split';
import {
  buildFinetuneModel,
  buildHead,
  forward,
  rebuild,
  serializeWeights,
  trainableVariables,
  type HeadParts,
} from './head';
import { fit } from './trainer';
import { KnnIndex } from './knn';
import { evaluate } from './metrics';
import { trainDb, type ModelRecord, type ProjectRecord } from './db';
import {
  DEFAULT_SETTINGS,
  type EpochLog,
  type Sample,
  type SampleEmbedding,
  type SampleSource,
  type SavedModelWeights,
  type TrainClass,
  type TrainedInfo,
  type TrainSettings,
} from './types';

export const HEAD_ID = 'train/head';

const PALETTE = [
  '#4cc9f0',
  '#f72585',
  '#7ee787',
  '#f2cc60',
  '#b388ff',
  '#ff8a65',
  '#64b5f6',
  '#e0e0e0',
];

/** Blobs stay here (not in the store); the store holds their object URLs. */
const samples = new Map<string, Sample>();
const urls = new Map<string, string>();
const embeddings = new Map<string, SampleEmbedding>();
let abort: AbortController | null = null;

/** The trained classifier currently in use. */
interface Active {
  info: TrainedInfo;
  /** Registered on the engine (rebuilt after a GPU loss); absent for KNN. */
  handle?: ModelHandle<tf.LayersModel>;
  parts?: HeadParts;
  knn?: KnnIndex;
  /** Imported standalone models: image in, probabilities out. */
  spec?: InputSpec;
}
let active: Active | null = null;
/** The active head's weights as saved (or as they would be saved when storage fails). */
let activeRecord: ModelRecord | null = null;

const st = () => useApp.getState().train;
const set = (p: Parameters<ReturnType<typeof useApp.getState>['setTrain']>[0]) =>
  useApp.getState().setTrain(p);
const notify = (level: 'info' | 'warning' | 'error', text: string) =>
  useApp.getState().notify(level, text);
const newId = () => crypto.randomUUID();

function view(s: Sample): SampleView {
  let url = urls.get(s.id);
  if (!url) {
    url = URL.createObjectURL(s.image);
    urls.set(s.id, url);
  }
  return { id: s.id, classId: s.classId, source: s.source, url };
}

function projectRecord(): ProjectRecord {
  const t = st();
  return {
    name: 'Ocellus project',
    classes: t.classes,
    settings: t.settings,
    history: t.history,
    report: t.report,
    updatedAt: Date.now(),
  };
}

/**
 * A write failed (storage full or unavailable): the project keeps working in this tab, and the
 * workspace shows a warning that offers the .zip export. Said once, not on every later write.
 */
function storageFailed(e: unknown): void {
  const message = `${(e as Error).message} The project now lives in this tab only: export it as a .zip to keep it.`;
  // The first warning stays (e.g. "unavailable" from the start says more than a failed write).
  if (st().storage) return;
  notify('error', message);
  set({ storage: message });
}

/** Saves the small project record; a failure is shown, and earlier saved state stays intact. */
async function persist(): Promise<void> {
  try {
    await trainDb.saveProject(projectRecord());
  } catch (e) {
    storageFailed(e);
  }
}

// ---------------------------------------------------------------- loading

let initOnce: Promise<void> | null = null;

/** Restores the project from IndexedDB (once per page). */
export function initProject(force = false): Promise<void> {
  if (force) initOnce = null;
  initOnce ??= (async () => {
    try {
      const [p, ss, es, model] = await Promise.all([
        trainDb.loadProject(),
        trainDb.samples(),
        trainDb.embeddings(),
        trainDb.loadModel(),
      ]);
      for (const s of ss) samples.set(s.id, s);
      for (const e of es) embeddings.set(e.sampleId, e);
      set({
        ready: true,
        status: 'idle',
        classes: p?.classes ?? [],
        settings: { ...DEFAULT_SETTINGS, ...(p?.settings ?? {}) },
        history: p?.history ?? [],
        report: p?.report ?? null,
        samples: ss.sort((a, b) => a.createdAt - b.createdAt).map(view),
        info: model?.info ?? null,
      });
      if (model)
        await restoreModel(model).catch((e: unknown) => {
          set({ error: `The saved model could not be restored: ${(e as Error).message}` });
        });
    } catch (e) {
      set({
        ready: true,
        status: 'idle',
        storage: `Saved projects are unavailable in this browser (${(e as Error).message}). Training works in this tab only: export the project as a .zip to keep it.`,
      });
    }
  })();
  return initOnce;
}

/** Resolves once the engine has a backend (the project may load before it has started). */
async function engineStarted(): Promise<void> {
  for (;;) {
    const status = useApp.getState().engineStatus;
    if (status === 'ready') break;
    if (status === 'error') throw new Error('the engine did not start');
    await new Promise((r) => setTimeout(r, 50));
  }
  await engine.whenReady();
}

async function restoreModel(m: ModelRecord): Promise<void> {
  await engineStarted();
  if (m.info.kind === 'knn') {
    const bb = await getBackbone(m.info.baseId);
    await activateKnn(bb, m.info);
    return;
  }
  if (m.info.kind === 'imported') {
    const imp = m.imported;
    if (!imp) return;
    const artifacts: tf.io.ModelArtifacts = {
      modelTopology: imp.modelTopology as tf.io.ModelArtifacts['modelTopology'],
      weightSpecs: imp.weightSpecs,
      weightData: imp.weightData,
    };
    await activateImported(() => tf.loadLayersModel(tf.io.fromMemory(artifacts)), m.info, imp.spec);
    return;
  }
  const bb = await getBackbone(m.info.baseId);
  await activateHead(bb, m.info, m.weights);
}

// ---------------------------------------------------------------- classes & samples

export async function addClass(name?: string): Promise<TrainClass> {
  const t = st();
  const c: TrainClass = {
    id: newId(),
    name: name?.trim() || `Class ${t.classes.length + 1}`,
    color: PALETTE[t.classes.length % PALETTE.length],
  };
  set({ classes: [...t.classes, c] });
  await persist();
  return c;
}

export async function updateClass(
  id: string,
  patch: Partial<Pick<TrainClass, 'name' | 'color'>>,
): Promise<void> {
  set((t) => ({ classes: t.classes.map((c) => (c.id === id ? { ...c, ...patch } : c)) }));
  await persist();
}

export async function deleteClass(id: string): Promise<void> {
  const ids = st()
    .samples.filter((s) => s.classId === id)
    .map((s) => s.id);
  set((t) => ({ classes: t.classes.filter((c) => c.id !== id) }));
  await deleteSamples(ids);
  await persist();
}

/** Adds photos or frames to a class: downscaled, stored, shown; embedded lazily when training. */
export async function addSamples(
  classId: string,
  blobs: Blob[],
  source: SampleSource,
): Promise<string[]> {
  const added: Sample[] = [];
  const failed: string[] = [];
  for (const b of blobs) {
    try {
      added.push({
        id: newId(),
        classId,
        image: await fileToStoredImage(b),
        source,
        createdAt: Date.now() + added.length / 1000,
      });
    } catch {
      failed.push(b instanceof File ? b.name : 'an image');
    }
  }
  if (failed.length)
    notify(
      'warning',
      `Skipped ${failed.length} file(s) that are not images: ${failed.slice(0, 3).join(', ')}`,
    );
  try {
    await trainDb.putSamples(added);
  } catch (e) {
    storageFailed(e);
  }
  for (const s of added) samples.set(s.id, s);
  set((t) => ({ samples: [...t.samples, ...added.map(view)] }));
  return added.map((s) => s.id);
}

export async function deleteSamples(ids: string[]): Promise<void> {
  for (const id of ids) {
    stashDrop(id);
    samples.delete(id);
    embeddings.delete(id);
    const u = urls.get(id);
    if (u) URL.revokeObjectURL(u);
    urls.delete(id);
  }
  const gone = new Set(ids);
  set((t) => ({ samples: t.samples.filter((s) => !gone.has(s.id)) }));
  try {
    await trainDb.deleteSamples(ids);
  } catch (e) {
    storageFailed(e);
  }
}

export function sampleBlob(id: string): Blob | undefined {
  return samples.get(id)?.image;
}

export async function updateSettings(patch: Partial<TrainSettings>): Promise<void> {
  set((t) => ({ settings: { ...t.settings, ...patch } }));
  await persist();
}

// ---------------------------------------------------------------- embeddings

/**
 * In-memory stash of cut features (fine-tuning input) computed alongside the embeddings, within
 * a memory budget; dropped when the base or view count changes, a sample goes, or on GPU loss.
 */
const STASH_BUDGET = 384 * 1024 * 1024;
const stash = new Map<string, { key: string; t: tf.Tensor4D }>();
let stashBytes = 0;
const cutSize = (bb: Backbone) => bb.cutShape.reduce((a, b) => a * b, 1);

function stashDrop(id: string): void {
  const hit = stash.get(id);
  if (!hit) return;
  stashBytes -= hit.t.size * 4;
  hit.t.dispose();
  stash.delete(id);
}

function stashPut(id: string, key: string, t: tf.Tensor4D): void {
  stashDrop(id);
  stash.set(id, { key, t });
  stashBytes += t.size * 4;
}

export function clearStash(): void {
  for (const id of [...stash.keys()]) stashDrop(id);
}

engine.subscribe((e) => {
  // Tensors of a lost device are gone; forget them (they are recomputed when needed).
  if (e.type === 'lost') {
    stash.clear();
    stashBytes = 0;
  }
  // The KNN index lives in tensors, not in an engine-registered model: rebuild it from the
  // cached embeddings (head models are rebuilt by the engine itself).
  if (e.type === 'recovered' && active?.knn) rebuildKnn(active);
});

function embedKey(s: TrainSettings): string {
  return `${s.baseId}|${s.augment ? s.augmentViews : 0}`;
}

function viewsFor(sample: Sample, pixels: tf.Tensor3D, s: TrainSettings) {
  const [h, w] = pixels.shape;
  return viewParams(w, h, s.augment ? s.augmentViews : 0, rng(hashString(sample.id) ^ s.seed));
}

/**
 * Makes sure every sample has embeddings for the current base and view count; only missing or
 * stale ones are computed (one sample's views per batch), and they are saved as they come.
 */
async function ensureEmbeddings(bb: Backbone, s: TrainSettings, list: Sample[]): Promise<void> {
  const key = embedKey(s);
  const todo = list.filter((x) => embeddings.get(x.id)?.key !== key);
  let done = 0;
  const pending: SampleEmbedding[] = [];
  for (const sample of todo) {
    if (abort?.signal.aborted) break;
    set({ progress: { label: 'Computing embeddings', done, total: todo.length } });
    const losses = engine.lossCount;
    const pixels = await blobToPixels(sample.image);
    const x = augmentViews(pixels, viewsFor(sample, pixels, s), bb.entry.input);
    pixels.dispose();
    let e: tf.Tensor2D;
    if (bb.canFinetune && stashBytes + x.shape[0] * cutSize(bb) * 4 <= STASH_BUDGET) {
      // Keep the cut features too, so fine-tuning right after needs no second backbone pass.
      const low = bb.lower(x);
      e = bb.embedFromLower(low);
      stashPut(sample.id, key, low);
    } else e = bb.embed(x);
    x.dispose();
    const data = (await e.data()) as Float32Array;
    const [views, dim] = e.shape;
    e.dispose();
    // A lost WebGL context reads back zeros, not an error: never cache those.
    if (engine.lossCount !== losses)
      throw new Error('the GPU device was lost computing embeddings');
    const rec = { sampleId: sample.id, key, views, dim, data };
    embeddings.set(sample.id, rec);
    pending.push(rec);
    done++;
    if (pending.length >= 16) await trainDb.putEmbeddings(pending.splice(0)).catch(() => undefined);
    await yieldToUi();
  }
  if (pending.length) await trainDb.putEmbeddings(pending).catch(() => undefined);
  set({ progress: null });
}

/** Features at the fine-tuning cut for every view of the given samples, stacked [rows, h, w, c]. */
async function cutFeatures(
  bb: Backbone,
  s: TrainSettings,
  list: Sample[],
  views: number,
): Promise<tf.Tensor> {
  const parts: tf.Tensor[] = [];
  let done = 0;
  for (const sample of list) {
    set({
      progress: { label: 'Computing fine-tuning features', done: done++, total: list.length },
    });
    const hit = stash.get(sample.id);
    if (hit && hit.key === embedKey(s) && hit.t.shape[0] >= views) {
      parts.push(tf.slice(hit.t, 0, views));
    } else {
      const pixels = await blobToPixels(sample.image);
      const x = augmentViews(pixels, viewsFor(sample, pixels, s).slice(0, views), bb.entry.input);
      pixels.dispose();
      parts.push(bb.lower(x));
      x.dispose();
    }
    // Wait for the batch so the GPU queue (and memory) does not run far ahead.
    await parts[parts.length - 1].data();
    await yieldToUi();
  }
  const out = tf.concat(parts);
  tf.dispose(parts);
  set({ progress: null });
  return out;
}

// ---------------------------------------------------------------- training

export interface TrainOutcome {
  cancelled: boolean;
  run: TrainRun;
}

function trainingSet() {
  const t = st();
  const classIds = t.classes.map((c) => c.id);
  const list = t.samples
    .map((v) => samples.get(v.id)!)
    .filter((s) => s && classIds.includes(s.classId));
  const y = list.map((s) => classIds.indexOf(s.classId));
  return { t, classIds, list, y };
}

/** Rows of the embedding matrix for the given samples: all views (train) or the clean view. */
function embeddingRows(
  list: Sample[],
  y: number[],
  allViews: boolean,
): { x: tf.Tensor2D; y: number[] } {
  const rows: Float32Array[] = [];
  const ys: number[] = [];
  let dim = 0;
  list.forEach((s, i) => {
    const e = embeddings.get(s.id)!;
    dim = e.dim;
    const n = allViews ? e.views : 1;
    for (let v = 0; v < n; v++) {
      rows.push(e.data.subarray(v * e.dim, (v + 1) * e.dim));
      ys.push(y[i]);
    }
  });
  const flat = new Float32Array(rows.length * dim);
  rows.forEach((r, i) => flat.set(r, i * dim));
  return { x: tf.tensor2d(flat, [rows.length, dim]), y: ys };
}

export function cancelTraining(): void {
  abort?.abort();
}

/**
 * Trains in the mode the settings ask for; the previous model stays active until this succeeds.
 * A GPU device lost during the run does not end it: once the engine has recovered, the run
 * starts again, and the embeddings cached before the loss are reused.
 */
export async function train(): Promise<TrainOutcome> {
  if (abort) throw new Error('Training is already running.');
  for (let attempt = 1; ; attempt++) {
    const losses = engine.lossCount;
    let cancelled = false;
    try {
      const out = await trainOnce();
      // A run that finished on a dying WebGL context learnt from zeros: do it again.
      if (out.cancelled || engine.lossCount === losses || attempt >= 3) return out;
    } catch (e) {
      if (attempt >= 3 || !(await lossFollows(losses))) throw e;
    }
    // Held through the wait, so the run can still be cancelled and not started twice.
    abort = new AbortController();
    set({
      status: 'embedding',
      error: null,
      progress: { label: 'Waiting for the GPU device to recover', done: 0, total: 1 },
    });
    try {
      await engine.whenReady();
      cancelled = abort.signal.aborted;
    } finally {
      abort = null;
    }
    if (cancelled) {
      set({ status: 'idle', progress: null });
      notify('info', 'Training cancelled; the previous model is kept.');
      return { cancelled: true, run: st().lastRun! };
    }
    notify(
      'info',
      `The GPU device was lost during training; training again on ${engine.state?.backend ?? 'the recovered engine'} (samples and cached embeddings kept).`,
    );
  }
}

async function trainOnce(): Promise<TrainOutcome> {
  const { t, classIds, list, y } = trainingSet();
  if (classIds.length < 2) throw new Error('Add at least two classes.');
  const counts = classIds.map((_, k) => y.filter((v) => v === k).length);
  if (counts.some((c) => c < 2)) throw new Error('Every class needs at least two samples.');
  const s = t.settings;
  abort = new AbortController();
  const signal = abort.signal;
  const t0 = performance.now();
  let embedSeconds = 0;
  let history: EpochLog[] = [];
  let cancelled = false;
  const toDispose: tf.Tensor[] = [];
  let newParts: HeadParts | null = null;
  try {
    set({ status: 'embedding', error: null, history: [] });
    const bb = await getBackbone(s.baseId);
    for (const [id, hit] of stash) if (hit.key !== embedKey(s)) stashDrop(id);
    if (s.mode === 'finetune' && !bb.canFinetune)
      throw new Error(`${bb.entry.name} cannot be fine-tuned (graph model); use head-only or KNN.`);
    await ensureEmbeddings(bb, s, list);
    embedSeconds = (performance.now() - t0) / 1000;
    if (signal.aborted) throw new DOMException('cancelled', 'AbortError');
    const split = stratifiedSplit(y, s.valSplit, s.seed);
    const pick = (idx: number[]) => ({ list: idx.map((i) => list[i]), y: idx.map((i) => y[i]) });
    const tr = pick(split.train);
    const va = pick(split.val);
    const labels = t.classes.map((c) => c.name);
    const info: TrainedInfo = {
      kind: s.mode,
      baseId: s.baseId,
      labels,
      colors: t.classes.map((c) => c.color),
      classIds,
      dim: bb.dim,
      hidden: s.hidden,
      dropout: s.dropout,
      trainedAt: Date.now(),
    };
    set({ status: 'training' });
    if (s.mode === 'knn') {
      // Validate an index of the training split on the validation split, then index everything.
      const trX = embeddingRows(tr.list, tr.y, true);
      const vaX = embeddingRows(va.list, va.y, false);
      toDispose.push(trX.x, vaX.x);
      const idx = new KnnIndex(trX.x, trX.y, classIds.length, s.knnK);
      const probs = va.list.length ? await idx.predict(vaX.x) : new Float32Array();
      idx.dispose();
      const report = evaluate(
        probs,
        va.y,
        va.list.map((x) => x.id),
        labels,
      );
      info.valAccuracy = report.accuracy;
      await activateKnn(bb, info);
      await trainDb.saveModel({ info, weights: { head: [] } }).catch(storageFailed);
      set({ info, report, history: [] });
    } else {
      const trX = embeddingRows(tr.list, tr.y, true);
      const vaX = embeddingRows(va.list, va.y, false);
      toDispose.push(trX.x, vaX.x);
      const cw = s.classWeights ? classWeights(trX.y, classIds.length) : null;
      const onEpoch = (log: EpochLog) => {
        history = [...history, log];
        set({ history });
      };
      newParts = buildHead(bb.dim, classIds.length, s.hidden, s.dropout);
      const common = {
        numClasses: classIds.length,
        batchSize: s.batchSize,
        patience: s.patience,
        classWeights: cw,
        seed: s.seed,
        signal,
        onEpoch,
      };
      const headParts = newParts;
      const r1 = await fit(
        { x: trX.x, y: trX.y, xVal: va.list.length ? vaX.x : undefined, yVal: vaX.y },
        {
          ...common,
          phase: 'head',
          learningRate: s.learningRate,
          epochs: s.epochs,
          forward: (x, training) => forward(headParts, x, training),
          variables: trainableVariables(headParts),
        },
      );
      cancelled = r1.cancelled;
      info.bestEpoch = r1.bestEpoch;
      let evalX: tf.Tensor = vaX.x;
      if (!cancelled && s.mode === 'finetune') {
        // Fine-tuning: copies of the top block start from the pretrained weights, the head from
        // phase 1; the top block trains at a lower learning rate than the head would.
        set({ status: 'embedding' });
        const views = 1 + (s.augment ? s.augmentViews : 0);
        const ftTr = await cutFeatures(bb, s, tr.list, views);
        const ftVa = await cutFeatures(bb, s, va.list, 1);
        toDispose.push(ftTr, ftVa);
        const ftY = tr.y.flatMap((v) => new Array<number>(views).fill(v));
        const ft = buildFinetuneModel(bb, newParts.head);
        set({ status: 'training' });
        const r2 = await fit(
          { x: ftTr, y: ftY, xVal: va.list.length ? ftVa : undefined, yVal: va.y },
          {
            ...common,
            phase: 'finetune',
            learningRate: s.finetuneLearningRate,
            epochs: s.finetuneEpochs,
            patience: Math.max(3, Math.ceil(s.patience / 2)),
            forward: (x, training) => forward(ft, x, training),
            variables: trainableVariables(ft),
            epochOffset: history.length,
          },
        );
        cancelled = r2.cancelled;
        info.bestEpoch = r2.bestEpoch;
        // The head-only wrapper shares the head layers with `ft`; drop it without disposing them.
        newParts = ft;
        evalX = ftVa;
      }
      if (!cancelled) {
        set({ status: 'evaluating' });
        let report = evaluate(new Float32Array(), [], [], labels);
        if (va.list.length) {
          const p = tf.tidy(() => forward(newParts!, evalX, false));
          const probs = (await p.data()) as Float32Array;
          p.dispose();
          report = evaluate(
            probs,
            va.y,
            va.list.map((x) => x.id),
            labels,
          );
        }
        info.valAccuracy = report.accuracy;
        const weights: SavedModelWeights = { head: await serializeWeights(newParts.model) };
        const parts = newParts;
        newParts = null;
        await activateHead(bb, info, weights, parts);
        await trainDb.saveModel({ info, weights }).catch(storageFailed);
        set({ info, report });
      }
    }
  } catch (e) {
    if ((e as Error).name === 'AbortError') cancelled = true;
    else {
      set({ error: (e as Error).message });
      throw e;
    }
  } finally {
    newParts?.model.dispose();
    tf.dispose(toDispose);
    abort = null;
    const run: TrainRun = {
      mode: s.mode,
      baseId: s.baseId,
      embedSeconds,
      trainSeconds: (performance.now() - t0) / 1000 - embedSeconds,
      epochs: history.length,
      cancelled,
    };
    set({ status: 'idle', progress: null, lastRun: run });
    await persist();
  }
  if (cancelled) notify('info', 'Training cancelled; the previous model is kept.');
  return { cancelled, run: st().lastRun! };
}

// ---------------------------------------------------------------- the active classifier

function dropActive(): void {
  activeRecord = null;
  if (!active) return;
  active.knn?.dispose();
  if (active.handle) engine.unregister(HEAD_ID);
  active = null;
}

async function activateHead(
  bb: Backbone,
  info: TrainedInfo,
  weights: SavedModelWeights,
  fresh?: HeadParts,
): Promise<void> {
  dropActive();
  bbCache = bb;
  let parts: HeadParts | undefined = fresh;
  const next: Active = { info };
  // The engine calls build again after a GPU loss; then the parts come from the saved weights.
  next.handle = await engine.register<tf.LayersModel>(HEAD_ID, async () => {
    const p = parts ?? rebuild(bb, info, weights.head);
    parts = undefined;
    next.parts = p;
    return p.model;
  });
  active = next;
  activeRecord = { info, weights };
  releaseBackbones([bb.id, st().settings.baseId]);
}

async function activateKnn(bb: Backbone, info: TrainedInfo): Promise<void> {
  const { list, y } = trainingSet();
  const key = embedKey(st().settings);
  const ok = list.every((s) => embeddings.get(s.id)?.key === key);
  if (!ok) await ensureEmbeddings(bb, st().settings, list);
  const rows = embeddingRows(list, y, true);
  dropActive();
  bbCache = bb;
  active = { info, knn: new KnnIndex(rows.x, rows.y, info.labels.length, st().settings.knnK) };
  activeRecord = { info, weights: { head: [] } };
  rows.x.dispose();
  releaseBackbones([bb.id, st().settings.baseId]);
}

function rebuildKnn(a: Active): void {
  if (!a.knn) return;
  const { list, y } = trainingSet();
  const key = embedKey(st().settings);
  const usable = list
    .map((x, i) => ({ x, y: y[i] }))
    .filter((r) => embeddings.get(r.x.id)?.key === key);
  const rows = embeddingRows(
    usable.map((r) => r.x),
    usable.map((r) => r.y),
    true,
  );
  try {
    a.knn.dispose();
  } catch {
    /* its tensors died with the device */
  }
  a.knn = new KnnIndex(rows.x, rows.y, a.info.labels.length, st().settings.knnK);
  rows.x.dispose();
}

/** Registers an imported standalone model (image in, probabilities out) as the active one. */
export async function activateImported(
  build: () => Promise<tf.LayersModel>,
  info: TrainedInfo,
  spec: InputSpec,
): Promise<void> {
  dropActive();
  const handle = await engine.register<tf.LayersModel>(HEAD_ID, build);
  active = { info, handle, spec };
  set({ info, report: null });
}

export function activeInfo(): TrainedInfo | null {
  return active?.info ?? null;
}

export function activeParts(): {
  info: TrainedInfo;
  model?: tf.LayersModel;
  spec?: InputSpec;
} | null {
  return active ? { info: active.info, model: active.handle?.model, spec: active.spec } : null;
}

/** Probabilities [1, K] for one frame [h,w,3] (0..255). Caller disposes. Synchronous on device. */
export function probabilitiesFor(frame: tf.Tensor3D): tf.Tensor2D | null {
  const a = active;
  if (!a || a.knn) return null;
  return tf.tidy(() => {
    const model = a.handle!.model;
    if (a.spec) return model.predict(toModelInput(frame, a.spec, 'center')) as tf.Tensor2D;
    const bb = requireBackbone(a.info.baseId);
    const x = toModelInput(frame, bb.entry.input, 'center');
    const feats = a.info.kind === 'finetune' ? bb.lower(x) : bb.embed(x);
    return model.predict(feats) as tf.Tensor2D;
  });
}

let bbCache: Backbone | null = null;
function requireBackbone(baseId: string): Backbone {
  if (bbCache?.id !== baseId) throw new Error('The base model is still loading.');
  return bbCache;
}

/** Class probabilities for one frame, read back asynchronously. */
export async function predictFrame(frame: tf.Tensor3D): Promise<Float32Array> {
  // After a reload the saved model is restored by initProject; wait for it.
  await initProject();
  const a = active;
  if (!a) throw new Error('No trained model yet: train one or import one.');
  if (!a.spec) bbCache = await getBackbone(a.info.baseId);
  if (a.knn) {
    const bb = bbCache!;
    const e = tf.tidy(() => bb.embed(toModelInput(frame, bb.entry.input, 'center')));
    try {
      return await a.knn.predict(e);
    } finally {
      e.dispose();
    }
  }
  const p = probabilitiesFor(frame)!;
  try {
    return (await p.data()) as Float32Array;
  } finally {
    p.dispose();
  }
}

export async function predictBlob(blob: Blob): Promise<{ labels: string[]; probs: number[] }> {
  const pixels = await blobToPixels(blob);
  try {
    const probs = await predictFrame(pixels);
    return { labels: active!.info.labels, probs: Array.from(probs) };
  } finally {
    pixels.dispose();
  }
}

/** Forgets the trained model (memory and IndexedDB). */
export async function clearModel(): Promise<void> {
  dropActive();
  set({ info: null, report: null });
  await trainDb.deleteModel().catch(() => undefined);
}

/** Deletes everything (classes, samples, model); used by "New project" and the eval CLI. */
export async function resetProject(): Promise<void> {
  await deleteSamples([...samples.keys()]);
  embeddings.clear();
  await clearModel();
  set({
    classes: [],
    history: [],
    report: null,
    settings: { ...DEFAULT_SETTINGS, ...{ baseId: st().settings.baseId } },
  });
  await persist();
}

export function isKnownBase(id: string): boolean {
  try {
    const e = catalogEntry(id);
    return e.task === 'classify' && Boolean(e.embedding);
  } catch {
    return false;
  }
}

/** Internal hooks for the import/export module. */
export const internals = {
  samples,
  embeddings,
  activateHead,
  dropActive,
  view,
  urls,
  projectRecord,
  /** The active trained model's record, kept in memory (so it exports when storage fails). */
  activeRecord: () => activeRecord,
};
