/**
 * The Tag batch pipeline: files → decode workers (sniff, EXIF orientation, crop/resize, thumbnail)
 * → batches of model input → classifier on the engine → top-k, read back asynchronously. Used by
 * the UI (through tagActions) and, unchanged, by the eval CLI and the benchmark.
 */
import { tf } from '../engine/tf';
import type { ModelHandle } from '../engine/engine';
import { disposeQuietly, surviveDeviceLoss } from '../engine/deviceLoss';
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
