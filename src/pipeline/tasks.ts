/**
 * Frame tasks: everything that runs on a live frame (classifier, detector, a trained model) takes
 * the same uploaded [h, w, 3] frame tensor, never disposes it, and reads back asynchronously.
 * New kinds plug in with `registerTaskKind`.
 */
import { tf } from '../engine/tf';
import { engine, type ModelHandle } from '../engine/engine';
import { SharedRuns } from '../engine/sharedRuns';
import { catalogEntry, type CatalogEntry } from '../models/catalog';
import { loadCatalogModel } from '../models/registry';
import type { LoadProgress } from '../models/loader';
import { modelContentKey } from './modelKey';
import { classifyBatch, labelsFor, type ClassifierSpec } from '../classification/classifier';
import { toModelInput } from '../classification/preprocess';
import { createCenterNetDetector } from '../detection/centernet';
import { createNanoDetDetector } from '../detection/nanodet';
import { createCocoSsdFastDetector } from '../detection/cocoSsdFast';
import type { Detector } from '../detection/types';
import type {
  ClassifyTaskSpec,
  DetectTaskSpec,
  ModelTaskArtifacts,
  ModelTaskSpec,
  TaskResult,
  TaskSpec,
} from './protocol';

export interface FrameTask {
  readonly id: string;
  readonly kind: TaskResult['kind'];
  /** Runs on a shared frame tensor (int32 [h, w, 3], 0..255), which it must not dispose. */
  run(frame: tf.Tensor3D): Promise<TaskResult>;
  /** Frees what the task itself owns (catalog models stay with the engine for reuse). */
  dispose(): void;
}

export interface TaskContext {
  onProgress: (modelId: string, p: LoadProgress) => void;
  /** Compile shaders on zeros before the first frame. */
  warmUp: boolean;
}

type Factory<S extends TaskSpec> = (spec: S, ctx: TaskContext) => Promise<FrameTask>;
const factories = new Map<TaskSpec['kind'], Factory<TaskSpec>>();

/** Adds (or replaces) the factory for a task kind. */
export function registerTaskKind<K extends TaskSpec['kind']>(
  kind: K,
  factory: Factory<Extract<TaskSpec, { kind: K }>>,
): void {
  factories.set(kind, factory as Factory<TaskSpec>);
}

export async function createTask(spec: TaskSpec, ctx: TaskContext): Promise<FrameTask> {
  const f = factories.get(spec.kind);
  if (!f) throw new Error(`No frame task of kind "${spec.kind}"`);
  return f(spec, ctx);
}

/** A catalog model on this thread's engine, loading (verified, cached) on first use. */
async function catalogModel(id: string, ctx: TaskContext): Promise<ModelHandle> {
  await engine.whenReady();
  return (
    engine.get(id) ?? (await loadCatalogModel(id, { onProgress: (p) => ctx.onProgress(id, p) }))
  );
}

/**
 * Warm-ups on this thread's engine, per model generation: re-adding a task is free, and two task
 * updates in flight share one warm-up instead of compiling twice.
 */
const warmed = new SharedRuns<void>('after-success');

async function warm(
  id: string,
  shape: number[],
  ctx: TaskContext,
  dtype: 'float32' | 'int32' = 'float32',
): Promise<void> {
  if (!ctx.warmUp) return;
  // A failed warm-up is tried again by the next task (the task that started it reports it).
  await warmed.run(`${id}#${engine.get(id)?.generation ?? 0}`, () => {
    ctx.onProgress(id, { phase: 'build', loaded: 0, total: 1 });
    return engine.warmUp(id, [shape], dtype);
  });
}

function now(): number {
  return performance.now();
}

function classifierTask(
  id: string,
  handle: ModelHandle,
  spec: ClassifierSpec,
  input: CatalogEntry['input'],
  topK: number,
  crop: 'center' | 'none',
): FrameTask {
  return {
    id,
    kind: 'classify',
    async run(frame) {
      const t0 = now();
      const x = toModelInput(frame, input, crop);
      try {
        const [predictions] = await classifyBatch(handle, spec, x, topK);
        return { id, kind: 'classify', predictions, ms: now() - t0 };
      } finally {
        x.dispose();
      }
    },
    dispose() {},
  };
}

registerTaskKind('classify', async (spec: ClassifyTaskSpec, ctx) => {
  const entry = catalogEntry(spec.modelId);
  if (entry.task !== 'classify') throw new Error(`${entry.name} is not a classifier`);
  const handle = await catalogModel(spec.modelId, ctx);
  await warm(spec.modelId, [1, entry.input.height, entry.input.width, 3], ctx);
  return classifierTask(
    spec.id,
    handle,
    { output: entry.output, labels: labelsFor(entry) },
    entry.input,
    spec.topK,
    spec.crop ?? (entry.input.resize === 'center-crop' ? 'center' : 'none'),
  );
});

// The decoders directly, not detection/factory.ts: that one reaches into the UI store, which a
// worker does not have.
function detectorFor(entry: CatalogEntry, model: tf.GraphModel): Detector {
  switch (entry.family) {
    case 'centernet':
      return createCenterNetDetector(model, {}, entry.id);
    case 'nanodet':
      return createNanoDetDetector(model, {}, entry.id);
    case 'coco-ssd':
      return createCocoSsdFastDetector(model, {}, entry.id);
    default:
      throw new Error(`${entry.name} is not a detector the live view can decode`);
  }
}

