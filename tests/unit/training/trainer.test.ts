/** The training loop on tfjs's CPU backend: it learns, restores the best weights, frees everything. */
import { describe, expect, it } from 'vitest';
import { tf } from '../../../src/engine/tf';
import { fit } from '../../../src/training/trainer';
import {
  buildHead,
  forward,
  serializeWeights,
  setWeights,
  trainableVariables,
  ShapeMismatchError,
} from '../../../src/training/head';
import { KnnIndex } from '../../../src/training/knn';
import { rng } from '../../../src/training/split';

function blobs(n: number, seed: number) {
  const r = rng(seed);
  const x: number[] = [];
  const y: number[] = [];
  for (let i = 0; i < n; i++) {
    const c = i % 3;
    for (let d = 0; d < 8; d++) x.push((d % 3 === c ? 2 : 0) + (r() - 0.5));
    y.push(c);
  }
  return { x: tf.tensor2d(x, [n, 8]), y };
}

describe('trainer', () => {
  it('learns separable data, stops early, restores the best weights and leaks no tensors', async () => {
    await tf.setBackend('cpu');
    const before = tf.memory().numTensors;
    const train = blobs(90, 1);
    const val = blobs(30, 2);
    const parts = buildHead(8, 3, 16, 0.2);
    const logs: number[] = [];
    const r = await fit(
      { x: train.x, y: train.y, xVal: val.x, yVal: val.y },
      {
        phase: 'head',
        numClasses: 3,
        learningRate: 0.05,
        epochs: 200,
        batchSize: 16,
        patience: 5,
        classWeights: [1, 1, 1],
        seed: 1,
        forward: (x, training) => forward(parts, x, training),
        variables: trainableVariables(parts),
        onEpoch: (l) => logs.push(l.valLoss!),
      },
    );
    expect(r.cancelled).toBe(false);
    expect(r.history.length).toBeLessThan(200);
    expect(r.history[r.history.length - 1].valAcc).toBeGreaterThan(0.9);
    // The restored weights give the best validation loss seen.
    const p = tf.tidy(() => forward(parts, val.x, false));
    const probs = await p.data();
    const ce =
      val.y.reduce((s, y, i) => s - Math.log(Math.max(1e-7, probs[i * 3 + y])), 0) / val.y.length;
    // Float32 softmax saturates near zero loss, so compare with an absolute tolerance.
    expect(Math.abs(ce - Math.min(...logs))).toBeLessThan(1e-3);
    p.dispose();
    const saved = await serializeWeights(parts.model);
    const copy = buildHead(8, 3, 16, 0.2);
    setWeights(copy.model, saved);
    expect(() => setWeights(buildHead(8, 4, 16, 0.2).model, saved)).toThrow(ShapeMismatchError);
    parts.model.dispose();
    copy.model.dispose();
    tf.dispose([train.x, val.x]);
    // Optimizer moments, snapshots and batches are all freed (the 4-class model above leaks its
    // few weights on purpose: it is never disposed in this test).
    expect(tf.memory().numTensors - before).toBeLessThanOrEqual(4);
  });

  it('stops when cancelled and keeps the current weights', async () => {
    await tf.setBackend('cpu');
    const train = blobs(60, 3);
    const parts = buildHead(8, 3, 0, 0);
    const ctrl = new AbortController();
    const r = await fit(
      { x: train.x, y: train.y },
      {
        phase: 'head',
        numClasses: 3,
        learningRate: 0.01,
        epochs: 50,
        batchSize: 8,
        patience: 50,
        classWeights: null,
        seed: 1,
        forward: (x, t) => forward(parts, x, t),
        variables: trainableVariables(parts),
        onEpoch: (l) => {
          if (l.epoch === 2) ctrl.abort();
        },
        signal: ctrl.signal,
      },
    );
    expect(r.cancelled).toBe(true);
    expect(r.history.length).toBe(2);
    parts.model.dispose();
    train.x.dispose();
  });
});

describe('KNN index', () => {
  it('predicts the class of the nearest stored embeddings', async () => {
    await tf.setBackend('cpu');
    const keys = tf.tensor2d([1, 0, 0.9, 0.1, 0, 1, 0.1, 0.9], [4, 2]);
    const idx = new KnnIndex(keys, [0, 0, 1, 1], 2, 3);
    const q = tf.tensor2d([0.95, 0.05, 0.05, 1], [2, 2]);
    const p = await idx.predict(q);
    expect(p[0]).toBeGreaterThan(0.5);
    expect(p[3]).toBeGreaterThan(0.5);
    idx.dispose();
    tf.dispose([keys, q]);
  });
});
