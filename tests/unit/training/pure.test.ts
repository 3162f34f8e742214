import { describe, expect, it } from 'vitest';
import { strToU8, zipSync } from 'fflate';
import {
  EarlyStopping,
  classWeights,
  dataWarnings,
  rng,
  stratifiedSplit,
} from '../../../src/training/split';
import { confusionMatrix, evaluate, perClassMetrics } from '../../../src/training/metrics';
import { knnVote } from '../../../src/training/knn';
import { viewParams } from '../../../src/training/augment';
import {
  PROJECT_FORMAT,
  ProjectZipError,
  buildProjectZip,
  isSafePath,
  parseProjectZip,
  type ProjectJson,
} from '../../../src/training/zipFormat';
import { DEFAULT_SETTINGS } from '../../../src/training/types';

describe('stratified split', () => {
  const labels = [...Array(10).fill(0), ...Array(5).fill(1), ...Array(2).fill(2)] as number[];
  it('keeps the class proportions and never empties a class', () => {
    const { train, val } = stratifiedSplit(labels, 0.2, 1);
    expect(train.length + val.length).toBe(labels.length);
    expect(new Set([...train, ...val]).size).toBe(labels.length);
    const count = (idx: number[], y: number) => idx.filter((i) => labels[i] === y).length;
    expect(count(val, 0)).toBe(2);
    expect(count(val, 1)).toBe(1);
    expect(count(val, 2)).toBe(1);
    for (const y of [0, 1, 2]) expect(count(train, y)).toBeGreaterThan(0);
  });
  it('is deterministic per seed and differs across seeds', () => {
    expect(stratifiedSplit(labels, 0.3, 5)).toEqual(stratifiedSplit(labels, 0.3, 5));
    expect(stratifiedSplit(labels, 0.3, 5).val).not.toEqual(stratifiedSplit(labels, 0.3, 6).val);
  });
  it('puts everything in train with no validation fraction', () => {
    expect(stratifiedSplit(labels, 0, 1).val).toEqual([]);
  });
});

describe('class weights', () => {
  it('balances classes: n / (K * n_k)', () => {
    const w = classWeights([0, 0, 0, 1], 2);
    expect(w[0]).toBeCloseTo(4 / 6);
    expect(w[1]).toBeCloseTo(2);
    // Each class contributes the same total weight.
    expect(w[0] * 3).toBeCloseTo(w[1] * 1);
  });
  it('gives an empty class zero weight', () => {
    expect(classWeights([0, 0], 3)[2]).toBe(0);
  });
});

describe('early stopping', () => {
  it('tracks the best epoch and stops after `patience` epochs without improvement', () => {
    const es = new EarlyStopping(2);
    expect(es.update(1.0, 0)).toEqual({ improved: true, stop: false });
    expect(es.update(0.8, 1)).toEqual({ improved: true, stop: false });
    expect(es.update(0.85, 2)).toEqual({ improved: false, stop: false });
    expect(es.update(0.8, 3)).toEqual({ improved: false, stop: true });
    expect(es.state.bestEpoch).toBe(1);
    expect(es.state.best).toBe(0.8);
  });
  it('treats NaN as no improvement', () => {
    const es = new EarlyStopping(1);
    es.update(1, 0);
    expect(es.update(NaN, 1).stop).toBe(true);
  });
});

describe('metrics', () => {
  it('builds the confusion matrix and per-class precision/recall', () => {
    const truth = [0, 0, 0, 1, 1, 2];
    const pred = [0, 0, 1, 1, 2, 2];
    const m = confusionMatrix(truth, pred, 3);
    expect(m).toEqual([
      [2, 1, 0],
      [0, 1, 1],
      [0, 0, 1],
    ]);
    const pc = perClassMetrics(m);
    expect(pc[0]).toEqual({ precision: 1, recall: 2 / 3, support: 3 });
    expect(pc[1].precision).toBeCloseTo(0.5);
    expect(pc[2].recall).toBe(1);
  });
  it('evaluates probabilities and lists the misclassified samples', () => {
    const probs = [0.9, 0.1, 0.3, 0.7, 0.6, 0.4];
    const r = evaluate(probs, [0, 1, 1], ['a', 'b', 'c'], ['x', 'y']);
    expect(r.accuracy).toBeCloseTo(2 / 3);
    expect(r.misclassified).toEqual([
      { sampleId: 'c', trueIndex: 1, predIndex: 0, confidence: 0.6 },
    ]);
    expect(r.confusion).toEqual([
      [1, 0],
      [1, 1],
    ]);
  });
});

describe('KNN vote', () => {
  it('weights neighbours by similarity', () => {
    const p = knnVote([0.9, 0.8, 0.1], [1, 1, 0], 2);
    expect(p[1]).toBeGreaterThan(0.9);
    expect(p[0] + p[1]).toBeCloseTo(1);
  });
  it('ignores negative similarities', () => {
    const p = knnVote([-0.5, 0.5], [0, 1], 2);
    expect(p[1]).toBeGreaterThan(0.99);
  });
});

