/**
 * The fast path's GPU reductions (gather, max, argMax) and readback on the real WebGPU backend
 * (Dawn on SwiftShader in Node) against coco-ssd's own detect() on the same raw outputs. The
 * graph is stubbed with fixed output tensors (running even the fixture graph on SwiftShader
 * takes seconds per frame), with scores that include exact ties between classes to pin down
 * argMax's first-maximum rule. coco-ssd reads with dataSync(), which WebGPU cannot do in Node
 * for GPU-resident tensors, so its copy of the outputs is CPU-backed; after that it is all
 * coco-ssd's code.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type * as tfType from '@tensorflow/tfjs';
import { ObjectDetection } from '@tensorflow-models/coco-ssd';
import { createCocoSsdFastDetector } from '../../../src/detection/cocoSsdFast';
import { COCO80_TO_CATEGORY_ID } from '../../../src/eval/cocoClasses';
import { gpuTf, onBackend } from '../webgpuNode';
import { asCocoSsd, SETTINGS } from './support/cocoSsdReference';

let tf: typeof tfType;

beforeAll(async () => {
  tf = await gpuTf();
});

/** Raw coco-ssd outputs: clustered boxes and sparse scores with tied maxima on 1 box in 5. */
function rawOutputs(seed: number): { scores: Float32Array; boxes: Float32Array } {
  let s = seed;
  const rand = () => (s = (s * 1664525 + 1013904223) >>> 0) / 2 ** 32;
  const used = COCO80_TO_CATEGORY_ID.map((id) => id - 1);
  const scores = new Float32Array(1917 * 90);
  const boxes = new Float32Array(1917 * 4);
  for (let i = 0; i < 1917; i++) {
    for (const c of used) scores[i * 90 + c] = rand() ** 6;
    if (i % 5 === 0) {
      const a = used[Math.floor(rand() * 80)];
      const b = used[Math.floor(rand() * 80)];
      scores[i * 90 + a] = scores[i * 90 + b] = 0.5 + rand() / 2;
    }
    const cy = Math.floor(rand() * 5) / 5 + rand() * 0.05;
    const cx = Math.floor(rand() * 5) / 5 + rand() * 0.05;
    const h = 0.05 + rand() * 0.3;
    const w = 0.05 + rand() * 0.3;
    boxes.set([cy - h / 2, cx - w / 2, cy + h / 2, cx + w / 2], i * 4);
  }
  return { scores, boxes };
}

describe('createCocoSsdFastDetector on WebGPU', () => {
  afterAll(() => tf.setBackend('cpu'));

  it('matches coco-ssd detect() on the same raw outputs, ties included, without leaking', async () => {
    await onBackend(tf, 'webgpu', async () => {
      const frame = tf.zeros([300, 400, 3], 'int32') as tfType.Tensor3D;
      for (const seed of [1]) {
        const { scores, boxes } = rawOutputs(seed);
        const stub = {
          // GPU-resident outputs, as a real graph leaves them.
          execute: () =>
            tf.tidy(() => [
              tf.add(tf.tensor(scores, [1, 1917, 90]), 0),
              tf.add(tf.tensor(boxes, [1, 1917, 1, 4]), 0),
            ]),
          dispose() {},
        } as unknown as tfType.GraphModel;
        const cpuBacked = {
          executeAsync: async () => [
            tf.tensor(scores, [1, 1917, 90]),
            tf.tensor(boxes, [1, 1917, 1, 4]),
          ],
          dispose() {},
        };
        const reference = new ObjectDetection('lite_mobilenet_v2');
        (reference as unknown as { model: typeof cpuBacked }).model = cpuBacked;
        const fast = createCocoSsdFastDetector(stub);
        await fast.detect(frame);
        const before = tf.memory().numTensors;
        for (const [maxNumBoxes, minScore] of SETTINGS) {
          const expected = await reference.detect(frame, maxNumBoxes, minScore);
          const actual = await fast.detect(frame, { maxResults: maxNumBoxes, minScore });
          expect(asCocoSsd(actual), `seed ${seed} ${maxNumBoxes} ${minScore}`).toEqual(expected);
        }
        expect(tf.memory().numTensors).toBe(before);
      }
      frame.dispose();
    });
  }, 300_000);
});
