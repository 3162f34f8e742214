/**
 * What the Tag workspace does, as plain functions over the store: take in files, run the batch
 * pipeline with progress/pause/cancel, edit tags, export and import, manage the user's models,
 * and keep the session in IndexedDB (a store subscription writes whatever records changed).
 */
import { useApp } from '../store';
import { tf } from '../engine/tf';
import { DecodePool } from '../sources/decodePool';
import type { IncomingFile } from '../sources/files';
import type { BatchQueue, QueueProgress } from './queue';
import { createPipeline, defaultBatchSize, type PipelineItem } from './pipeline';
import { prepareClassifier } from './classifiers';
import * as edits from './edits';
import type { ImageBox, Prediction, TagImage } from './types';
import type { DecodedImage } from '../sources/decodeCore';
import {
  clearSession,
  isQuotaError,
  listUserModels,
  loadSession,
  putUserModel,
  deleteUserModel as deleteStoredUserModel,
  QUOTA_MESSAGE,
  writeBatch,
  type PendingWrites,
} from './session';
import { forget, forgetAll, originalOf, rememberOriginal, rememberThumb } from './thumbs';
import { importedToRecords, parseImport, toCoco, toCsv, toExportJson } from './exportFormats';
import { collectUserModelFiles, createUserModel } from './userModels';
import { engine } from '../engine/engine';

const THUMB_SIDE = 192;

let pool: DecodePool | null = null;
const decodePool = () => (pool ??= new DecodePool());

interface RunItem extends PipelineItem {
  id: string;
}

let active: { queue: BatchQueue<RunItem, DecodedImage, Prediction[]>; modelId: string } | null =
  null;

const newId = () =>
  globalThis.crypto?.randomUUID?.() ??
  `${Date.now().toString(36)}-${Math.random().toString(36).slice(2)}`;

const state = () => useApp.getState();

// ---------- persistence ----------

const pending: PendingWrites = {
  put: new Map(),
  del: new Set(),
  thumbs: new Map(),
  meta: new Map(),
};
let flushTimer: ReturnType<typeof setTimeout> | null = null;
let flushing: Promise<void> = Promise.resolve();
let persistenceStarted = false;

function scheduleFlush(): void {
  flushTimer ??= setTimeout(() => {
    flushTimer = null;
    flushing = flushing.then(flush);
  }, 250);
}

async function flush(): Promise<void> {
  if (!pending.put.size && !pending.del.size && !pending.thumbs.size && !pending.meta.size) return;
  const batch: PendingWrites = {
    put: new Map(pending.put),
    del: new Set(pending.del),
    thumbs: new Map(pending.thumbs),
    meta: new Map(pending.meta),
  };
  pending.put.clear();
  pending.del.clear();
  pending.thumbs.clear();
  pending.meta.clear();
  try {
    await writeBatch(batch);
    if (state().tagStorage.state !== 'ok') state().tagSetStorage({ state: 'ok' });
  } catch (e) {
    const quota = isQuotaError(e);
    const message = quota
      ? QUOTA_MESSAGE
      : `The session cannot be saved in this browser (${(e as Error).message}); it keeps working in this tab.`;
    // The first warning stays (e.g. "unavailable" from the start says more than a failed write).
    if (state().tagStorage.state === 'ok') {
      state().notify('error', message);
      state().tagSetStorage(
        quota ? { state: 'quota', message } : { state: 'unavailable', message },
      );
    }
  }
}

/** Resolves once every change so far is written (tests, before unload). */
export async function flushSession(): Promise<void> {
  if (flushTimer) {
    clearTimeout(flushTimer);
    flushTimer = null;
    flushing = flushing.then(flush);
  }
  await flushing;
}