describe('augmentation parameters', () => {
  it('view 0 is the clean centre crop; others stay inside the image', () => {
    const v = viewParams(300, 200, 8, rng(3));
    expect(v).toHaveLength(9);
    expect(v[0]).toEqual({
      box: [0, 50 / 300, 1, 250 / 300],
      flip: false,
      brightness: 0,
      contrast: 1,
    });
    for (const p of v.slice(1)) {
      const [y1, x1, y2, x2] = p.box;
      expect(y1).toBeGreaterThanOrEqual(0);
      expect(x1).toBeGreaterThanOrEqual(0);
      expect(y2).toBeLessThanOrEqual(1 + 1e-9);
      expect(x2).toBeLessThanOrEqual(1 + 1e-9);
      expect(y2).toBeGreaterThan(y1);
      expect(Math.abs(p.brightness)).toBeLessThanOrEqual(0.2 * 255);
    }
    expect(viewParams(300, 200, 8, rng(3))).toEqual(v);
  });
});

describe('data warnings', () => {
  it('warns about too few samples and imbalance', () => {
    const w = dataWarnings([
      { name: 'a', count: 30 },
      { name: 'b', count: 3 },
    ]);
    expect(w.some((x) => x.includes('“b” has 3 samples'))).toBe(true);
    expect(w.some((x) => x.includes('unbalanced'))).toBe(true);
    expect(
      dataWarnings([
        { name: 'a', count: 10 },
        { name: 'b', count: 12 },
      ]),
    ).toEqual([]);
  });
});

describe('project zip validation', () => {
  const json = (): ProjectJson => ({
    format: PROJECT_FORMAT,
    version: 1,
    project: {
      name: 'p',
      classes: [
        { id: 'c1', name: 'a', color: '#fff' },
        { id: 'c2', name: 'b', color: '#000' },
      ],
      settings: DEFAULT_SETTINGS,
      history: [],
      report: null,
      updatedAt: 0,
    },
    samples: [{ id: 's1', classId: 'c1', source: 'file', createdAt: 1, file: 'samples/s1.jpg' }],
    model: {
      info: {
        kind: 'head',
        baseId: 'b',
        labels: ['a', 'b'],
        colors: [],
        classIds: ['c1', 'c2'],
        dim: 4,
        hidden: 0,
        dropout: 0,
        trainedAt: 0,
      },
      head: [
        { name: 'k', shape: [4, 2], offset: 0 },
        { name: 'b', shape: [2], offset: 8 },
      ],
    },
  });
  const img = new Map([['samples/s1.jpg', new Uint8Array([1, 2, 3])]]);
  const dim = (id: string) => (id === 'b' ? 4 : undefined);

  it('round-trips a valid project', () => {
    const zip = buildProjectZip(
      json(),
      img,
      new Float32Array(10).map((_, i) => i),
    );
    const p = parseProjectZip(zip, dim);
    expect(p.images.get('s1')).toEqual(new Uint8Array([1, 2, 3]));
    expect(p.weights.map((w) => w.shape)).toEqual([[4, 2], [2]]);
    expect(Array.from(p.weights[1].data)).toEqual([8, 9]);
  });
  it('refuses a corrupt zip with a clear message', () => {
    const zip = buildProjectZip(json(), img, new Float32Array(10));
    expect(() => parseProjectZip(zip.slice(0, zip.length - 30), dim)).toThrow(/not a valid \.zip/);
    expect(() => parseProjectZip(strToU8('hello'), dim)).toThrow(ProjectZipError);
  });
  it('refuses path traversal and absolute paths', () => {
    for (const bad of ['../evil.txt', 'samples/../../x', '/etc/passwd', 'C:/x', 'a\\b']) {
      expect(isSafePath(bad)).toBe(false);
      const zip = zipSync({
        'project.json': strToU8(JSON.stringify(json())),
        [bad]: new Uint8Array([0]),
      });
      expect(() => parseProjectZip(zip, dim)).toThrow(/unsafe path/);
    }
    expect(isSafePath('samples/abc.jpg')).toBe(true);
  });
  it('refuses a sample path outside samples/', () => {
    const j = json();
    j.samples[0].file = 'model/weights.bin';
    const zip = buildProjectZip(j, new Map([['model/weights.bin', new Uint8Array(4)]]), null);
    expect(() => parseProjectZip(zip, dim)).toThrow(/unexpected sample path/);
  });
  it('refuses weights whose shapes do not fit', () => {
    expect(() => parseProjectZip(buildProjectZip(json(), img, new Float32Array(6)), dim)).toThrow(
      /Shape mismatch/,
    );
    const j = json();
    j.model!.head[0].shape = [8, 2];
    j.model!.head[1].offset = 16;
    expect(() => parseProjectZip(buildProjectZip(j, img, new Float32Array(18)), dim)).toThrow(
      /expects 8-d embeddings/,
    );
  });
  it('refuses a missing sample file and a non-project zip', () => {
    expect(() =>
      parseProjectZip(buildProjectZip(json(), new Map(), new Float32Array(10)), dim),
    ).toThrow(/missing/);
    expect(() => parseProjectZip(zipSync({ 'a.txt': strToU8('x') }), dim)).toThrow(
      /no project.json/,
    );
  });
});
