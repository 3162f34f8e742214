import { beforeAll, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import {
  CENTERNET_OUTPUT,
  createCenterNetDetector,
  decodeCenterNet,
} from '../../../src/detection/centernet';
import { resolveOptions } from '../../../src/detection/common';
import { computeLetterbox } from '../../../src/detection/letterbox';
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

const lb = computeLetterbox(640, 480, 512); // scale 0.8, 64 px bands top and bottom
const opts = (over: Parameters<typeof resolveOptions>[0] = {}, nmsIou: number | null = 0.7) => ({
  ...resolveOptions({ minScore: 0.5, maxResults: 100, ...over }),
  nmsIou,
});
// Rows [x1, y1, x2, y2, score, class] in 512x512 input pixels.
const rows = new Float32Array(
  [
    [80, 144, 240, 304, 0.9, 0], // person
    [82, 146, 242, 306, 0.8, 0], // same person again (IoU ~0.98)
    [82, 146, 242, 306, 0.7, 16], // a dog in the same place: other class, kept
    [400, 64, 512, 448, 0.6, 2], // car touching the right edge
    [0, 0, 10, 10, 0.5, 5], // exactly minScore: dropped (strictly greater is kept)
    [0, 0, 0, 0, 0, 0], // padding rows of the top-100
  ].flat(),
);

describe('decodeCenterNet', () => {
  it('filters by score, maps boxes back to source pixels and suppresses same-class duplicates', () => {
    const dets = decodeCenterNet(rows, 6, lb, opts());
    expect(dets.map((d) => [d.label, d.classId, d.score])).toEqual([
      ['person', 0, Math.fround(0.9)],
      ['dog', 16, Math.fround(0.7)],
      ['car', 2, Math.fround(0.6)],
    ]);
    expect(dets[0].box).toEqual({ x: 100, y: 100, width: 200, height: 200 });
    expect(dets[2].box).toEqual({ x: 500, y: 0, width: 140, height: 480 });
  });

  it('keeps duplicates without NMS, and honours maxResults and class filters', () => {
    expect(decodeCenterNet(rows, 6, lb, opts({}, null))).toHaveLength(4);
    expect(decodeCenterNet(rows, 6, lb, opts({ maxResults: 2 }, null)).map((d) => d.score)).toEqual(
      [Math.fround(0.9), Math.fround(0.8)],
    );
    expect(
      decodeCenterNet(rows, 6, lb, opts({ classes: { include: ['dog', 'car'] } })).map(
        (d) => d.label,
      ),
    ).toEqual(['dog', 'car']);
    expect(
      decodeCenterNet(rows, 6, lb, opts({ classes: { exclude: ['person'] } })).map((d) => d.label),
    ).toEqual(['dog', 'car']);
    expect(() => decodeCenterNet(rows, 6, lb, opts({ classes: { include: ['persn'] } }))).toThrow(
      /persn/,
    );
    expect(decodeCenterNet(rows, 0, lb, opts())).toEqual([]);
  });
});

describe('createCenterNetDetector (stub graph)', () => {
  beforeAll(async () => {
    await tf.setBackend('cpu');
  });

  it('letterboxes the frame, disposes its intermediates and never the caller tensor', async () => {
    let seen: number[] = [];
    const stub = {
      inputs: [{ shape: [1, 512, 512, 3] }],
      execute(input: tf.Tensor, output: string) {
        expect(output).toBe(CENTERNET_OUTPUT);
        seen = input.shape;
        return tf.tensor3d(rows, [1, 6, 6]);
      },
      dispose() {},
    } as unknown as tf.GraphModel;
    const detector = createCenterNetDetector(stub);
    const frame = tf.zeros([480, 640, 3], 'int32') as tf.Tensor3D;
    const before = tf.memory().numTensors;
    const dets = await detector.detect(frame, { minScore: 0.5 });
    expect(tf.memory().numTensors).toBe(before);
    expect(frame.isDisposed).toBe(false);
    expect(seen).toEqual([1, 512, 512, 3]);
    expect(dets.map((d) => d.label)).toEqual(['person', 'dog', 'car']);
    frame.dispose();
  });
});

const modelPath = findModel('OCELLUS_CENTERNET_DIR', 'centernet-mobilenetv3', 'centernet.json');

describe.skipIf(!modelPath || !hasCoco128 || !hasFfmpeg)(
  'CenterNet on real coco128 photos (wasm)',
  () => {
    let model: tf.GraphModel;
    beforeAll(async () => {
      await tf.setBackend('wasm');
      model = await loadGraphModelFromDir(tf, modelPath!);
    });

    it('finds the labelled people with IoU >= 0.5', async () => {
      const detector = createCenterNetDetector(model);
      const images = await loadCoco128();
      // 036: one person in a portrait photo (pads left/right); 077: five people, some small.
      for (const [id, minFound] of [
        ['000000000036', 1],
        ['000000000077', 3],
      ] as const) {
        const im = images.find((i) => i.id === id)!;
        const frame = photoTensor(tf, join(COCO128, im.file));
        const before = tf.memory().numTensors;
        const dets = await detector.detect(frame, {
          minScore: 0.3,
          classes: { include: ['person'] },
        });
        expect(tf.memory().numTensors).toBe(before);
        const people = im.boxes.filter((b) => b.classId === 0);
        const found = people.filter((p) => dets.some((d) => boxIou(d.box, p.box) >= 0.5));
        expect(found.length, `${id}: ${JSON.stringify(dets)}`).toBeGreaterThanOrEqual(minFound);
        frame.dispose();
      }
    });
  },
);
