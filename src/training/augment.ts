/**
 * Augmentation on the engine's backend (the GPU on WebGPU/WebGL): random crop and scale,
 * horizontal flip, brightness and contrast, applied to images before the backbone. The random
 * parameters are drawn on the CPU from a seed (so a cached view is reproducible) and the pixel
 * work is one cropAndResize plus a few element-wise ops over all views of an image at once.
 */
import { tf } from '../engine/tf';
import type { InputSpec } from '../models/catalog';
import { cropBox, normalisedBox, rangeTransform } from '../classification/preprocess';

export interface ViewParams {
  /** Normalised [y1, x1, y2, x2]. */
  box: [number, number, number, number];
  flip: boolean;
  /** Added to 0..255 pixels. */
  brightness: number;
  /** Multiplies the distance from the view's mean. */
  contrast: number;
}

/** View 0 is the clean centre crop; views 1..n are random (area 40–100%, aspect ±20%, flip 50%). */
export function viewParams(
  width: number,
  height: number,
  augmented: number,
  rand: () => number,
): ViewParams[] {
  const out: ViewParams[] = [
    {
      box: normalisedBox(cropBox(width, height, 'center'), width, height),
      flip: false,
      brightness: 0,
      contrast: 1,
    },
  ];
  const short = Math.min(width, height);
  for (let v = 0; v < augmented; v++) {
    const scale = Math.sqrt(0.4 + 0.6 * rand());
    const aspect = Math.exp((rand() - 0.5) * 2 * Math.log(1.2));
    const bw = Math.min(width, short * scale * Math.sqrt(aspect));
    const bh = Math.min(height, (short * scale) / Math.sqrt(aspect));
    const x = rand() * (width - bw);
    const y = rand() * (height - bh);
    out.push({
      box: normalisedBox({ x, y, width: bw, height: bh }, width, height),
      flip: rand() < 0.5,
      brightness: (rand() - 0.5) * 2 * 0.2 * 255,
      contrast: 1 + (rand() - 0.5) * 2 * 0.25,
    });
  }
  return out;
}

/**
 * [h,w,3] pixels in 0..255 → [views, H, W, 3] model input, one row per view. Caller disposes.
 */
export function augmentViews(
  pixels: tf.Tensor3D,
  params: ViewParams[],
  spec: InputSpec,
): tf.Tensor4D {
  return tf.tidy(() => {
    const [h, w, c] = pixels.shape;
    let rgb: tf.Tensor3D = pixels;
    if (c === 1) rgb = tf.tile(pixels, [1, 1, 3]);
    else if (c === 4) rgb = tf.slice(pixels, [0, 0, 0], [h, w, 3]);
    const batched = tf.expandDims(tf.cast(rgb, 'float32'), 0) as tf.Tensor4D;
    const n = params.length;
    let views = tf.image.cropAndResize(
      batched,
      params.map((p) => p.box),
      new Array<number>(n).fill(0),
      [spec.height, spec.width],
      'bilinear',
    );
    if (params.some((p) => p.flip)) {
      const flipped = tf.reverse(views, 2);
      const m = tf.tensor4d(
        params.map((p) => (p.flip ? 1 : 0)),
        [n, 1, 1, 1],
      );
      views = tf.add(tf.mul(flipped, m), tf.mul(views, tf.sub(1, m))) as tf.Tensor4D;
    }
    if (params.some((p) => p.brightness !== 0 || p.contrast !== 1)) {
      const mean = tf.mean(views, [1, 2, 3], true);
      const contrast = tf.tensor4d(
        params.map((p) => p.contrast),
        [n, 1, 1, 1],
      );
      const bright = tf.tensor4d(
        params.map((p) => p.brightness),
        [n, 1, 1, 1],
      );
      views = tf.clipByValue(
        tf.add(tf.add(tf.mul(tf.sub(views, mean), contrast), mean), bright),
        0,
        255,
      ) as tf.Tensor4D;
    }
    const { scale, offset } = rangeTransform(spec.range);
    return tf.add(tf.mul(views, scale), offset) as tf.Tensor4D;
  });
}
