import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { statSync } from 'node:fs';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import * as cocoSsd from '@tensorflow-models/coco-ssd';
import { cocoSsdColumns, createCocoSsdFastDetector } from '../../../src/detection/cocoSsdFast';
import type { Detector } from '../../../src/detection/types';
import { COCO80_NAMES } from '../../../src/eval/cocoClasses';
import { COCO_SSD_FIXTURE_DIR, makeCocoSsdFixture } from '../../fixtures/makeCocoSsdFixture';
import { asCocoSsd, noiseImages, SETTINGS } from './support/cocoSsdReference';
import {
  COCO128,
  hasCoco128,
  hasFfmpeg,
  loadGraphModelFromDir,
  photoTensor,
  readModelArtifacts,
} from './support/photos';

const PHOTOS = ['000000000009', '000000000036', '000000000077'];

let modelJsonPath: string;
let model: tf.GraphModel;
let reference: cocoSsd.ObjectDetection;
let fast: Detector;
let frames: { name: string; frame: tf.Tensor3D }[];

beforeAll(async () => {
  await tf.setBackend('cpu');
  modelJsonPath = makeCocoSsdFixture();
  model = await loadGraphModelFromDir(tf, modelJsonPath);
  fast = createCocoSsdFastDetector(model);
  // coco-ssd's own load() and detect(), with its model URL served from the fixture on disk.
  // A router answers null for URLs it does not serve (IORouter's type omits that case).
  tf.io.registerLoadRouter((url) =>
    url === 'fixture://coco-ssd-fake/model.json'
      ? { load: async () => readModelArtifacts(modelJsonPath) }
      : (null as unknown as tf.io.IOHandler),
  );
  reference = await cocoSsd.load({ modelUrl: 'fixture://coco-ssd-fake/model.json' });
  const photos = hasCoco128 && hasFfmpeg ? PHOTOS : [];
  frames = [
    ...photos.map((id) => ({
      name: id,
      frame: photoTensor(tf, join(COCO128, 'images/train2017', `${id}.jpg`)),
    })),
    ...noiseImages(tf).map((frame, i) => ({ name: `noise${i}`, frame })),
  ];
});

afterAll(() => {
  tf.dispose(frames.map((f) => f.frame));
  reference.dispose();
  model.dispose();
});

describe('COCO-SSD fixture', () => {
  it('is written once into .cache and has coco-ssd’s input and output signature', async () => {
    expect(modelJsonPath).toBe(join(COCO_SSD_FIXTURE_DIR, 'model.json'));
    const mtime = statSync(modelJsonPath).mtimeMs;
    expect(makeCocoSsdFixture()).toBe(modelJsonPath);
    expect(statSync(modelJsonPath).mtimeMs).toBe(mtime);
    expect(model.inputs.map((i) => [i.name, i.dtype, i.shape])).toEqual([
      ['image_tensor', 'int32', [1, -1, -1, 3]],
    ]);
    expect(model.outputNodes).toEqual(['Postprocessor/Slice', 'Postprocessor/ExpandDims_1']);
    const out = (await model.executeAsync(tf.zeros([1, 300, 300, 3], 'int32'))) as tf.Tensor[];
    expect(out.map((t) => t.shape)).toEqual([
      [1, 1917, 90],
      [1, 1917, 1, 4],
    ]);
    tf.dispose(out);
  });
});