/** Loads the saved session, then writes every later change of the images back. */
export async function initTagSession(): Promise<void> {
  if (persistenceStarted) return;
  persistenceStarted = true;
  try {
    const { images, meta } = await loadSession();
    // Files that were queued when the tab closed cannot be decoded any more: say so.
    const restored = images.map((img) =>
      img.status === 'queued'
        ? {
            ...img,
            status: 'error' as const,
            error: {
              code: 'model' as const,
              message: 'interrupted: drop the file again to tag it',
            },
          }
        : img,
    );
    if (restored.length) state().tagAdd(restored);
    if (typeof meta.modelId === 'string') state().tagSetModelId(meta.modelId);
  } catch (e) {
    state().tagSetStorage({
      state: 'unavailable',
      message: `Saved sessions are unavailable in this browser (${(e as Error).message}); tagging works in this tab only.`,
    });
  }
  await refreshUserModels();
  state().tagSetLoaded();
  let prev = state().tagImages;
  let prevModel = state().tagModelId;
  useApp.subscribe((s) => {
    if (s.tagModelId !== prevModel) {
      prevModel = s.tagModelId;
      pending.meta.set('modelId', s.tagModelId);
      scheduleFlush();
    }
    if (s.tagImages === prev) return;
    const next = s.tagImages;
    for (const id in next) if (next[id] !== prev[id]) pending.put.set(id, next[id]);
    for (const id in prev)
      if (!(id in next)) {
        pending.put.delete(id);
        pending.thumbs.delete(id);
        pending.del.add(id);
      }
    prev = next;
    scheduleFlush();
  });
  addEventListener('pagehide', () => void flushSession());
}

// ---------- intake and the run ----------

function recordFor(f: IncomingFile, at: number): TagImage {
  return {
    id: newId(),
    name: f.file.name,
    path: f.path,
    size: f.file.size,
    type: f.file.type,
    lastModified: f.file.lastModified,
    addedAt: at,
    status: 'queued',
    predictions: [],
    tags: [],
    review: 'unreviewed',
    edits: [],
    hasThumb: false,
  };
}

/** Adds dropped/picked/pasted files and tags them; files already in the session are skipped. */
export async function addFiles(
  files: readonly IncomingFile[],
): Promise<{ added: number; skipped: number }> {
  const s = state();
  const known = new Set(
    Object.values(s.tagImages).map((i) => `${i.path}\u0000${i.size}\u0000${i.lastModified}`),
  );
  const now = Date.now();
  const fresh: TagImage[] = [];
  const items: RunItem[] = [];
  files.forEach((f, i) => {
    const key = `${f.path}\u0000${f.file.size}\u0000${f.file.lastModified}`;
    if (known.has(key)) return;
    known.add(key);
    const rec = recordFor(f, now + i / 1000);
    fresh.push(rec);
    rememberOriginal(rec.id, f.file);
    items.push({ id: rec.id, key: rec.id, blob: f.file });
  });
  if (fresh.length) s.tagAdd(fresh);
  const skipped = files.length - fresh.length;
  if (skipped) s.notify('info', `${skipped} file(s) already in this session were skipped.`);
  if (items.length) await runItems(items);
  return { added: fresh.length, skipped };
}

/** Re-tags images whose originals this tab still has (e.g. after choosing another model). */
export async function retag(ids: readonly string[]): Promise<number> {
  const items: RunItem[] = [];
  for (const id of ids) {
    const f = originalOf(id);
    if (f) items.push({ id, key: id, blob: f });
  }
  if (items.length) {
    state().tagPatch(
      Object.fromEntries(items.map((i) => [i.id, { status: 'queued' as const, error: undefined }])),
    );
    await runItems(items);
  }
  return items.length;
}

let resultBuffer: Record<string, Partial<TagImage> | ((img: TagImage) => TagImage)> = {};
let resultTimer: ReturnType<typeof setTimeout> | null = null;
let progressTimer: ReturnType<typeof setTimeout> | null = null;
let lastProgress: QueueProgress | null = null;

/** Results arrive per image; the store (and React) get them at most every 150 ms, in one update. */
function bufferResult(id: string, change: Partial<TagImage> | ((img: TagImage) => TagImage)): void {
  resultBuffer[id] = change;
  resultTimer ??= setTimeout(flushResults, 150);
}

function flushResults(): void {
  resultTimer = null;
  const buf = resultBuffer;
  resultBuffer = {};
  const ids = Object.keys(buf);
  if (!ids.length) return;
  state().tagUpdate(ids, (img) => {
    const c = buf[img.id];
    return typeof c === 'function' ? c(img) : { ...img, ...c };
  });
}

