import { describe, expect, it } from 'vitest';
import { LabelSmoother, ema } from '../../../src/pipeline/smoothing';

describe('label smoothing (EMA)', () => {
  it('ema weighs the past by the strength', () => {
    expect(ema(1, 0, 0.6)).toBeCloseTo(0.6);
    expect(ema(0, 1, 0)).toBe(1);
  });

  it('strength 0 is no smoothing: the latest result wins', () => {
    const s = new LabelSmoother(0);
    s.update([{ label: 'cat', probability: 0.9 }]);
    const out = s.update([{ label: 'dog', probability: 0.7 }]);
    expect(out[0]).toEqual({ label: 'dog', probability: 0.7 });
    expect(out.find((l) => l.label === 'cat')).toBeUndefined();
  });

  it('a label winning one frame in three does not take over a steady label', () => {
    const s = new LabelSmoother(0.7);
    let top = '';
    const tops: string[] = [];
    for (let i = 0; i < 30; i++) {
      const flicker = i % 3 === 2;
      const out = s.update([
        { label: 'cat', probability: flicker ? 0.3 : 0.6 },
        { label: 'dog', probability: flicker ? 0.5 : 0.2 },
      ]);
      top = out[0].label;
      if (i > 5) tops.push(top);
    }
    expect(new Set(tops)).toEqual(new Set(['cat']));
  });

  it('converges to a constant input and forgets absent labels', () => {
    const s = new LabelSmoother(0.5);
    for (let i = 0; i < 40; i++) s.update([{ label: 'zebra', probability: 0.8 }]);
    expect(s.top(1)[0].probability).toBeCloseTo(0.8, 5);
    for (let i = 0; i < 40; i++) s.update([{ label: 'horse', probability: 0.9 }]);
    expect(s.top(5).map((l) => l.label)).toEqual(['horse']);
  });

  it('returns at most k labels, best first', () => {
    const s = new LabelSmoother(0.2);
    const out = s.update(
      [
        { label: 'a', probability: 0.1 },
        { label: 'b', probability: 0.5 },
        { label: 'c', probability: 0.3 },
      ],
      2,
    );
    expect(out.map((l) => l.label)).toEqual(['b', 'c']);
  });
});
