import { beforeAll, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { resolveOptions } from '../../../src/detection/common';
import { computeLetterbox } from '../../../src/detection/letterbox';
import {
  createNanoDetDetector,
  decodeNanoDet,
  dflDistance,
  nanodetHeadTensors,
  nanodetInput,
  nanodetLevels,
  NANODET_MEAN_BGR,
  NANODET_STD_BGR,
} from '../../../src/detection/nanodet';
import { boxIou } from '../../../src/eval/map';
import {
  COCO128,
  findModel,
  hasCoco128,
  hasFfmpeg,
  loadCoco128,
  loadGraphModelFromDir,
  photoTensor,
} from './support/photos';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

const BINS = 11;

describe('NanoDet geometry and DFL', () => {
  it('lays out 52x52, 26x26 and 13x13 cells for a 416 input', () => {
    expect(nanodetLevels(416)).toEqual([
      { stride: 8, gridW: 52, gridH: 52 },
      { stride: 16, gridW: 26, gridH: 26 },
      { stride: 32, gridW: 13, gridH: 13 },
    ]);
  });

  it('takes the softmax expectation over the bins', () => {
    expect(dflDistance(new Array(BINS).fill(0), 0, BINS)).toBeCloseTo(5, 12);
    const peaked = new Array(BINS + 2).fill(-50);
    peaked[2 + 3] = 50;
    expect(dflDistance(peaked, 2, BINS)).toBeCloseTo(3, 9);
    // Two equal peaks at 2 and 4 average to 3.
    const twin = new Array(BINS).fill(-1e4);
    twin[2] = twin[4] = 1;
    expect(dflDistance(twin, 0, BINS)).toBeCloseTo(3, 9);
  });
});

/** A random six-output head in the model's shapes (levels deliberately shuffled). */
function randomOutputs(size: number) {
  const levels = nanodetLevels(size);
  const cls = levels.map((l) =>
    tf.randomUniform([1, l.gridW * l.gridH, 80], 0, 1, 'float32', 1 + l.stride),
  );
  const reg = levels.map((l) =>
    tf.randomNormal([1, l.gridW * l.gridH, 4 * BINS], 0, 2, 'float32', 2 + l.stride),
  );
  return [reg[1], cls[2], cls[0], reg[0], reg[2], cls[1]];
}

describe('nanodetHeadTensors', () => {
  it('matches the pure reference: best class, its score and DFL distances per cell', async () => {
    const outputs = randomOutputs(64); // 8x8 + 4x4 + 2x2 cells
    const allowed = new Array(80).fill(false);
    for (const id of [0, 2, 16, 79]) allowed[id] = true;
    for (const mask of [null, allowed]) {
      const head = nanodetHeadTensors(outputs, mask);
      const [scores, classIds, distances] = await Promise.all([
        head.scores.data(),
        head.classIds.data(),
        head.distances.data(),
      ]);
      const cls = await tf.concat([outputs[2], outputs[5], outputs[1]], 1).data();
      const reg = await tf.concat([outputs[3], outputs[0], outputs[4]], 1).data();
      expect(scores.length).toBe(64 + 16 + 4);
      for (let cell = 0; cell < scores.length; cell++) {
        let best = -1;
        for (let c = 0; c < 80; c++) {
          if (mask && !mask[c]) continue;
          if (best < 0 || cls[cell * 80 + c] > cls[cell * 80 + best]) best = c;
        }
        expect(classIds[cell]).toBe(best);
        expect(scores[cell]).toBe(cls[cell * 80 + best]);
        for (let side = 0; side < 4; side++) {
          expect(distances[cell * 4 + side]).toBeCloseTo(
            dflDistance(reg, (cell * 4 + side) * BINS, BINS),
            4,
          );
        }
      }
      tf.dispose([head.scores, head.classIds, head.distances]);
    }
    tf.dispose(outputs);
  });
});

describe('decodeNanoDet', () => {
  const levels = nanodetLevels(416);
  const cells = 52 * 52 + 26 * 26 + 13 * 13;
  const lb = computeLetterbox(832, 416, 416); // scale 0.5, 104 px bands top and bottom
  const head = () => ({
    scores: new Float32Array(cells),
    classIds: new Int32Array(cells),
    distances: new Float32Array(cells * 4),
  });
  const opts = (over = {}) => ({
    ...resolveOptions({ minScore: 0.5, maxResults: 100, ...over }),
    nmsIou: 0.6,
  });

  it('places boxes around (col + 0.5, row + 0.5) * stride and maps them to source pixels', () => {
    const h = head();
    // Stride 8, row 20, col 3: centre (28, 164); ltrb 1, 2, 3, 4 strides.
    const a = 20 * 52 + 3;
    h.scores[a] = 0.9;
    h.classIds[a] = 16;
    h.distances.set([1, 2, 3, 4], a * 4);
    // Stride 32, row 6, col 12 (last column): centre (400, 208); clipped at the right edge.
    const b = 52 * 52 + 26 * 26 + 6 * 13 + 12;
    h.scores[b] = 0.8;
    h.classIds[b] = 0;
    h.distances.set([2, 1, 1, 1], b * 4);
    const dets = decodeNanoDet(h, levels, lb, opts());
    expect(dets).toEqual([
      {
        box: { x: 40, y: 88, width: 64, height: 96 },
        label: 'dog',
        classId: 16,
        score: Math.fround(0.9),
      },
      {
        box: { x: 672, y: 144, width: 160, height: 128 },
        label: 'person',
        classId: 0,
        score: Math.fround(0.8),
      },
    ]);
  });

  it('suppresses same-class overlaps only, filters by score and caps the count', () => {
    const h = head();
    const put = (cell: number, score: number, classId: number) => {
      h.scores[cell] = score;
      h.classIds[cell] = classId;
      h.distances.set([3, 3, 3, 3], cell * 4);
    };
    put(1000, 0.9, 2);
    put(1001, 0.85, 2); // one cell right: IoU 0.71 with the first -> suppressed
    put(1002, 0.8, 7); // another class in the same place -> kept
    put(1200, 0.6, 2);
    put(1300, 0.5, 2); // not above minScore
    expect(decodeNanoDet(h, levels, lb, opts()).map((d) => d.score)).toEqual(
      [0.9, 0.8, 0.6].map(Math.fround),
    );
    expect(decodeNanoDet(h, levels, lb, opts({ maxResults: 1 }))).toHaveLength(1);
    expect(() => decodeNanoDet({ ...h, scores: new Float32Array(10) }, levels, lb, opts())).toThrow(
      /10 cells/,
    );
  });
});

describe('nanodetInput', () => {
  it('swaps to BGR, normalises and transposes to NCHW', async () => {
    const rgb = tf.tensor4d([10, 20, 30, 200, 100, 50], [1, 1, 2, 3]);
    const x = nanodetInput(rgb);
    expect(x.shape).toEqual([1, 3, 1, 2]);
    const v = await x.data();
    const expected = [
      [30, 50],
      [20, 100],
      [10, 200],
    ].flatMap((pair, c) => pair.map((p) => (p - NANODET_MEAN_BGR[c]) / NANODET_STD_BGR[c]));
    expected.forEach((e, i) => expect(v[i]).toBeCloseTo(e, 5));
    tf.dispose([rgb, x]);
  });
});

const modelPath = findModel('OCELLUS_NANODET_DIR', 'nanodet', 'nanodet.json');

describe.skipIf(!modelPath || !hasCoco128 || !hasFfmpeg)(
  'NanoDet on a real coco128 photo (wasm)',
  () => {
    it('finds the labelled person with IoU >= 0.5 and leaks nothing', async () => {
      await tf.setBackend('wasm');
      const model = await loadGraphModelFromDir(tf, modelPath!);
      const detector = createNanoDetDetector(model);
      const im = (await loadCoco128()).find((i) => i.id === '000000000036')!;
      const frame = photoTensor(tf, join(COCO128, im.file));
      const before = tf.memory().numTensors;
      const dets = await detector.detect(frame, { minScore: 0.3 });
      expect(tf.memory().numTensors).toBe(before);
      expect(frame.isDisposed).toBe(false);
      const person = im.boxes.find((b) => b.classId === 0)!;
      expect(
        dets.some((d) => d.label === 'person' && boxIou(d.box, person.box) >= 0.5),
        JSON.stringify(dets),
      ).toBe(true);
      frame.dispose();
      detector.dispose();
    });
  },
);
