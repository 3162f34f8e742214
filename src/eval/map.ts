/**
 * COCO-style detection mAP, following pycocotools' COCOeval for bounding boxes (area "all",
 * maxDets 100): per image and class, detections are matched greedily by descending score to the
 * unmatched ground truth with the highest IoU at each threshold 0.50:0.05:0.95; crowd boxes are
 * "ignore" regions (a detection matched to one is neither a TP nor an FP, and a crowd box can
 * absorb any number of detections); AP is the mean of the 101-point interpolated precision;
 * classes without (non-crowd) ground truth are left out of the mean.
 */
import type { BoxXYWH } from '../detection/types';

export interface GroundTruthBox {
  box: BoxXYWH;
  classId: number;
  iscrowd?: boolean;
}

/** A scored detection; `Detection` from src/detection/types.ts fits as is. */
export interface ScoredBox {
  box: BoxXYWH;
  classId: number;
  score: number;
}

export interface ClassAp {
  classId: number;
  /** Non-crowd ground-truth boxes of this class. */
  numGt: number;
  /** Detections of this class that took part (after the per-image cap). */
  numDet: number;
  /** AP at each IoU threshold of IOU_THRESHOLDS. */
  ap: number[];
  ap50: number;
  ap5095: number;
}

export interface MapResult {
  /** Mean AP at IoU 0.5 over the classes that have ground truth. */
  map50: number;
  /** Mean AP over IoU 0.50:0.05:0.95 (the COCO headline number). */
  map5095: number;
  /** One entry per class that has ground truth, by class id. */
  perClass: ClassAp[];
}

export interface EvalOptions {
  /** Detections kept per image and class, best first (COCO: 100). */
  maxDetsPerImage?: number;
}

/** 0.50, 0.55, ..., 0.95, computed from integers to avoid accumulating float error. */
export const IOU_THRESHOLDS: readonly number[] = Object.freeze(
  Array.from({ length: 10 }, (_, i) => (50 + 5 * i) / 100),
);

const RECALL_POINTS = 101;

/**
 * IoU of a detection and a ground-truth box. For a crowd box COCO uses the intersection over
 * the detection's own area, so a detection lying inside a crowd region counts as matched to it.
 */
export function boxIou(det: BoxXYWH, gt: BoxXYWH, crowd = false): number {
  const iw = Math.min(det.x + det.width, gt.x + gt.width) - Math.max(det.x, gt.x);
  const ih = Math.min(det.y + det.height, gt.y + gt.height) - Math.max(det.y, gt.y);
  if (iw <= 0 || ih <= 0) return 0;
  const inter = iw * ih;
  const union = crowd
    ? det.width * det.height
    : det.width * det.height + gt.width * gt.height - inter;
  return union > 0 ? inter / union : 0;
}

/**
 * 101-point interpolated AP from cumulative recall/precision in score order: precision is made
 * monotonically non-increasing, then sampled at recall 0, 0.01, ..., 1 (0 beyond the last
 * recall reached).
 */
export function interpolatedAp(recall: readonly number[], precision: readonly number[]): number {
  const pr = precision.slice();
  for (let i = pr.length - 1; i > 0; i--) if (pr[i] > pr[i - 1]) pr[i - 1] = pr[i];
  let sum = 0;
  let idx = 0;
  for (let r = 0; r < RECALL_POINTS; r++) {
    const threshold = r / (RECALL_POINTS - 1);
    // First index whose recall reaches the threshold (numpy searchsorted, side='left').
    while (idx < recall.length && recall[idx] < threshold) idx++;
    if (idx >= recall.length) break;
    sum += pr[idx];
  }
  return sum / RECALL_POINTS;
}

interface MatchedDet {
  score: number;
  /** Per threshold: 1 = true positive, 0 = false positive, -1 = ignored (matched a crowd box). */
  outcome: Int8Array;
}

