import { describe, expect, it } from 'vitest';
import {
  boxIou,
  evaluateDetections,
  interpolatedAp,
  IOU_THRESHOLDS,
  type GroundTruthBox,
  type ScoredBox,
} from '../../../src/eval/map';

const gt = (
  x: number,
  y: number,
  w: number,
  h: number,
  classId = 0,
  iscrowd = false,
): GroundTruthBox => ({
  box: { x, y, width: w, height: h },
  classId,
  iscrowd,
});
const det = (
  x: number,
  y: number,
  w: number,
  h: number,
  score: number,
  classId = 0,
): ScoredBox => ({
  box: { x, y, width: w, height: h },
  classId,
  score,
});

describe('boxIou', () => {
  it('computes IoU, and intersection over the detection for crowd boxes', () => {
    expect(boxIou(det(0, 0, 10, 10, 1).box, gt(0, 0, 10, 10).box)).toBeCloseTo(1, 12);
    expect(boxIou(det(5, 0, 10, 10, 1).box, gt(0, 0, 10, 10).box)).toBeCloseTo(50 / 150, 12);
    expect(boxIou(det(20, 0, 10, 10, 1).box, gt(0, 0, 10, 10).box)).toBe(0);
    expect(boxIou(det(10, 10, 10, 10, 1).box, gt(0, 0, 100, 100).box, true)).toBeCloseTo(1, 12);
  });
});

describe('interpolatedAp', () => {
  it('samples the monotone precision envelope at 101 recall points', () => {
    expect(interpolatedAp([1], [1])).toBeCloseTo(1, 12);
    expect(interpolatedAp([], [])).toBe(0);
    // Recall only reaches 0.5: points 0..0.5 (51 of them) score 1, the rest 0.
    expect(interpolatedAp([0.5], [1])).toBeCloseTo(51 / 101, 12);
    // A later higher precision lifts the earlier points.
    expect(interpolatedAp([0, 1], [0, 0.5])).toBeCloseTo(0.5, 12);
  });
});