describe('createCocoSsdFastDetector', () => {
  it('returns exactly what coco-ssd detect() returns, on photos and noise, for many settings', async () => {
    expect(frames.length).toBeGreaterThanOrEqual(hasCoco128 && hasFfmpeg ? 5 : 2);
    let compared = 0;
    for (const { name, frame } of frames) {
      const expectedDefault = await reference.detect(frame);
      expect(asCocoSsd(await fast.detect(frame)), `${name} defaults`).toEqual(expectedDefault);
      for (const [maxNumBoxes, minScore] of SETTINGS) {
        const expected = await reference.detect(frame, maxNumBoxes, minScore);
        const actual = await fast.detect(frame, { maxResults: maxNumBoxes, minScore });
        expect(asCocoSsd(actual), `${name} ${maxNumBoxes} ${minScore}`).toEqual(expected);
        actual.forEach((d) => expect(COCO80_NAMES[d.classId]).toBe(d.label));
        compared += expected.length;
      }
    }
    expect(compared).toBeGreaterThan(100);
  }, 300_000);

  it('has content-dependent outputs with overlapping candidates that NMS removes', async () => {
    const seen = new Set<string>();
    let suppressedSomewhere = false;
    for (const { frame } of frames) {
      const dets = await fast.detect(frame, { maxResults: 1917, minScore: 0.5 });
      seen.add(JSON.stringify(dets.slice(0, 3)));
      const [scores] = (await model.executeAsync(tf.expandDims(frame))) as tf.Tensor[];
      const candidates = (await tf.sum(tf.greater(tf.max(scores, 2), 0.5)).data())[0];
      if (candidates > dets.length) suppressedSomewhere = true;
    }
    expect(seen.size).toBe(frames.length);
    expect(suppressedSomewhere).toBe(true);
  });

  it('leaks no tensors, leaves the caller’s frame alone and accepts float frames', async () => {
    const frame = frames[0].frame;
    await fast.detect(frame); // first call picks execute vs executeAsync
    const before = tf.memory().numTensors;
    const dets = await fast.detect(frame, { maxResults: 50, minScore: 0.3 });
    expect(tf.memory().numTensors).toBe(before);
    expect(frame.isDisposed).toBe(false);
    const asFloat = tf.cast(frame, 'float32') as tf.Tensor3D;
    expect(await fast.detect(asFloat, { maxResults: 50, minScore: 0.3 })).toEqual(dets);
    asFloat.dispose();
  });

  it('filters classes by picking the best allowed class per box', async () => {
    const include = ['person', 'dog', 'clock', 'toaster'];
    for (const { frame } of frames) {
      const dets = await fast.detect(frame, {
        maxResults: 100,
        minScore: 0.2,
        classes: { include },
      });
      expect(dets.every((d) => include.includes(d.label))).toBe(true);
      const without = await fast.detect(frame, {
        maxResults: 100,
        minScore: 0.2,
        classes: { exclude: ['toaster'] },
      });
      expect(without.some((d) => d.label === 'toaster')).toBe(false);
    }
    expect(cocoSsdColumns(null).columns).toHaveLength(80);
    const mask = new Array(80).fill(false);
    mask[0] = mask[79] = true;
    expect(cocoSsdColumns(mask)).toEqual({ classIds: [0, 79], columns: [0, 89] });
  });

  it('runs class-aware NMS equal to per-class tf.image.nonMaxSuppression merged by score', async () => {
    const aware = createCocoSsdFastDetector(model, { classAwareNms: true });
    for (const { name, frame } of frames) {
      for (const [maxNumBoxes, minScore] of [
        [100, 0.3],
        [20, 0.5],
      ]) {
        const [scoresT, boxesT] = (await model.executeAsync(tf.expandDims(frame))) as tf.Tensor[];
        const scores = await scoresT.data();
        const boxes = await boxesT.data();
        const [h, w] = frame.shape;
        // Per box: best class and score, as coco-ssd computes them.
        const best = Array.from({ length: 1917 }, (_, i) => {
          let c = 0;
          for (let j = 1; j < 90; j++) if (scores[i * 90 + j] > scores[i * 90 + c]) c = j;
          return { c, s: scores[i * 90 + c] };
        });
        const kept: number[] = [];
        for (const c of new Set(best.map((b) => b.c))) {
          const members = best.flatMap((b, i) => (b.c === c ? [i] : []));
          const sel = await tf.image.nonMaxSuppressionAsync(
            tf.tensor2d(
              members.flatMap((i) => Array.from(boxes.subarray(i * 4, i * 4 + 4))),
              [members.length, 4],
            ),
            members.map((i) => best[i].s),
            maxNumBoxes,
            minScore,
            minScore,
          );
          kept.push(...Array.from(await sel.data()).map((k) => members[k]));
        }
        kept.sort((a, b) => best[b].s - best[a].s || a - b);
        const expected = kept.slice(0, maxNumBoxes).map((i) => ({
          bbox: [
            boxes[i * 4 + 1] * w,
            boxes[i * 4] * h,
            boxes[i * 4 + 3] * w - boxes[i * 4 + 1] * w,
            boxes[i * 4 + 2] * h - boxes[i * 4] * h,
          ],
          score: best[i].s,
        }));
        const actual = asCocoSsd(await aware.detect(frame, { maxResults: maxNumBoxes, minScore }));
        expect(
          actual.map(({ bbox, score }) => ({ bbox, score })),
          `${name} ${maxNumBoxes}`,
        ).toEqual(expected);
        tf.dispose([scoresT, boxesT]);
      }
    }
  }, 300_000);
});