function publishProgress(p: QueueProgress, modelId: string, startedAt: number): void {
  lastProgress = p;
  const push = () => {
    progressTimer = null;
    if (lastProgress) state().tagSetRun({ progress: lastProgress, modelId, startedAt });
  };
  if (
    p.state === 'finished' ||
    p.state === 'cancelled' ||
    p.state === 'paused' ||
    p.done + p.failed === 0
  ) {
    if (progressTimer) clearTimeout(progressTimer);
    push();
  } else progressTimer ??= setTimeout(push, 200);
}

async function runItems(items: RunItem[]): Promise<void> {
  const s = state();
  const modelId = s.tagModelId ?? s.settings.classifierId;
  if (active && !active.queue.isCancelled && active.queue.progress().state !== 'finished') {
    if (active.modelId === modelId) return active.queue.add(items);
  }
  let prepared;
  try {
    prepared = await prepareClassifier(modelId);
  } catch (e) {
    const message = `model: ${(e as Error).message}`;
    state().tagPatch(
      Object.fromEntries(
        items.map((i) => [
          i.id,
          { status: 'error' as const, error: { code: 'model' as const, message } },
        ]),
      ),
    );
    state().notify('error', message);
    return;
  }
  const { info, handle } = prepared;
  const model = { id: info.id, version: info.version };
  const startedAt = Date.now();
  const queue = createPipeline<RunItem>({
    classifier: info,
    handle,
    pool: decodePool(),
    k: Math.max(1, state().settings.topK),
    crop: 'center',
    batchSize: defaultBatchSize(tf.getBackend()),
    thumbSide: THUMB_SIDE,
    onDecoded: (item, d) => {
      if (d.thumb) {
        rememberThumb(item.id, d.thumb);
        pending.thumbs.set(item.id, d.thumb);
      }
      bufferResult(item.id, {
        width: d.width,
        height: d.height,
        format: d.format,
        hasThumb: Boolean(d.thumb),
      });
    },
    onResult: (item, preds) => {
      const prev = resultBuffer[item.id];
      bufferResult(item.id, (img) =>
        edits.withPredictions(typeof prev === 'object' ? { ...img, ...prev } : img, preds, model),
      );
    },
    onError: (item, message, code) =>
      bufferResult(item.id, {
        status: 'error',
        error: { code: (code ?? 'corrupt') as NonNullable<TagImage['error']>['code'], message },
      }),
    onProgress: (p) => publishProgress(p, info.id, startedAt),
  });
  active = { queue, modelId: info.id };
  await queue.add(items);
  flushResults();
  scheduleFlush();
}

/**
 * Switches the Tag classifier: the new model is loaded (downloaded, verified, warmed up) first,
 * and only then used. When that fails (a 404, a broken or tampered download) the classifier in
 * use stays, and the workspace shows the error with a Retry (`tagModelChoice`).
 */
export async function chooseModel(id: string): Promise<boolean> {
  const current = state().tagModelId ?? state().settings.classifierId;
  if (id === current) {
    state().tagSetModelChoice(null);
    return true;
  }
  state().tagSetModelChoice({ id });
  try {
    await prepareClassifier(id);
  } catch (e) {
    if (state().tagModelChoice?.id === id)
      state().tagSetModelChoice({ id, error: (e as Error).message });
    return false;
  }
  if (state().tagModelChoice?.id !== id) return false; // another choice came after this one
  state().tagSetModelChoice(null);
  state().tagSetModelId(id);
  return true;
}

export function pauseRun(): void {
  active?.queue.pause();
}

export function resumeRun(): void {
  active?.queue.resume();
}

/** Stops the run; images not yet tagged are marked as cancelled (they can be re-tagged). */
export function cancelRun(): void {
  if (!active) return;
  active.queue.cancel();
  flushResults();
  const s = state();
  const queued = s.tagOrder.filter((id) => s.tagImages[id]?.status === 'queued');
  s.tagPatch(
    Object.fromEntries(
      queued.map((id) => [
        id,
        {
          status: 'error' as const,
          error: { code: 'model' as const, message: 'cancelled before tagging' },
        },
      ]),
    ),
  );
}

