/**
 * Pure-JS greedy non-maximum suppression with the same semantics as TF.js'
 * `tf.image.nonMaxSuppression` (a box is dropped when its IoU with a kept box is >= the
 * threshold; equal scores keep the lower index first), plus an optional class-aware mode.
 * Used where the candidates are already on the CPU, so no tensor round trip is needed.
 */

export interface NmsOptions {
  iouThreshold: number;
  maxOutput: number;
  /** Candidates must score strictly above this. */
  scoreThreshold?: number;
  /** When given, boxes only suppress boxes of the same class. */
  classIds?: ArrayLike<number>;
}

/** IoU of boxes i and j of a flat [x1, y1, x2, y2]* array; degenerate boxes give 0. */
export function iouXYXY(boxes: ArrayLike<number>, i: number, j: number): number {
  const ax1 = Math.min(boxes[4 * i], boxes[4 * i + 2]);
  const ay1 = Math.min(boxes[4 * i + 1], boxes[4 * i + 3]);
  const ax2 = Math.max(boxes[4 * i], boxes[4 * i + 2]);
  const ay2 = Math.max(boxes[4 * i + 1], boxes[4 * i + 3]);
  const bx1 = Math.min(boxes[4 * j], boxes[4 * j + 2]);
  const by1 = Math.min(boxes[4 * j + 1], boxes[4 * j + 3]);
  const bx2 = Math.max(boxes[4 * j], boxes[4 * j + 2]);
  const by2 = Math.max(boxes[4 * j + 1], boxes[4 * j + 3]);
  const areaA = (ax2 - ax1) * (ay2 - ay1);
  const areaB = (bx2 - bx1) * (by2 - by1);
  if (areaA <= 0 || areaB <= 0) return 0;
  const inter =
    Math.max(Math.min(ax2, bx2) - Math.max(ax1, bx1), 0) *
    Math.max(Math.min(ay2, by2) - Math.max(ay1, by1), 0);
  return inter / (areaA + areaB - inter);
}

/** Indices of the kept boxes, by descending score. `boxes` is flat [x1, y1, x2, y2]*. */
export function nonMaxSuppression(
  boxes: ArrayLike<number>,
  scores: ArrayLike<number>,
  opts: NmsOptions,
): number[] {
  const threshold = opts.scoreThreshold ?? Number.NEGATIVE_INFINITY;
  const order: number[] = [];
  for (let i = 0; i < scores.length; i++) if (scores[i] > threshold) order.push(i);
  order.sort((a, b) => scores[b] - scores[a] || a - b);
  const kept: number[] = [];
  const classIds = opts.classIds;
  for (const i of order) {
    if (kept.length >= opts.maxOutput) break;
    let suppressed = false;
    for (const k of kept) {
      if (classIds && classIds[k] !== classIds[i]) continue;
      if (iouXYXY(boxes, i, k) >= opts.iouThreshold) {
        suppressed = true;
        break;
      }
    }
    if (!suppressed) kept.push(i);
  }
  return kept;
}
