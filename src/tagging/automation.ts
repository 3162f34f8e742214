/**
 * The Tag part of `window.ocellus`: the batch pipeline on any list of images (used by the eval
 * CLI and the benchmark, so they measure exactly what the workspace runs), session hooks for the
 * e2e test, and the reference `@tensorflow-models/mobilenet` for the side-by-side benchmark.
 */
import { useApp } from '../store';
import { tf } from '../engine/tf';
import { DecodePool } from '../sources/decodePool';
import { createPipeline, defaultBatchSize, type PipelineItem } from './pipeline';
import { prepareClassifier } from './classifiers';
import { exportCsvText, exportJsonText, flushSession, setImageBoxes } from './actions';
import { setSimulatedQuotaFull } from './session';
import type { ImageBox, Prediction } from './types';

export type TagBatchResult = { ok: true; preds: Prediction[] } | { ok: false; error: string };

export interface TagBatchOptions {
  k?: number;
  crop?: 'center' | 'none';
  batchSize?: number;
  /** Make thumbnails too (as the workspace does); default false. */
  thumbs?: boolean;
}

export interface TagAutomation {
  /** Classifies images (URLs or Blobs) through the Tag pipeline; results in input order. */
  batch: (
    modelId: string,
    images: (string | Blob)[],
    opts?: TagBatchOptions,
  ) => Promise<{
    results: TagBatchResult[];
    ms: number;
    batchSize: number;
    numTensorsAfter: number;
  }>;
  /** Writes pending session changes to IndexedDB now. */
  flush: () => Promise<void>;
  exportJson: () => string;
  exportCsv: () => string;
  setImageBoxes: (id: string, boxes: ImageBox[]) => void;
  /** Fault injection: makes every later IndexedDB write fail as a full disk would. */
  simulateQuotaFull: (on: boolean) => void;
  /** The reference implementation for the benchmark, loaded on demand (not in the app bundle). */
  importMobilenet: () => Promise<typeof import('@tensorflow-models/mobilenet')>;
}

let pool: DecodePool | null = null;

export function tagAutomation(): TagAutomation {
  return {
    batch: async (modelId, images, opts = {}) => {
      const { info, handle } = await prepareClassifier(modelId);
      pool ??= new DecodePool();
      const batchSize = opts.batchSize ?? defaultBatchSize();
      const results: TagBatchResult[] = new Array(images.length);
      const t0 = performance.now();
      const queue = createPipeline<PipelineItem>({
        classifier: info,
        handle,
        pool,
        k: opts.k ?? 5,
        crop: opts.crop ?? 'center',
        batchSize,
        thumbSide: opts.thumbs ? 192 : 0,
        onResult: (item, preds) => (results[Number(item.key)] = { ok: true, preds }),
        onError: (item, error) => (results[Number(item.key)] = { ok: false, error }),
      });
      await queue.add(
        images.map((src, i) => ({
          key: String(i),
          blob:
            typeof src === 'string'
              ? async () => {
                  const res = await fetch(src);
                  if (!res.ok) throw new Error(`HTTP ${res.status}`);
                  return res.blob();
                }
              : src,
        })),
      );
      return {
        results,
        ms: performance.now() - t0,
        batchSize,
        numTensorsAfter: tf.memory().numTensors,
      };
    },
    flush: flushSession,
    exportJson: exportJsonText,
    exportCsv: exportCsvText,
    setImageBoxes,
    simulateQuotaFull: (on) => {
      setSimulatedQuotaFull(on);
      if (!on) useApp.getState().tagSetStorage({ state: 'ok' });
    },
    importMobilenet: () => import('@tensorflow-models/mobilenet'),
  };
}
