/**
 * A faster post-processing path for @tensorflow-models/coco-ssd graph models that returns the
 * same detections as coco-ssd's own `detect()`.
 *
 * coco-ssd 2.2.3's `infer()` reads the whole [1, 1917, 90] score tensor with dataSync() (a
 * blocking ~690 KB GPU readback), finds each box's best class in a JS loop, and runs NMS with
 * `tf.image.nonMaxSuppression(boxes, maxScores, maxNumBoxes, minScore, minScore)` - note that
 * the IoU threshold is minScore too, not a fixed 0.5. Here the per-box max/argmax run on the
 * GPU and only boxes, best scores and classes (6 numbers per box) are read back, with await
 * data(); NMS is the same TF.js implementation on the same values, so results are identical.
 *
 * Matching details:
 * - the score tensor's column j is COCO category id j + 1 (the graph already sliced off the
 *   background column); coco-ssd labels with CLASSES[j + 1].displayName. Its table has only the
 *   80 used ids: if an unused column won the argmax coco-ssd would throw, so those columns are
 *   left out here (never reached with trained weights, whose unused columns stay near 0);
 * - its argmax starts from Number.MIN_VALUE with a strict `>`, i.e. the first maximum wins on
 *   ties (computed explicitly here: tf.argMax on WebGPU does not guarantee it); a box whose
 *   scores are all 0 cannot pass NMS's `score > minScore` for any minScore >= 0, so the
 *   MIN_VALUE start never shows;
 * - boxes are [ymin, xmin, ymax, xmax] normalised; the source-pixel box is computed with the
 *   same float64 arithmetic on the same float32 values, so it matches to the last bit.
 */
import * as tf from '@tensorflow/tfjs';
import { COCO80_NAMES, COCO80_TO_CATEGORY_ID } from '../eval/cocoClasses';
import { frameTensor, resolveOptions } from './common';
import { nonMaxSuppression } from './nms';
import type { Detection, Detector } from './types';

/** Score-tensor columns (category id - 1) of the allowed COCO80 classes, in class order. */
export function cocoSsdColumns(allowed: readonly boolean[] | null): {
  columns: number[];
  classIds: number[];
} {
  const classIds = COCO80_NAMES.map((_, id) => id).filter((id) => !allowed || allowed[id]);
  return { classIds, columns: classIds.map((id) => COCO80_TO_CATEGORY_ID[id] - 1) };
}

export interface CocoSsdFastConfig {
  /**
   * Run NMS per class (a box only suppresses boxes of its own class) instead of coco-ssd's
   * class-agnostic NMS. Off by default, which keeps results identical to coco-ssd.
   */
  classAwareNms?: boolean;
}

type Runner = (input: tf.Tensor4D) => Promise<tf.Tensor[]>;

/**
 * Real coco-ssd graphs resize inside a while loop, so they need executeAsync; graphs without
 * control flow run with execute(), which avoids TF.js' per-call "use execute()" warning. The
 * choice is made once, on the first frame.
 */
function graphRunner(model: tf.GraphModel): Runner {
  let mode: 'unknown' | 'sync' | 'async' = 'unknown';
  const toArray = (out: tf.Tensor | tf.Tensor[]) => (Array.isArray(out) ? out : [out]);
  return async (input) => {
    if (mode !== 'async') {
      try {
        const out = toArray(model.execute(input) as tf.Tensor | tf.Tensor[]);
        mode = 'sync';
        return out;
      } catch (err) {
        // Thrown while compiling, before any kernel runs, so nothing leaks.
        if (mode === 'sync' || !/executeAsync/.test(String(err))) throw err;
        mode = 'async';
      }
    }
    return toArray((await model.executeAsync(input)) as tf.Tensor | tf.Tensor[]);
  };
}