/** The warm-up input of a detector, as its graph expects it. */
function detectorWarmShape(entry: CatalogEntry): number[] {
  const { input } = entry;
  if (entry.family === 'coco-ssd' || !input.width) return [1, 300, 300, 3];
  return input.layout === 'NCHW'
    ? [1, 3, input.height, input.width]
    : [1, input.height, input.width, 3];
}

registerTaskKind('detect', async (spec: DetectTaskSpec, ctx) => {
  const entry = catalogEntry(spec.modelId);
  if (entry.task !== 'detect') throw new Error(`${entry.name} is not a detector`);
  const handle = await catalogModel(spec.modelId, ctx);
  await warm(
    spec.modelId,
    detectorWarmShape(entry),
    ctx,
    entry.input.dtype === 'int32' ? 'int32' : 'float32',
  );
  // The engine swaps `handle.model` after a GPU-loss recovery: rebuild the detector then.
  let gen = -1;
  let detector: Detector | null = null;
  const opts = { minScore: spec.minScore, maxResults: spec.maxResults, classes: spec.classes };
  return {
    id: spec.id,
    kind: 'detect',
    async run(frame) {
      const t0 = now();
      if (!detector || gen !== handle.generation) {
        detector = detectorFor(entry, handle.model as tf.GraphModel);
        gen = handle.generation;
      }
      const detections = await detector.detect(frame, opts);
      return { id: spec.id, kind: 'detect', detections, ms: now() - t0 };
    },
    // Not detector.dispose(): that would free the engine's model, which other tasks may share.
    dispose() {},
  };
});

/** Numbers each model task's engine id, so a replacement can load before the old one goes. */
let modelTaskSerial = 0;

/** A model of 'model' tasks, shared by every task that sends the same bytes. */
interface SharedModel {
  engineId: string;
  users: number;
  /** The build in progress or done: tasks arriving while it runs wait for it. */
  built: Promise<ModelHandle>;
  ready: boolean;
}

/**
 * Models of 'model' tasks on this thread's engine, by content. Every settings change re-sends all
 * tasks, trained model included; building and warming the same model again cost seconds on a slow
 * GPU and doubled its memory while the old task waited to be disposed.
 */
const modelTaskModels = new Map<string, SharedModel>();

/** Engine ids of the models 'model' tasks hold now (tests, the capability panel's memory). */
export function modelTaskEngineIds(): string[] {
  return [...modelTaskModels.values()].map((m) => m.engineId);
}

/** Content keys of the models 'model' tasks hold now: the host need not send their bytes. */
export function heldModelKeys(): string[] {
  return [...modelTaskModels.keys()];
}

/** A 'model' task came without its bytes, and the model it names is not held (any more). */
export class ModelBytesNeeded extends Error {
  constructor(id: string) {
    super(`"${id}" is not held by the inference side any more: its model must be sent again`);
    this.name = 'ModelBytesNeeded';
  }
}

function buildModelTaskModel(spec: ModelTaskSpec, sent: ModelTaskArtifacts): SharedModel {
  const engineId = `live-task:${spec.id}#${++modelTaskSerial}`;
  const artifacts: tf.io.ModelArtifacts = {
    modelTopology: sent.modelTopology as tf.io.ModelArtifacts['modelTopology'],
    weightSpecs: sent.weightSpecs as tf.io.WeightsManifestEntry[],
    weightData: sent.weightData,
  };
  // Registered with the engine so a GPU-loss recovery rebuilds it like any catalog model.
  const built = engine.register(engineId, async () =>
    spec.format === 'layers'
      ? tf.loadLayersModel(tf.io.fromMemory(artifacts))
      : tf.loadGraphModel(tf.io.fromMemory(artifacts)),
  );
  const shared: SharedModel = { engineId, users: 0, built, ready: false };
  // The tasks awaiting `built` see a failure; this only marks success.
  built.then(
    () => (shared.ready = true),
    () => undefined,
  );
  return shared;
}

registerTaskKind('model', async (spec: ModelTaskSpec, ctx) => {
  const { key, artifacts } = spec;
  // Bytes that came along are checked against the key the host named them by: the cache is
  // by key, so a wrong key would run another model under this task's name.
  if (artifacts && (await modelContentKey(spec.format, artifacts)) !== key) {
    throw new Error(`"${spec.id}" arrived with a content key that does not match its model`);
  }
  let shared = modelTaskModels.get(key);
  // No await between this check and the set: a second update with the same model joins the build.
  if (!shared || (shared.ready && !engine.get(shared.engineId))) {
    if (!artifacts) throw new ModelBytesNeeded(spec.id);
    shared = buildModelTaskModel(spec, artifacts);
    modelTaskModels.set(key, shared);
  }
  const holder = shared;
  holder.users++;
  let released = false;
  const release = () => {
    if (released) return;
    released = true;
    if (--holder.users > 0) return;
    // A model the engine had lost was built again under a new entry; only ours may leave the cache.
    if (modelTaskModels.get(key) === holder) modelTaskModels.delete(key);
    engine.unregister(holder.engineId);
  };
  let handle: ModelHandle;
  try {
    handle = await holder.built;
    await warm(holder.engineId, [1, spec.input.height, spec.input.width, 3], ctx);
  } catch (e) {
    release();
    throw e;
  }
  const task = classifierTask(
    spec.id,
    handle,
    { output: { classes: spec.labels.length, kind: spec.outputKind }, labels: spec.labels },
    spec.input,
    spec.topK,
    spec.input.resize === 'center-crop' ? 'center' : 'none',
  );
  return { ...task, dispose: release };
});
