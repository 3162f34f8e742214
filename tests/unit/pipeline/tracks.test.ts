import { describe, expect, it } from 'vitest';
import { BoxTracker, iou, lerpBox, matchBoxes } from '../../../src/pipeline/tracks';
import { containTransform, toCanvasRect } from '../../../src/detection/draw';

const box = (x: number, y: number, w = 100, h = 100) => ({ x, y, width: w, height: h });
const det = (x: number, y: number, classId = 0, label = 'person') => ({
  box: box(x, y),
  classId,
  label,
  score: 0.9,
});

describe('box matching and interpolation', () => {
  it('iou of identical, disjoint and half-overlapping boxes', () => {
    expect(iou(box(0, 0), box(0, 0))).toBe(1);
    expect(iou(box(0, 0), box(200, 0))).toBe(0);
    expect(iou(box(0, 0), box(50, 0))).toBeCloseTo(1 / 3);
  });

  it('matches greedily by IoU within a class, each box once', () => {
    const prev = [det(0, 0), det(300, 0), det(0, 0, 2, 'car')];
    const next = [det(310, 0), det(10, 0), det(5, 0, 3, 'bus')];
    expect(matchBoxes(prev, next).sort()).toEqual([
      [0, 1],
      [1, 0],
    ]);
  });

  it('lerpBox clamps t to [0, 1]', () => {
    expect(lerpBox(box(0, 0), box(100, 0), 0.5).x).toBe(50);
    expect(lerpBox(box(0, 0), box(100, 0), 2).x).toBe(100);
  });

  it('a matched box glides to its new place instead of jumping, and keeps its id', () => {
    const t = new BoxTracker({ maxGlideMs: 200, fadeInMs: 0 });
    t.update([det(0, 0)], 0);
    const id = t.at(0)[0].trackId;
    t.update([det(40, 0)], 1000, 200);
    expect(t.at(1000)[0].box.x).toBe(0);
    expect(t.at(1100)[0].box.x).toBeCloseTo(20);
    expect(t.at(1300)[0].box.x).toBe(40);
    expect(t.at(1300)[0].trackId).toBe(id);
  });

  it('the glide never outlasts the interval between results', () => {
    const t = new BoxTracker({ maxGlideMs: 500, fadeInMs: 0 });
    t.update([det(0, 0)], 0);
    t.update([det(40, 0)], 100, 50);
    expect(t.at(150)[0].box.x).toBe(40);
  });

  it('new boxes fade in, vanished boxes fade out and are dropped', () => {
    const t = new BoxTracker({ fadeInMs: 100, fadeOutMs: 300 });
    t.update([det(0, 0)], 0);
    expect(t.at(50)[0].opacity).toBeCloseTo(0.5);
    t.update([], 1000);
    expect(t.at(1150)[0].opacity).toBeCloseTo(0.5);
    expect(t.current()).toEqual([]);
    expect(t.at(1400)).toEqual([]);
  });

  it('a box of another class is a new track, not a glide', () => {
    const t = new BoxTracker({ fadeInMs: 0 });
    t.update([det(0, 0)], 0);
    t.update([det(0, 0, 2, 'car')], 100);
    const drawn = t.at(100);
    expect(drawn).toHaveLength(2);
    expect(new Set(drawn.map((d) => d.trackId)).size).toBe(2);
  });
});

describe('overlay geometry', () => {
  it('maps video pixels into a letterboxed element, mirrored when asked', () => {
    const fit = containTransform(640, 480, 800, 480);
    expect(fit).toEqual({ scale: 1, offsetX: 80, offsetY: 0 });
    expect(toCanvasRect(box(0, 0), fit, 800).x).toBe(80);
    expect(toCanvasRect(box(0, 0), { ...fit, mirror: true }, 800).x).toBe(800 - 80 - 100);
  });
});
