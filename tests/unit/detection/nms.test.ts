import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { iouXYXY, nonMaxSuppression } from '../../../src/detection/nms';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

/** Deterministic boxes in clusters (so they overlap), some scores tied on purpose. */
function randomCase(seed: number, n: number) {
  let s = seed;
  const rand = () => (s = (s * 1664525 + 1013904223) >>> 0) / 2 ** 32;
  const boxes = new Float32Array(n * 4);
  const scores = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    const cx = Math.floor(rand() * 4) * 0.25 + rand() * 0.05;
    const cy = rand();
    const w = 0.05 + rand() * 0.2;
    const h = 0.05 + rand() * 0.2;
    boxes.set([cy - h / 2, cx - w / 2, cy + h / 2, cx + w / 2], i * 4);
    scores[i] = i % 7 === 0 ? 0.5 : rand();
  }
  return { boxes, scores };
}

describe('nonMaxSuppression', () => {
  it('keeps the best box of each overlapping group (known answer)', () => {
    const boxes = [0, 0, 10, 10, 1, 1, 11, 11, 20, 20, 30, 30, 0, 0, 10, 10];
    expect(
      nonMaxSuppression(boxes, [0.8, 0.9, 0.7, 0.1], { iouThreshold: 0.5, maxOutput: 10 }),
    ).toEqual([1, 2]);
    expect(
      nonMaxSuppression(boxes, [0.8, 0.9, 0.7, 0.1], { iouThreshold: 0.5, maxOutput: 1 }),
    ).toEqual([1]);
    expect(
      nonMaxSuppression(boxes, [0.8, 0.9, 0.7, 0.1], {
        iouThreshold: 0.5,
        maxOutput: 10,
        scoreThreshold: 0.75,
      }),
    ).toEqual([1]);
    // Different classes never suppress each other.
    expect(
      nonMaxSuppression(boxes, [0.8, 0.9, 0.7, 0.1], {
        iouThreshold: 0.5,
        maxOutput: 10,
        classIds: [0, 1, 0, 0],
      }),
    ).toEqual([1, 0, 2]);
    expect(iouXYXY([0, 0, 10, 10, 5, 0, 15, 10], 0, 1)).toBeCloseTo(1 / 3, 12);
    expect(iouXYXY([0, 0, 0, 10, 0, 0, 0, 10], 0, 1)).toBe(0);
  });

  it('selects exactly what tf.image.nonMaxSuppression selects', async () => {
    for (let seed = 1; seed <= 6; seed++) {
      const { boxes, scores } = randomCase(seed, 300);
      for (const [iou, scoreThreshold, maxOutput] of [
        [0.5, 0.5, 20],
        [0.3, 0.1, 100],
        [0.7, 0, 300],
      ]) {
        const t = await tf.image.nonMaxSuppressionAsync(
          tf.tensor2d(boxes, [300, 4]),
          tf.tensor1d(scores),
          maxOutput,
          iou,
          scoreThreshold,
        );
        const expected = Array.from(await t.data());
        const actual = nonMaxSuppression(boxes, scores, {
          iouThreshold: iou,
          maxOutput,
          scoreThreshold,
        });
        expect(actual).toEqual(expected);
      }
    }
  });
});
