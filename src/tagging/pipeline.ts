/**
 * The Tag batch pipeline: files → decode workers (sniff, EXIF orientation, crop/resize, thumbnail)
 * → batches of model input → classifier on the engine → top-k, read back asynchronously. Used by
 * the UI (through tagActions) and, unchanged, by the eval CLI and the benchmark.
 */
import { tf } from '../engine/tf';
import { engine, type ModelHandle } from '../engine/engine';
import { classifyBatch, type Prediction as RawPrediction } from '../classification/classifier';
import { paddedBatchSize, rgbBatchToInput } from '../classification/preprocess';
import type { DecodePool } from '../sources/decodePool';
import type { DecodedImage } from '../sources/decodeCore';
import { BatchQueue, type QueueProgress } from './queue';
import type { ClassifierInfo } from './classifiers';
import type { Prediction } from './types';

export interface PipelineItem {
  key: string;
  /** The file, or a loader (e.g. a fetch) run when its decode starts so loading overlaps too. */
  blob: Blob | (() => Promise<Blob>);
}

export interface PipelineOptions<I extends PipelineItem> {
  classifier: ClassifierInfo;
  handle: ModelHandle;
  pool: DecodePool;
  k: number;
  crop: 'center' | 'none';
  batchSize: number;
  /** Thumbnail side in px (0: none, e.g. for the eval). */
  thumbSide: number;
  onDecoded?: (item: I, decoded: DecodedImage) => void;
  onResult: (item: I, preds: Prediction[]) => void;
  onError: (item: I, message: string, code?: string) => void;
  onProgress?: (p: QueueProgress) => void;
}

/**
 * Batch size by backend: GPUs want wide batches; on WASM/CPU a batch only adds cache pressure
 * (measured with `npm run bench -- --workload tag-batch`: batch 1 beat 8 and 16 there).
 */
export function defaultBatchSize(backend = tf.getBackend()): number {
  return backend === 'webgpu' || backend === 'webgl' ? 16 : 1;
}

const toPrediction = (p: RawPrediction): Prediction => ({
  label: p.label,
  index: p.index,
  score: p.probability,
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A tensor of a backend that died with its device may refuse to be disposed; it is gone anyway. */
function disposeQuietly(t: tf.Tensor): void {
  try {
    t.dispose();
  } catch {
    /* its backend was torn down by the recovery */
  }
}

/**
 * Whether a failure is down to a device loss: on a GPU backend a destroyed device fails its
 * readbacks (`mapAsync`) a while before its `lost` promise settles, so wait up to 3 s for it.
 */
async function lossFollows(losses: number): Promise<boolean> {
  const gpu = engine.state?.backend === 'webgpu' || engine.state?.backend === 'webgl';
  for (let waited = 0; ; waited += 100) {
    if (engine.lossCount !== losses || engine.isRecovering) return true;
    if (!gpu || waited >= 3000) return false;
    await sleep(100);
  }
}

/**
 * Runs one batch so that a GPU device loss does not lose it: the batch waits for a recovery in
 * progress, and a batch that failed or finished while the device was being lost (a lost WebGL
 * context reads back zeros, not an error) is run again on the recovered engine. The pixels are
 * still in memory, so nothing has to be decoded again.
 */
export async function surviveDeviceLoss<T>(run: () => Promise<T>, maxLosses = 3): Promise<T> {
  for (let attempt = 0; ; attempt++) {
    await engine.whenReady();
    const losses = engine.lossCount;
    let out: T;
    try {
      out = await run();
    } catch (e) {
      if (attempt >= maxLosses || !(await lossFollows(losses))) throw e;
      continue;
    }
    if (engine.lossCount === losses) return out;
    if (attempt >= maxLosses) throw new Error('the GPU device was lost again and again');
  }
}

export function createPipeline<I extends PipelineItem>(opts: PipelineOptions<I>) {
  const { classifier, handle } = opts;
  const gpu = ['webgpu', 'webgl'].includes(tf.getBackend());
  return new BatchQueue<I, DecodedImage, Prediction[]>({
    batchSize: opts.batchSize,
    decodeConcurrency: Math.max(2, opts.pool.size * 2),
    maxBuffered: opts.batchSize * 3,
    // On a GPU the next batch is submitted while the previous one is read back.
    inferConcurrency: gpu ? 2 : 1,
    decode: async (item) => {
      let blob: Blob;
      try {
        blob = typeof item.blob === 'function' ? await item.blob() : item.blob;
      } catch (e) {
        return { ok: false, error: `could not be read: ${(e as Error).message}`, code: 'corrupt' };
      }
      const r = await opts.pool.decode(blob, {
        inputWidth: classifier.input.width,
        inputHeight: classifier.input.height,
        crop: opts.crop,
        thumbSide: opts.thumbSide,
      });
      return r.ok ? { ok: true, value: r } : { ok: false, error: r.message, code: r.code };
    },
    onDecoded: opts.onDecoded,
    infer: (batch) =>
      surviveDeviceLoss(async () => {
        const input = rgbBatchToInput(
          batch.map((d) => d.pixels!),
          classifier.input,
          paddedBatchSize(batch.length, opts.batchSize),
        );
        try {
          const preds = await classifyBatch(handle, classifier.spec, input, opts.k);
          return preds.slice(0, batch.length).map((row) => row.map(toPrediction));
        } finally {
          disposeQuietly(input);
        }
      }),
    onResult: opts.onResult,
    onError: opts.onError,
    onProgress: opts.onProgress,
    release: (d) => {
      d.pixels = null;
    },
  });
}