export function dismissRun(): void {
  if (
    active &&
    active.queue.progress().state !== 'running' &&
    active.queue.progress().state !== 'paused'
  ) {
    active = null;
    state().tagSetRun(null);
  }
}

// ---------- edits ----------

export const acceptImages = (ids: readonly string[]) =>
  state().tagUpdate(ids, (i) => edits.accept(i));
export const rejectImages = (ids: readonly string[]) =>
  state().tagUpdate(ids, (i) => edits.reject(i));
export const unreviewImages = (ids: readonly string[]) =>
  state().tagUpdate(ids, (i) => edits.unreview(i));
export const addTagTo = (ids: readonly string[], label: string) =>
  state().tagUpdate(ids, (i) => edits.addTag(i, label));
export const removeTagFrom = (ids: readonly string[], label: string) =>
  state().tagUpdate(ids, (i) => edits.removeTag(i, label));
export const renameImage = (id: string, name: string) =>
  state().tagUpdate([id], (i) => edits.rename(i, name));

/** Detector results for an image (the Tag workspace's detector toggle calls this). */
export const setImageBoxes = (id: string, boxes: ImageBox[]) => state().setImageBoxes(id, boxes);

export function removeImages(ids: readonly string[]): void {
  forget(ids);
  state().tagRemove(ids);
}

export async function clearAll(): Promise<void> {
  active?.queue.cancel();
  active = null;
  state().tagSetRun(null);
  forgetAll();
  state().tagReplaceAll([]);
  await flushSession();
  try {
    await clearSession();
  } catch {
    /* storage unavailable: nothing saved to clear */
  }
}

// ---------- export / import ----------

export function orderedImages(): TagImage[] {
  const s = state();
  return s.tagOrder.map((id) => s.tagImages[id]).filter(Boolean);
}

export const exportJsonText = () => JSON.stringify(toExportJson(orderedImages()), null, 2);
export const exportCsvText = () => toCsv(orderedImages());
export const exportCocoText = () => JSON.stringify(toCoco(orderedImages()), null, 2);

export function download(text: string, fileName: string, type: string): void {
  const url = URL.createObjectURL(new Blob([text], { type }));
  const a = document.createElement('a');
  a.href = url;
  a.download = fileName;
  a.click();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

/** Imports an exported JSON session: matching images (path + size) are updated, others added. */
export async function importJson(file: Blob): Promise<number> {
  const imported = parseImport(await file.text());
  const s = state();
  const existing = new Map(Object.values(s.tagImages).map((i) => [`${i.path}\u0000${i.size}`, i]));
  const records = importedToRecords(imported, newId, existing);
  s.tagAdd(records);
  return records.length;
}

// ---------- the user's own models ----------

export async function refreshUserModels(): Promise<void> {
  const list = await listUserModels();
  state().tagSetUserModels(list.map((m) => ({ id: m.id, name: `${m.name} (yours)`, user: true })));
}

export async function addUserModel(
  files: readonly File[],
  range?: [number, number],
): Promise<string> {
  const parsed = await collectUserModelFiles(files);
  const { record } = await createUserModel(parsed, range);
  try {
    await putUserModel(record);
  } catch (e) {
    state().notify(
      'warning',
      isQuotaError(e)
        ? `${record.name} works in this tab but storage is full, so it will be gone after a reload.`
        : `${record.name} could not be saved: ${(e as Error).message}`,
    );
    state().tagSetUserModels([
      ...state().tagUserModels,
      { id: record.id, name: `${record.name} (yours)`, user: true },
    ]);
    state().tagSetModelId(record.id);
    return record.id;
  }
  await refreshUserModels();
  state().tagSetModelId(record.id);
  return record.id;
}

export async function deleteUserModel(id: string): Promise<void> {
  engine.unregister(id);
  await deleteStoredUserModel(id);
  if (state().tagModelId === id) state().tagSetModelId(null);
  await refreshUserModels();
}
