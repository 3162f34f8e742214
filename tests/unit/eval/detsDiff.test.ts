import { describe, expect, it } from 'vitest';
import { compareDetections, type DetRecord } from '../../../src/eval/detsDiff';

const det = (image: string, cls: number, score: number, x: number, w = 10): DetRecord => ({
  image,
  class: cls,
  score,
  x,
  y: 5,
  w,
  h: 10,
});

describe('compareDetections', () => {
  it('counts partners per tolerance by the largest coordinate difference, same image and class only', () => {
    const a = [
      det('1', 0, 0.9, 10), // identical partner
      det('1', 0, 0.8, 50), // partner 0.4 px away (width)
      det('1', 3, 0.7, 90), // partner 8 px away
      det('2', 0, 0.6, 10), // the only nearby box is another class: no partner
      det('1', 0, 0.2, 10), // below the score: ignored
    ];
    const b = [
      det('1', 0, 0.9, 10),
      det('1', 0, 0.25, 50, 10.4), // below the score itself, still a partner
      det('1', 3, 0.7, 98),
      det('2', 1, 0.6, 10),
    ];
    const r = compareDetections(a, b, { minScore: 0.3, tolerances: [0.05, 0.5, 10], worst: 2 });
    expect(r.countA).toBe(4);
    expect(r.countB).toBe(3);
    expect(r.within).toEqual([
      { px: 0.05, count: 1 },
      { px: 0.5, count: 2 },
      { px: 10, count: 3 },
    ]);
    expect(r.worst.map((d) => [d.image, d.class, d.px])).toEqual([
      ['2', 0, Infinity],
      ['1', 3, 8],
    ]);
  });
});
