/**
 * The typed message protocol between the UI thread and the inference worker (init, progress,
 * result, error, plus tasks/stats/model-only probes). Every message crossing the boundary is
 * validated on arrival: a malformed message is reported, never acted on.
 */
import type { BackendName, BackendPreference } from '../engine/backendNames';
import type { InputSpec } from '../models/catalog';

export interface ClassPrediction {
  index: number;
  label: string;
  probability: number;
}

export interface DetectedBox {
  box: { x: number; y: number; width: number; height: number };
  label: string;
  classId: number;
  score: number;
}

/** A catalog classifier on the frame. */
export interface ClassifyTaskSpec {
  kind: 'classify';
  id: string;
  modelId: string;
  topK: number;
  crop?: 'center' | 'none';
}

/** A catalog detector on the frame. */
export interface DetectTaskSpec {
  kind: 'detect';
  id: string;
  modelId: string;
  minScore: number;
  maxResults: number;
  classes?: { include?: readonly string[]; exclude?: readonly string[] };
}

/** `tf.io.ModelArtifacts` with `weightData` as one ArrayBuffer. */
export interface ModelTaskArtifacts {
  modelTopology: object;
  weightSpecs: { name: string; shape: number[]; dtype: string }[];
  weightData: ArrayBuffer;
}

/**
 * A model held in memory (e.g. a trained head exported together with its feature extractor)
 * that classifies the same shared frame tensor. Its artifacts are structured-cloned to the
 * worker the first time only: every settings change re-sends the tasks, and a trained model with
 * its backbone is megabytes.
 */
export interface ModelTaskSpec {
  kind: 'model';
  id: string;
  format: 'layers' | 'graph';
  /** The model's content key (`modelContentKey`), computed once where it was serialised. */
  key: string;
  /** Left out while the inference side holds `key` (its last `tasks-ready` said so). */
  artifacts?: ModelTaskArtifacts;
  input: InputSpec;
  labels: string[];
  outputKind: 'probabilities' | 'logits';
  topK: number;
}

export type TaskSpec = ClassifyTaskSpec | DetectTaskSpec | ModelTaskSpec;

export type TaskResult =
  | { id: string; kind: 'classify'; predictions: ClassPrediction[]; ms: number }
  | { id: string; kind: 'detect'; detections: DetectedBox[]; ms: number };

export interface MemorySnapshot {
  numTensors: number;
  numBytes: number;
  numBytesInGPU?: number;
}

export interface FrameTiming {
  /** Worker clock (performance.now in the worker) is not comparable with the host's: durations only. */
  uploadMs: number;
  /** Wall time of all tasks together (they share one upload and run concurrently). */
  tasksMs: number;
  totalMs: number;
}

// ---- host → worker ----
export type HostMessage =
  | { type: 'init'; backend: BackendPreference }
  | { type: 'tasks'; requestId: number; tasks: TaskSpec[]; warmUp: boolean }
  | { type: 'frame'; frameId: number; bitmap: ImageBitmap }
  /**
   * A video frame handed over as it is (nothing copied on the UI thread): the inference side
   * scales it to width x height itself, then closes it.
   */
  | { type: 'video-frame'; frameId: number; frame: VideoFrame; width: number; height: number }
  | { type: 'stats'; requestId: number }
  | { type: 'model-only'; requestId: number; bitmaps: ImageBitmap[] }
  /** Tests: lose the inference side's GPU device; answered with `stats` once it has recovered. */
  | { type: 'lose-device'; requestId: number }
  | { type: 'dispose' };

// ---- worker → host ----
export type WorkerMessage =
  | {
      type: 'ready';
      backend: BackendName;
      reasons: string[];
      tfjsVersion: string;
      adapter?: string;
    }
  | {
      type: 'progress';
      phase: 'backend' | 'download' | 'verify' | 'build' | 'cache' | 'warmup';
      modelId?: string;
      loaded: number;
      total: number;
      message: string;
    }
  | {
      type: 'tasks-ready';
      requestId: number;
      tasks: string[];
      memory: MemorySnapshot;
      /** Content keys of the 'model' task models held now: their bytes need not be sent again. */
      modelKeys: string[];
    }
  | {
      type: 'result';
      frameId: number;
      width: number;
      height: number;
      results: TaskResult[];
      timing: FrameTiming;
      memory: MemorySnapshot;
    }
  | {
      type: 'stats';
      requestId: number;
      backend: BackendName | null;
      memory: MemorySnapshot;
      frames: number;
    }
  | {
      type: 'model-only';
      requestId: number;
      /** Per frame: upload ms and model-only ms (every task run alone, one after the other). */
      uploadMs: number[];
      modelMs: number[];
    }
  | {
      type: 'error';
      /** 'device': the GPU device was lost; a `ready` follows once the models are rebuilt. */
      where: 'init' | 'tasks' | 'frame' | 'protocol' | 'stats' | 'device';
      message: string;
      fatal: boolean;
      frameId?: number;
      requestId?: number;
      /**
       * 'model-bytes-needed': a 'model' task came without its artifacts and the inference side
       * no longer holds it; the host sends the tasks again with them.
       */
      code?: 'model-bytes-needed';
    };

