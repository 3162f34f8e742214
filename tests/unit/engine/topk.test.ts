/**
 * The chunked top-k behind graph models' TopKV2 (src/engine/topk.ts) gives exactly what tf.topk
 * gives, values and indices, ties included; and the real CenterNet graph, whose top-100 over
 * 1.3M heatmap values is why it exists, returns the same detections with it as without it.
 */
import { describe, expect, it } from 'vitest';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { chunkedTopK, registerChunkedTopK, chunkedTopKPays } from '../../../src/engine/topk';
import { CENTERNET_OUTPUT } from '../../../src/detection/centernet';
import { computeLetterbox, letterboxImage } from '../../../src/detection/letterbox';
import {
  COCO128,
  findModel,
  hasCoco128,
  hasFfmpeg,
  loadGraphModelFromDir,
  photoTensor,
  readModelArtifacts,
} from '../detection/support/photos';

/** A CenterNet-like heatmap: random scores, zero wherever a 3x3 neighbour is higher. */
function peaks(seed: number, size: number, classes: number): tf.Tensor2D {
  return tf.tidy(() => {
    const heat = tf.randomUniform([1, size, size, classes], 0, 1, 'float32', seed) as tf.Tensor4D;
    const keep = tf.cast(tf.equal(tf.maxPool(heat, 3, 1, 'same'), heat), 'float32');
    return tf.mul(heat, keep).reshape([1, -1]);
  });
}

/**
 * The same values as tf.topk, in the same order, and indices that point at them, each once.
 * Which of several values tied at the k-th place are kept is free (tf.topk's CPU kernel does
 * not fix it either), so indices are compared with tf.topk's only by the callers that know
 * there is no such tie.
 */
async function same(x: tf.Tensor, k: number): Promise<void> {
  const ref = tf.topk(x, k);
  const ours = chunkedTopK(x, k);
  expect(ours.values.shape).toEqual(ref.values.shape);
  const values = await ours.values.data();
  expect(Array.from(values)).toEqual(Array.from(await ref.values.data()));
  const data = await x.data();
  const got = await ours.indices.data();
  const n = x.shape[x.shape.length - 1]!;
  for (let r = 0; r < x.size / n; r++) {
    const row = Array.from(got.subarray(r * k, (r + 1) * k));
    expect(new Set(row).size).toBe(k);
    row.forEach((i, j) => expect(data[r * n + i]).toBe(values[r * k + j]));
  }
  tf.dispose([ref.values, ref.indices, ours.values, ours.indices]);
}

describe('chunked top-k', () => {
  it('matches tf.topk on heatmap peaks, in batches, and on rows that are not whole chunks', async () => {
    await tf.setBackend('cpu');
    expect(tf.getBackend()).toBe('cpu');
    const before = tf.memory().numTensors;
    const heat = peaks(1, 64, 80); // 327,680 values, most of them exact zeros
    expect(chunkedTopKPays(heat.shape[1], 100, 'float32')).toBe(true);
    await same(heat, 100);
    // No value is tied at the cut here, so tf.topk's own indices agree too.
    const ref = tf.topk(heat, 100);
    const ours = chunkedTopK(heat, 100);
    expect(Array.from(await ours.indices.data())).toEqual(Array.from(await ref.indices.data()));
    tf.dispose([ref.values, ref.indices, ours.values, ours.indices]);
    // Three rows of 5,000 (39 chunks, the last one padded), k = 9.
    const rows = tf.randomUniform([3, 5000], -5, 5, 'float32', 7);
    await same(rows, 9);
    tf.dispose([heat, rows]);
    expect(tf.memory().numTensors).toBe(before);
  });

  it('keeps tied values and -Infinity right, across chunks', async () => {
    await tf.setBackend('cpu');
    // Fewer positives than k: the rest of the top-k are zeros.
    const v = new Float32Array(50_000);
    for (const i of [30_000, 30_001, 12, 49_999, 200]) v[i] = 1;
    v[7_000] = 2;
    for (let i = 40_000; i < 40_300; i++) v[i] = -Infinity;
    const x = tf.tensor2d(v, [1, v.length]);
    await same(x, 100);
    // Everything equal.
    const flat = tf.fill([2, 4096], 0.5);
    await same(flat, 20);
    // All -Infinity but one.
    const inf = new Float32Array(8192).fill(-Infinity);
    inf[8191] = 0;
    const y = tf.tensor2d(inf, [1, 8192]);
    await same(y, 10);
    tf.dispose([x, flat, y]);
  });

  it('leaves short rows, large k and integer tensors to tf.topk', () => {
    expect(chunkedTopKPays(1000, 5, 'float32')).toBe(false);
    expect(chunkedTopKPays(100_000, 500, 'float32')).toBe(false);
    expect(chunkedTopKPays(100_000, 5, 'int32')).toBe(false);
  });
});

const modelPath = findModel('OCELLUS_CENTERNET_DIR', 'centernet-mobilenetv3', 'centernet.json');

describe.skipIf(!modelPath || !hasCoco128 || !hasFfmpeg)(
  'CenterNet with the chunked TopKV2',
  () => {
    it('returns the same [1,100,6] detections as with the built-in op, on two coco128 photos', async () => {
      await tf.setBackend('wasm');
      expect(tf.getBackend()).toBe('wasm');
      const nodes = (readModelArtifacts(modelPath!).modelTopology as { node: { op: string }[] })
        .node;
      expect(nodes.filter((n) => n.op === 'TopKV2')).toHaveLength(1);
      // Ops are bound when a graph is parsed: this copy keeps tfjs's own TopKV2.
      const builtIn = await loadGraphModelFromDir(tf, modelPath!);
      registerChunkedTopK();
      const chunked = await loadGraphModelFromDir(tf, modelPath!);
      // Which executor each copy bound (tfjs internals: the parsed graph's TopKV2 node).
      const topKNode = (m: tf.GraphModel) =>
        Object.values(
          (
            m as unknown as {
              executor: { graph: { nodes: Record<string, { op: string; category: string }> } };
            }
          ).executor.graph.nodes,
        ).find((n) => n.op === 'TopKV2')?.category;
      expect(topKNode(builtIn)).toBe('evaluation');
      expect(topKNode(chunked)).toBe('custom');
      for (const id of ['000000000036', '000000000077']) {
        const frame = photoTensor(tf, join(COCO128, 'images/train2017', `${id}.jpg`));
        const input = letterboxImage(
          frame,
          computeLetterbox(frame.shape[1], frame.shape[0], 512),
          0,
        );
        const a = builtIn.execute(input, CENTERNET_OUTPUT) as tf.Tensor;
        const b = chunked.execute(input, CENTERNET_OUTPUT) as tf.Tensor;
        const rows = Array.from(await a.data());
        expect(rows[4], `${id}: a confident first detection`).toBeGreaterThan(0.5);
        expect(Array.from(await b.data())).toEqual(rows);
        tf.dispose([frame, input, a, b]);
      }
      builtIn.dispose();
      chunked.dispose();
    });
  },
);
