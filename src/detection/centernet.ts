/**
 * CenterNet (MobileNetV3 backbone) from @vladmandic/human, a TF.js graph model trained on COCO.
 *
 * Verified against the model graph and on coco128:
 * - input `tower_0/images` float32 [1, 512, 512, 3], RGB, raw 0..255 (the first op is a conv
 *   on the placeholder: no normalisation inside);
 * - output `tower_0/detections` [1, 100, 6], rows [x1, y1, x2, y2, score, class] in input
 *   pixels, class = COCO80 id, sorted by descending score. The graph decodes the heatmap itself:
 *   a 3x3 max-pool keeps per-class local peaks (CenterNet's "NMS"), then top-100 over
 *   128x128x80; box = 4*(col,row) -/+ the ltrb regression (x16). There is no IoU NMS, so
 *   overlapping boxes of one class from neighbouring peaks survive (about 3% of detections
 *   above 0.3 on coco128); a light class-aware NMS at IoU 0.7 removes them without costing mAP.
 * - On coco128 (mAP50-95 / mAP50): letterbox 0.339 / 0.533, stretch 0.326 / 0.501, BGR 0.303,
 *   inputs scaled to 0..1 ~0; pad value 0 vs 114 makes no difference.
 */
import * as tf from '@tensorflow/tfjs';
import { COCO80_NAMES } from '../eval/cocoClasses';
import { frameTensor, resolveOptions, type ResolvedOptions } from './common';
import { computeLetterbox, letterboxImage, letterboxToSource, type Letterbox } from './letterbox';
import { nonMaxSuppression } from './nms';
import type { Detection, Detector } from './types';

export const CENTERNET_OUTPUT = 'tower_0/detections';
export const CENTERNET_INPUT_SIZE = 512;
const ROW = 6;

export interface CenterNetDecodeOptions extends ResolvedOptions {
  /** Class-aware IoU NMS threshold, or null to keep the model's peaks as they are. */
  nmsIou: number | null;
}

/**
 * Decodes `nRows` detection rows (flat, 6 per row, model-input pixels) into source-pixel
 * detections: score filter (strictly above minScore), class filter, optional class-aware NMS,
 * cap at maxResults, sorted by descending score.
 */
export function decodeCenterNet(
  rows: ArrayLike<number>,
  nRows: number,
  lb: Letterbox,
  opts: CenterNetDecodeOptions,
): Detection[] {
  const keep: number[] = [];
  for (let r = 0; r < nRows; r++) {
    const score = rows[r * ROW + 4];
    const classId = Math.round(rows[r * ROW + 5]);
    if (!(score > opts.minScore) || classId < 0 || classId >= COCO80_NAMES.length) continue;
    if (opts.allowed && !opts.allowed[classId]) continue;
    keep.push(r);
  }
  const boxes = new Float32Array(keep.length * 4);
  const scores = new Float32Array(keep.length);
  const classIds = new Int32Array(keep.length);
  keep.forEach((r, i) => {
    for (let k = 0; k < 4; k++) boxes[i * 4 + k] = rows[r * ROW + k];
    scores[i] = rows[r * ROW + 4];
    classIds[i] = Math.round(rows[r * ROW + 5]);
  });
  // Without IoU NMS this still sorts by score and caps at maxResults.
  const selected = nonMaxSuppression(boxes, scores, {
    iouThreshold: opts.nmsIou ?? Number.POSITIVE_INFINITY,
    maxOutput: opts.maxResults,
    classIds,
  });
  return selected.map((i) => ({
    box: letterboxToSource(boxes[i * 4], boxes[i * 4 + 1], boxes[i * 4 + 2], boxes[i * 4 + 3], lb),
    label: COCO80_NAMES[classIds[i]],
    classId: classIds[i],
    score: scores[i],
  }));
}

export interface CenterNetConfig {
  /** Letterbox border value in 0..255 units. */
  padValue?: number;
  /** Class-aware IoU NMS threshold applied after the model's peak extraction; null disables. */
  nmsIou?: number | null;
}

export function createCenterNetDetector(
  model: tf.GraphModel,
  config: CenterNetConfig = {},
  id = 'centernet-mobilenetv3',
): Detector {
  const size = model.inputs[0]?.shape?.[1] ?? CENTERNET_INPUT_SIZE;
  const padValue = config.padValue ?? 0;
  const nmsIou = config.nmsIou === undefined ? 0.7 : config.nmsIou;
  return {
    id,
    async detect(frame, opts) {
      const resolved = resolveOptions(opts);
      const { tensor, owned } = frameTensor(frame);
      let lb: Letterbox;
      let out: tf.Tensor;
      try {
        lb = computeLetterbox(tensor.shape[1], tensor.shape[0], size);
        // The graph has no dynamic ops, so execute() (no executeAsync warning per frame).
        out = tf.tidy(
          () => model.execute(letterboxImage(tensor, lb, padValue), CENTERNET_OUTPUT) as tf.Tensor,
        );
      } finally {
        if (owned) tensor.dispose();
      }
      try {
        const rows = await out.data();
        return decodeCenterNet(rows, out.shape[1] ?? 0, lb, { ...resolved, nmsIou });
      } finally {
        out.dispose();
      }
    },
    dispose() {
      model.dispose();
    },
  };
}
