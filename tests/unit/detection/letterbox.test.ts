import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import {
  computeLetterbox,
  letterboxImage,
  letterboxToSource,
  sourceToLetterbox,
} from '../../../src/detection/letterbox';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('letterbox geometry', () => {
  it('fits, centres and pads', () => {
    expect(computeLetterbox(640, 480, 512)).toEqual({
      srcWidth: 640,
      srcHeight: 480,
      size: 512,
      width: 512,
      height: 384,
      scaleX: 0.8,
      scaleY: 0.8,
      padX: 0,
      padY: 64,
    });
    const portrait = computeLetterbox(300, 600, 416);
    expect([portrait.width, portrait.height, portrait.padX, portrait.padY]).toEqual([
      208, 416, 104, 0,
    ]);
    // Upscaling a small image works the same way.
    expect(computeLetterbox(100, 100, 512).scaleX).toBe(5.12);
    expect(() => computeLetterbox(0, 10, 512)).toThrow(/Invalid/);
  });

  it('round-trips boxes for many image shapes', () => {
    for (const [w, h, s] of [
      [640, 480, 512],
      [480, 640, 416],
      [333, 77, 512],
      [1, 1000, 416],
      [1920, 1080, 512],
    ]) {
      const lb = computeLetterbox(w, h, s);
      const box = { x: w * 0.1, y: h * 0.3, width: w * 0.55, height: h * 0.4 };
      const back = letterboxToSource(...sourceToLetterbox(box, lb), lb);
      expect(back.x).toBeCloseTo(box.x, 9);
      expect(back.y).toBeCloseTo(box.y, 9);
      expect(back.width).toBeCloseTo(box.width, 9);
      expect(back.height).toBeCloseTo(box.height, 9);
    }
  });

  it('clips boxes that reach into the padding and accepts swapped corners', () => {
    const lb = computeLetterbox(640, 480, 512); // content rows 64..448
    expect(letterboxToSource(-10, 0, 100, 100, lb)).toEqual({ x: 0, y: 0, width: 125, height: 45 });
    expect(letterboxToSource(512, 448, 256, 600, lb)).toEqual({
      x: 320,
      y: 480,
      width: 320,
      height: 0,
    });
  });
});

describe('letterboxImage', () => {
  it('resizes into the centre, pads with padValue and leaves the input alone', async () => {
    const image = tf.fill([4, 8, 3], 200, 'int32') as tf.Tensor3D;
    const lb = computeLetterbox(8, 4, 16);
    const before = tf.memory().numTensors;
    const out = letterboxImage(image, lb, 7);
    expect(tf.memory().numTensors).toBe(before + 1);
    expect(out.shape).toEqual([1, 16, 16, 3]);
    expect(out.dtype).toBe('float32');
    const v = (await out.array())[0];
    expect(lb.padY).toBe(4);
    expect(v[3][5]).toEqual([7, 7, 7]);
    expect(v[4][0]).toEqual([200, 200, 200]);
    expect(v[11][15]).toEqual([200, 200, 200]);
    expect(v[12][8]).toEqual([7, 7, 7]);
    expect(image.isDisposed).toBe(false);
    tf.dispose([image, out]);
  });

  it('rejects a letterbox computed for another size', () => {
    const image = tf.zeros([4, 8, 3]) as tf.Tensor3D;
    expect(() => letterboxImage(image, computeLetterbox(8, 5, 16))).toThrow(/computed for 8x5/);
    image.dispose();
  });
});
