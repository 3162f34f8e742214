import { describe, expect, it } from 'vitest';
import { list, median, parseFlags, quantile, str } from '../../../src/cli/common';
import { compare, summarise } from '../../../src/cli/bench/types';

describe('CLI flag parsing', () => {
  it('reads values, booleans, repeated and comma lists', () => {
    const { _, flags } = parseFlags([
      'classify',
      '--model',
      'a',
      '--finetune',
      '--backend',
      'wasm,webgpu',
      '--backend',
      'cpu',
      '--json=out.json',
    ]);
    expect(_).toEqual(['classify']);
    expect(str(flags, 'model')).toBe('a');
    expect(flags.finetune).toBe(true);
    expect(list(flags, 'backend')).toEqual(['wasm', 'webgpu', 'cpu']);
    expect(str(flags, 'json')).toBe('out.json');
  });
});

describe('bench statistics', () => {
  it('computes medians and quantiles', () => {
    expect(median([5, 1, 3])).toBe(3);
    expect(median([4, 1, 3, 2])).toBe(2.5);
    expect(quantile([1, 2, 3, 4, 5], 0.95)).toBeCloseTo(4.8);
  });

  it('states ratios as how many times better ours is, for times and for throughputs', () => {
    const base = {
      workload: 'w',
      backend: 'wasm' as const,
      model: 'm',
      metric: 'latency',
      unit: 'ms',
    };
    const ours = summarise(base, [10, 12, 11]);
    expect(ours).toMatchObject({ median: 11, min: 10, max: 12, n: 3 });
    expect(compare(ours, 'ref', [22, 20, 24], false)).toMatchObject({
      reference: 'ref',
      referenceMedian: 22,
      ratio: 2,
    });
    const thr = summarise({ ...base, metric: 'throughput', unit: 'img/s' }, [30]);
    expect(compare(thr, 'ref', [10], true).ratio).toBe(3);
  });
});
