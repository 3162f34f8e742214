import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import * as cocoSsd from '@tensorflow-models/coco-ssd';
import { ModelDownloadError, ModelIntegrityError } from '../../../src/models/loader';
import { makeCocoSsdFixture } from '../../fixtures/makeCocoSsdFixture';
import {
  COCO128,
  hasCoco128,
  hasFfmpeg,
  loadGraphModelFromDir,
  photoTensor,
} from './support/photos';

// The store side of loading is replaced: these tests are about which detector the factory
// builds, not about downloads. The COCO-SSD catalog ids are "unreachable", CenterNet loads.
const notify = vi.fn();
const loaded: string[] = [];
let failure: Error = new ModelDownloadError(
  'https://storage.googleapis.com/x',
  'Could not reach it',
);
vi.mock('../../../src/store', () => ({
  useApp: { getState: () => ({ settings: { modelUrls: {} }, notify }) },
}));
vi.mock('../../../src/store/engineActions', () => ({
  defaultWarmShapes: () => [],
  loadModel: async (id: string) => {
    loaded.push(id);
    if (id.startsWith('coco-ssd')) throw failure;
    return { id, model: fixtureModel, generation: 1 };
  },
}));

const { createDetector, createCocoSsdLibraryDetector, detectorForModel, OFFLINE_DETECTOR_ID } =
  await import('../../../src/detection/factory');

let fixtureModel: tf.GraphModel;
let frame: tf.Tensor3D;

beforeAll(async () => {
  await tf.setBackend('cpu');
  fixtureModel = await loadGraphModelFromDir(tf, makeCocoSsdFixture());
  frame =
    hasCoco128 && hasFfmpeg
      ? photoTensor(tf, join(COCO128, 'images/train2017/000000000074.jpg'))
      : (tf.randomUniformInt([240, 320, 3], 0, 256, 3) as tf.Tensor3D);
});

afterAll(() => {
  frame.dispose();
  fixtureModel.dispose();
});

describe('detectorForModel', () => {
  it('picks the decoder by model family', async () => {
    const ssd = {
      id: 'coco-ssd-lite_mobilenet_v2',
      family: 'coco-ssd' as const,
      cocoSsdBase: 'lite_mobilenet_v2' as const,
    };
    expect((await detectorForModel(ssd, fixtureModel)).id).toBe(ssd.id);
    expect((await detectorForModel(ssd, fixtureModel, { cocoSsdPath: 'library' })).id).toBe(ssd.id);
    expect(
      (await detectorForModel({ id: 'centernet-mobilenetv3', family: 'centernet' }, fixtureModel))
        .id,
    ).toBe('centernet-mobilenetv3');
    await expect(detectorForModel({ id: 'm', family: 'mobilenet' }, fixtureModel)).rejects.toThrow(
      /not a detector/,
    );
  });

  it('gives the same detections through the fast path and through coco-ssd, both via the factory', async () => {
    const ssd = {
      id: 'coco-ssd-lite_mobilenet_v2',
      family: 'coco-ssd' as const,
      cocoSsdBase: 'lite_mobilenet_v2' as const,
    };
    const fast = await detectorForModel(ssd, fixtureModel, { cocoSsdPath: 'fast' });
    const lib = await detectorForModel(ssd, fixtureModel, { cocoSsdPath: 'library' });
    const opts = { minScore: 0.3, maxResults: 50 };
    const a = await fast.detect(frame, opts);
    const b = await lib.detect(frame, opts);
    expect(a.length).toBeGreaterThan(3);
    expect(b).toEqual(a);
  });
});

describe('coco-ssd library wrapper', () => {
  it('returns coco-ssd detect() results as COCO80 detections, class filter applied', async () => {
    const tensorsBefore = tf.memory().numTensors;
    const detector = createCocoSsdLibraryDetector(cocoSsd, fixtureModel);
    const reference = new cocoSsd.ObjectDetection('lite_mobilenet_v2');
    Object.assign(reference, { model: fixtureModel });
    const raw = await reference.detect(frame, 40, 0.3);
    const ours = await detector.detect(frame, { minScore: 0.3, maxResults: 40 });
    expect(
      ours.map((d) => [d.label, d.score, d.box.x, d.box.y, d.box.width, d.box.height]),
    ).toEqual(raw.map((o) => [o.class, o.score, ...o.bbox]));
    for (const d of ours) expect(d.classId).toBeGreaterThanOrEqual(0);
    const top = ours[0].label;
    const only = await detector.detect(frame, {
      minScore: 0.3,
      maxResults: 40,
      classes: { include: [top] },
    });
    expect(only).toEqual(ours.filter((d) => d.label === top));
    const without = await detector.detect(frame, {
      minScore: 0.3,
      maxResults: 40,
      classes: { exclude: [top] },
    });
    expect(without).toEqual(ours.filter((d) => d.label !== top));
    // A float frame is cast for the int32 graph, and nothing leaks either way.
    const asFloat = tf.cast(frame, 'float32') as tf.Tensor3D;
    expect(await detector.detect(asFloat, { minScore: 0.3, maxResults: 40 })).toEqual(ours);
    asFloat.dispose();
    expect(tf.memory().numTensors).toBe(tensorsBefore);
  });
});

describe('createDetector', () => {
  it('falls back to the offline CenterNet when COCO-SSD weights cannot be reached, and says so', async () => {
    loaded.length = 0;
    notify.mockClear();
    const d = await createDetector('coco-ssd-lite_mobilenet_v2');
    expect(loaded).toEqual(['coco-ssd-lite_mobilenet_v2', OFFLINE_DETECTOR_ID]);
    expect(d.id).toBe(OFFLINE_DETECTOR_ID);
    expect(d.requestedId).toBe('coco-ssd-lite_mobilenet_v2');
    expect(d.fallbackReason).toMatch(/could not be reached.*offline/);
    expect(notify).toHaveBeenCalledWith('warning', d.fallbackReason);
  });

  it('never replaces weights that failed their integrity check, and can be told not to fall back', async () => {
    failure = new ModelIntegrityError('model.json', 'a'.repeat(64), 'b'.repeat(64));
    await expect(createDetector('coco-ssd-mobilenet_v2')).rejects.toBeInstanceOf(
      ModelIntegrityError,
    );
    failure = new ModelDownloadError('u', 'offline');
    await expect(
      createDetector('coco-ssd-mobilenet_v1', { fallback: false }),
    ).rejects.toBeInstanceOf(ModelDownloadError);
  });

  it('loads the offline detector directly and refuses classifiers', async () => {
    const d = await createDetector(OFFLINE_DETECTOR_ID);
    expect(d.id).toBe(OFFLINE_DETECTOR_ID);
    expect(d.fallbackReason).toBeUndefined();
    await expect(createDetector('mobilenet_v1_0.25_224')).rejects.toThrow(/not a detector/);
  });
});
