import { describe, expect, it } from 'vitest';
import { RateMeter, RollingSamples, percentile } from '../../../src/pipeline/stats';

describe('latency statistics', () => {
  it('percentile interpolates linearly and handles edge cases', () => {
    const xs = [10, 20, 30, 40, 50];
    expect(percentile(xs, 0.5)).toBe(30);
    expect(percentile(xs, 0)).toBe(10);
    expect(percentile(xs, 1)).toBe(50);
    expect(percentile(xs, 0.95)).toBeCloseTo(48);
    expect(percentile([7], 0.95)).toBe(7);
    expect(percentile([], 0.5)).toBeNaN();
    expect(percentile([3, 1, 2], 0.5)).toBe(2); // unsorted input
  });

  it('keeps only the last N samples, oldest first', () => {
    const r = new RollingSamples(3);
    [1, 2, 3, 4, 5].forEach((v) => r.push(v));
    expect(r.values()).toEqual([3, 4, 5]);
    expect(r.p(0.5)).toBe(4);
    r.push(Number.NaN);
    expect(r.size).toBe(3);
  });

  it('measures a steady rate, including slow streams, and decays when a stream stops', () => {
    const m = new RateMeter(2000);
    for (let t = 0; t <= 3000; t += 100) m.tick(t);
    expect(m.rate(3000)).toBeCloseTo(10, 0);
    const slow = new RateMeter(2000);
    [0, 2500, 5000].forEach((t) => slow.tick(t));
    expect(slow.rate(5000)).toBeCloseTo(0.4, 2);
    expect(slow.rate(20_000)).toBeLessThan(0.1);
    expect(slow.rate(60_000)).toBe(0);
    // A software-GPU detector: one result every 40 s still reads as a (small) nonzero rate.
    const crawl = new RateMeter(2000);
    [0, 40_000, 80_000].forEach((t) => crawl.tick(t));
    expect(crawl.rate(80_000)).toBeCloseTo(0.025, 3);
    expect(crawl.rate(100_000)).toBeGreaterThan(0);
    expect(crawl.rate(400_000)).toBe(0);
    // The HUD polls every 500 ms between results 45 s apart: the rate must still appear.
    const polled = new RateMeter(2000);
    let t = 0;
    for (let k = 0; k < 3; k++, t += 45_000) {
      polled.tick(t);
      for (let u = t; u < t + 45_000; u += 500) polled.rate(u);
    }
    expect(polled.rate(t - 45_000 + 100)).toBeGreaterThan(0.02);
  });
});
