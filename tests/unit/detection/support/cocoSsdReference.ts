/** Shared pieces of the coco-ssd fast-path tests (CPU and WebGPU). */
import type * as tfType from '@tensorflow/tfjs';
import type { DetectedObject } from '@tensorflow-models/coco-ssd';
import type { Detection } from '../../../../src/detection/types';

/** Our detections in coco-ssd's result shape, for exact comparison. */
export function asCocoSsd(dets: Detection[]): DetectedObject[] {
  return dets.map((d) => ({
    bbox: [d.box.x, d.box.y, d.box.width, d.box.height],
    class: d.label,
    score: d.score,
  }));
}

/** (maxNumBoxes, minScore) pairs beside coco-ssd's defaults (20, 0.5): looser, stricter, all. */
export const SETTINGS: readonly (readonly [number, number])[] = [
  [100, 0.3],
  [5, 0.8],
  [1917, 0.05],
];

/** Deterministic noise images of assorted sizes (odd ones included). */
export function noiseImages(tf: typeof tfType): tfType.Tensor3D[] {
  return [
    [240, 320],
    [77, 333],
  ].map(([h, w], i) => tf.randomUniformInt([h, w, 3], 0, 256, 7 + i) as tfType.Tensor3D);
}