/** Matches one image's detections of one class against its ground truth (COCOeval.evaluateImg). */
function matchImageClass(gts: readonly GroundTruthBox[], dets: readonly ScoredBox[]): MatchedDet[] {
  // Non-crowd boxes first, so a detection prefers a real object over a crowd region.
  const sortedGts = [...gts.filter((g) => !g.iscrowd), ...gts.filter((g) => g.iscrowd)];
  const crowd = sortedGts.map((g) => g.iscrowd === true);
  const T = IOU_THRESHOLDS.length;
  const gtMatched = sortedGts.map(() => new Uint8Array(T));
  return dets.map((det) => {
    const ious = sortedGts.map((g, k) => boxIou(det.box, g.box, crowd[k]));
    const outcome = new Int8Array(T);
    IOU_THRESHOLDS.forEach((t, ti) => {
      let best = Math.min(t, 1 - 1e-10);
      let m = -1;
      for (let k = 0; k < sortedGts.length; k++) {
        if (gtMatched[k][ti] && !crowd[k]) continue;
        // Already matched a real object and only crowd regions remain: keep the real match.
        if (m > -1 && !crowd[m] && crowd[k]) break;
        if (ious[k] < best) continue;
        best = ious[k];
        m = k;
      }
      if (m === -1) {
        outcome[ti] = 0;
      } else {
        gtMatched[m][ti] = 1;
        outcome[ti] = crowd[m] ? -1 : 1;
      }
    });
    return { score: det.score, outcome };
  });
}

/**
 * Evaluates detections against ground truth. `gts[i]` and `dets[i]` belong to image i; an image
 * with no ground truth (an empty array) contributes only false positives.
 */
export function evaluateDetections(
  gts: readonly (readonly GroundTruthBox[])[],
  dets: readonly (readonly ScoredBox[])[],
  opts: EvalOptions = {},
): MapResult {
  if (gts.length !== dets.length) {
    throw new Error(`Ground truth for ${gts.length} images but detections for ${dets.length}`);
  }
  const maxDets = opts.maxDetsPerImage ?? 100;
  const classIds = new Set<number>();
  for (const image of gts) for (const g of image) classIds.add(g.classId);

  const perClass: ClassAp[] = [];
  for (const classId of [...classIds].sort((a, b) => a - b)) {
    let numGt = 0;
    const matched: MatchedDet[] = [];
    for (let i = 0; i < gts.length; i++) {
      const imageGts = gts[i].filter((g) => g.classId === classId);
      numGt += imageGts.filter((g) => !g.iscrowd).length;
      const imageDets = dets[i]
        .filter((d) => d.classId === classId)
        .sort((a, b) => b.score - a.score)
        .slice(0, maxDets);
      matched.push(...matchImageClass(imageGts, imageDets));
    }
    // Only crowd boxes: COCO marks the class as having no ground truth.
    if (numGt === 0) continue;
    // Stable sort keeps image order among equal scores, as COCOeval's mergesort does.
    matched.sort((a, b) => b.score - a.score);
    const ap = IOU_THRESHOLDS.map((_, ti) => {
      const recall: number[] = [];
      const precision: number[] = [];
      let tp = 0;
      let fp = 0;
      for (const m of matched) {
        if (m.outcome[ti] === 1) tp++;
        else if (m.outcome[ti] === 0) fp++;
        recall.push(tp / numGt);
        precision.push(tp / (tp + fp + Number.EPSILON));
      }
      return interpolatedAp(recall, precision);
    });
    perClass.push({
      classId,
      numGt,
      numDet: matched.length,
      ap,
      ap50: ap[0],
      ap5095: ap.reduce((s, v) => s + v, 0) / ap.length,
    });
  }
  const mean = (values: number[]) =>
    values.length === 0 ? 0 : values.reduce((s, v) => s + v, 0) / values.length;
  return {
    map50: mean(perClass.map((c) => c.ap50)),
    map5095: mean(perClass.map((c) => c.ap5095)),
    perClass,
  };
}