export function createCocoSsdFastDetector(
  model: tf.GraphModel,
  config: CocoSsdFastConfig = {},
  id = 'coco-ssd',
): Detector {
  const run = graphRunner(model);
  return {
    id,
    async detect(frame, opts) {
      const { minScore, maxResults, allowed } = resolveOptions(opts);
      const { tensor, owned } = frameTensor(frame);
      const [height, width] = tensor.shape;
      let outputs: tf.Tensor[];
      try {
        // The graph's placeholder is int32 (what fromPixels yields); float frames are cast.
        const batched = tf.tidy(() =>
          tf.expandDims(tensor.dtype === 'int32' ? tensor : tf.cast(tensor, 'int32'), 0),
        ) as tf.Tensor4D;
        try {
          outputs = await run(batched);
        } finally {
          batched.dispose();
        }
      } finally {
        if (owned) tensor.dispose();
      }

      const { columns, classIds: columnClass } = cocoSsdColumns(allowed);
      let reduced: { maxScores: tf.Tensor1D; column: tf.Tensor1D; boxes: tf.Tensor2D };
      try {
        reduced = tf.tidy(() => {
          const scores = outputs.find((t) => t.rank === 3);
          const boxes = outputs.find((t) => t.rank === 4);
          if (!scores || !boxes) {
            throw new Error(
              `Not a coco-ssd graph: outputs ${outputs.map((t) => `[${t.shape.join(',')}]`).join(' ')}`,
            );
          }
          const [, numBoxes, numClasses] = scores.shape as number[];
          const picked = tf.gather(
            tf.reshape(scores, [numBoxes, numClasses]),
            tf.tensor1d(columns, 'int32'),
            1,
          );
          const maxScores = tf.max(picked, 1) as tf.Tensor1D;
          // First column holding the maximum, as coco-ssd's strict '>' loop picks. Not tf.argMax:
          // its parallel reduction on WebGPU may return a later column on exact ties.
          const isMax = tf.equal(picked, tf.expandDims(maxScores, 1));
          const index = tf.range(0, columns.length, 1, 'int32');
          const column = tf.min(
            tf.where(
              isMax,
              tf.broadcastTo(index, picked.shape),
              tf.scalar(columns.length, 'int32'),
            ),
            1,
          );
          return {
            maxScores,
            column: column as tf.Tensor1D,
            boxes: tf.reshape(boxes, [numBoxes, 4]) as tf.Tensor2D,
          };
        });
      } finally {
        tf.dispose(outputs);
      }

      try {
        // One round trip for everything; the NMS below re-reads boxes and scores from the
        // backend's CPU-side cache, not from the GPU.
        const [boxes, scores, column] = await Promise.all([
          reduced.boxes.data(),
          reduced.maxScores.data(),
          reduced.column.data(),
        ]);
        let selected: ArrayLike<number>;
        if (config.classAwareNms) {
          // Same greedy NMS semantics as TF.js' (unit-tested), restricted to same-class pairs.
          selected = nonMaxSuppression(boxes, scores, {
            iouThreshold: minScore,
            scoreThreshold: minScore,
            maxOutput: maxResults,
            classIds: column,
          });
        } else {
          const indices = await tf.image.nonMaxSuppressionAsync(
            reduced.boxes,
            reduced.maxScores,
            maxResults,
            minScore,
            minScore,
          );
          selected = await indices.data();
          indices.dispose();
        }
        const detections: Detection[] = [];
        for (let k = 0; k < selected.length; k++) {
          const i = selected[k];
          // coco-ssd's buildDetectedObjects arithmetic, operation for operation.
          const minY = boxes[i * 4] * height;
          const minX = boxes[i * 4 + 1] * width;
          const maxY = boxes[i * 4 + 2] * height;
          const maxX = boxes[i * 4 + 3] * width;
          const classId = columnClass[column[i]];
          detections.push({
            box: { x: minX, y: minY, width: maxX - minX, height: maxY - minY },
            label: COCO80_NAMES[classId],
            classId,
            score: scores[i],
          });
        }
        return detections;
      } finally {
        tf.dispose([reduced.maxScores, reduced.column, reduced.boxes]);
      }
    },
    dispose() {
      model.dispose();
    },
  };
}