// Precision is tp / (tp + fp + eps) as in pycocotools, so a perfect score is 1 - 2e-16.
describe('evaluateDetections', () => {
  it('gives 1.0 for perfect detections', () => {
    const gts = [[gt(10, 10, 50, 50, 0), gt(100, 100, 30, 60, 2)], [gt(0, 0, 20, 20, 0)]];
    const dets = gts.map((image) => image.map((g, i) => ({ ...g, score: 0.9 - i * 0.1 })));
    const r = evaluateDetections(gts, dets);
    expect(r.map50).toBeCloseTo(1, 12);
    expect(r.map5095).toBeCloseTo(1, 12);
    expect(r.perClass.map((c) => [c.classId, c.numGt, c.numDet])).toEqual([
      [0, 2, 2],
      [2, 1, 1],
    ]);
  });

  it('scores a shifted box by the thresholds its IoU reaches', () => {
    const gts = [[gt(0, 0, 100, 100)]];
    // IoU 0.25: a miss at every threshold.
    expect(evaluateDetections(gts, [[det(60, 0, 100, 100, 0.9)]]).map50).toBe(0);
    // IoU 7000/13000 = 0.538: a hit at 0.5 only.
    const r = evaluateDetections(gts, [[det(30, 0, 100, 100, 0.9)]]);
    expect(r.map50).toBeCloseTo(1, 12);
    expect(r.perClass[0].ap.map((v) => Math.round(v * 1e9) / 1e9)).toEqual(
      IOU_THRESHOLDS.map((t) => (t === 0.5 ? 1 : 0)),
    );
    expect(r.map5095).toBeCloseTo(0.1, 12);
    // IoU exactly 0.6 counts at 0.6 (COCO matches iou >= threshold).
    expect(evaluateDetections(gts, [[det(25, 0, 100, 100, 0.9)]]).map5095).toBeCloseTo(0.3, 12);
  });

  it('counts a duplicate detection of a matched object as a false positive', () => {
    const gts = [[gt(0, 0, 100, 100), gt(200, 0, 100, 100)]];
    // TP (0.95), duplicate FP (0.9), TP (0.8): recall .5 .5 1, precision 1 .5 .667.
    const dets = [
      [det(0, 0, 100, 100, 0.95), det(2, 2, 100, 100, 0.9), det(200, 0, 100, 100, 0.8)],
    ];
    const r = evaluateDetections(gts, dets);
    expect(r.map50).toBeCloseTo((51 + 50 * (2 / 3)) / 101, 12);
    // Without the duplicate everything is found at full precision.
    expect(evaluateDetections(gts, [[dets[0][0], dets[0][2]]]).map50).toBeCloseTo(1, 12);
  });

  it('counts detections on an image without objects as false positives', () => {
    const gts = [[gt(0, 0, 50, 50)], []];
    const hit = det(0, 0, 50, 50, 0.5);
    // The false positive outranks the hit: precision 0 then 0.5 -> AP 0.5.
    expect(evaluateDetections(gts, [[hit], [det(0, 0, 50, 50, 0.9)]]).map50).toBeCloseTo(0.5, 12);
    // Ranked below the hit it costs nothing.
    expect(evaluateDetections(gts, [[hit], [det(0, 0, 50, 50, 0.1)]]).map50).toBeCloseTo(1, 12);
  });

  it('ignores detections matched to crowd boxes, and classes with only crowd or no ground truth', () => {
    const gts = [[gt(0, 0, 50, 50, 0), gt(100, 100, 200, 200, 0, true), gt(0, 0, 10, 10, 3, true)]];
    const inCrowd = det(150, 150, 40, 40, 0.99); // IoU with the crowd box < 0.5, but inside it
    const hit = det(0, 0, 50, 50, 0.5);
    const r = evaluateDetections(gts, [
      [inCrowd, det(120, 120, 60, 60, 0.98), hit, det(0, 0, 10, 10, 0.9, 3)],
    ]);
    expect(r.map50).toBeCloseTo(1, 12);
    expect(r.map5095).toBeCloseTo(1, 12);
    expect(r.perClass.map((c) => c.classId)).toEqual([0]);
    expect(r.perClass[0].numGt).toBeCloseTo(1, 12);
    // The same detection without the crowd region is an ordinary false positive.
    expect(evaluateDetections([[gts[0][0]]], [[inCrowd, hit]]).map50).toBeCloseTo(0.5, 12);
  });

  it('prefers a real object over a crowd region, and leaves classes without ground truth out', () => {
    const gts = [[gt(0, 0, 100, 100, 0, true), gt(10, 10, 50, 50, 0)]];
    // Inside both; it must take the real object (TP), not vanish into the crowd.
    expect(evaluateDetections(gts, [[det(10, 10, 50, 50, 0.9)]]).map50).toBeCloseTo(1, 12);
    const r = evaluateDetections(
      [[gt(0, 0, 10, 10, 1)]],
      [[det(0, 0, 10, 10, 0.9, 1), det(50, 50, 10, 10, 0.99, 7)]],
    );
    expect(r.perClass.map((c) => c.classId)).toEqual([1]);
    expect(r.map50).toBeCloseTo(1, 12);
  });

  it('keeps at most maxDetsPerImage detections per image and class', () => {
    const gts = [[gt(0, 0, 10, 10)]];
    const dets = [[det(50, 50, 10, 10, 0.9), det(0, 0, 10, 10, 0.8)]];
    expect(evaluateDetections(gts, dets, { maxDetsPerImage: 1 }).map50).toBe(0);
    expect(evaluateDetections(gts, dets, { maxDetsPerImage: 2 }).map50).toBeCloseTo(0.5, 12);
    expect(() => evaluateDetections(gts, [])).toThrow(/1 images/);
  });
});