function isObj(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null;
}
const isNum = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);
const isStr = (v: unknown): v is string => typeof v === 'string';

function isBitmap(v: unknown): v is ImageBitmap {
  if (typeof ImageBitmap !== 'undefined' && v instanceof ImageBitmap) return true;
  // Tests (node) have no ImageBitmap: accept the shape.
  return isObj(v) && isNum(v.width) && isNum(v.height) && typeof v.close === 'function';
}

function isVideoFrame(v: unknown): v is VideoFrame {
  if (typeof VideoFrame !== 'undefined' && v instanceof VideoFrame) return true;
  // Tests (node) have no VideoFrame: accept the shape.
  return (
    isObj(v) && isNum(v.displayWidth) && isNum(v.displayHeight) && typeof v.close === 'function'
  );
}

export function isTaskSpec(v: unknown): v is TaskSpec {
  if (!isObj(v) || !isStr(v.id) || !v.id) return false;
  switch (v.kind) {
    case 'classify':
      return isStr(v.modelId) && isNum(v.topK) && v.topK >= 1;
    case 'detect':
      return (
        isStr(v.modelId) &&
        isNum(v.minScore) &&
        isNum(v.maxResults) &&
        v.maxResults >= 0 &&
        (v.classes === undefined || isObj(v.classes))
      );
    case 'model':
      return (
        (v.format === 'layers' || v.format === 'graph') &&
        isStr(v.key) &&
        v.key.length > 0 &&
        (v.artifacts === undefined ||
          (isObj(v.artifacts) && v.artifacts.weightData instanceof ArrayBuffer)) &&
        isObj(v.input) &&
        Array.isArray(v.labels) &&
        isNum(v.topK)
      );
    default:
      return false;
  }
}

/** Validates a message arriving at the worker. */
export function parseHostMessage(data: unknown): HostMessage | null {
  if (!isObj(data) || !isStr(data.type)) return null;
  switch (data.type) {
    case 'init':
      return isStr(data.backend) ? (data as HostMessage) : null;
    case 'tasks':
      return isNum(data.requestId) &&
        Array.isArray(data.tasks) &&
        data.tasks.every(isTaskSpec) &&
        typeof data.warmUp === 'boolean'
        ? (data as HostMessage)
        : null;
    case 'frame':
      return isNum(data.frameId) && isBitmap(data.bitmap) ? (data as HostMessage) : null;
    case 'video-frame':
      return isNum(data.frameId) &&
        isVideoFrame(data.frame) &&
        isNum(data.width) &&
        isNum(data.height) &&
        data.width >= 1 &&
        data.height >= 1
        ? (data as HostMessage)
        : null;
    case 'stats':
    case 'lose-device':
      return isNum(data.requestId) ? (data as HostMessage) : null;
    case 'model-only':
      return isNum(data.requestId) && Array.isArray(data.bitmaps) && data.bitmaps.every(isBitmap)
        ? (data as HostMessage)
        : null;
    case 'dispose':
      return { type: 'dispose' };
    default:
      return null;
  }
}

function isMemory(v: unknown): v is MemorySnapshot {
  return isObj(v) && isNum(v.numTensors) && isNum(v.numBytes);
}

function isTaskResult(v: unknown): v is TaskResult {
  if (!isObj(v) || !isStr(v.id) || !isNum(v.ms)) return false;
  if (v.kind === 'classify') return Array.isArray(v.predictions);
  if (v.kind === 'detect') return Array.isArray(v.detections);
  return false;
}

/** Validates a message arriving from the worker. */
export function parseWorkerMessage(data: unknown): WorkerMessage | null {
  if (!isObj(data) || !isStr(data.type)) return null;
  switch (data.type) {
    case 'ready':
      return isStr(data.backend) && Array.isArray(data.reasons) ? (data as WorkerMessage) : null;
    case 'progress':
      return isStr(data.phase) && isNum(data.loaded) && isNum(data.total)
        ? (data as WorkerMessage)
        : null;
    case 'tasks-ready':
      return isNum(data.requestId) &&
        Array.isArray(data.tasks) &&
        isMemory(data.memory) &&
        Array.isArray(data.modelKeys) &&
        data.modelKeys.every(isStr)
        ? (data as WorkerMessage)
        : null;
    case 'result':
      return isNum(data.frameId) &&
        isNum(data.width) &&
        isNum(data.height) &&
        Array.isArray(data.results) &&
        data.results.every(isTaskResult) &&
        isObj(data.timing) &&
        isMemory(data.memory)
        ? (data as WorkerMessage)
        : null;
    case 'stats':
      return isNum(data.requestId) && isMemory(data.memory) ? (data as WorkerMessage) : null;
    case 'model-only':
      return isNum(data.requestId) && Array.isArray(data.modelMs) ? (data as WorkerMessage) : null;
    case 'error':
      return isStr(data.where) && isStr(data.message) && typeof data.fatal === 'boolean'
        ? (data as WorkerMessage)
        : null;
    default:
      return null;
  }
}
