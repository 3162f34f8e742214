/**
 * Preprocessing that matches how each model was trained: centre crop (or whole image), bilinear
 * resize to the input size, RGB, and the value range the catalog declares.
 */
import { tf } from '../engine/tf';
import type { InputSpec } from '../models/catalog';

export type CropMode = 'center' | 'none';

export interface Box {
  x: number;
  y: number;
  width: number;
  height: number;
}

/** The largest centred square (mode 'center') or the whole image ('none'), in source pixels. */
export function cropBox(width: number, height: number, mode: CropMode): Box {
  if (mode === 'none') return { x: 0, y: 0, width, height };
  const side = Math.min(width, height);
  return { x: (width - side) / 2, y: (height - side) / 2, width: side, height: side };
}

/** Normalised [y1, x1, y2, x2] box for tf.image.cropAndResize. */
export function normalisedBox(
  box: Box,
  width: number,
  height: number,
): [number, number, number, number] {
  return [
    box.y / height,
    box.x / width,
    (box.y + box.height) / height,
    (box.x + box.width) / width,
  ];
}

/** Affine map of [0,255] onto the model's range: y = x * scale + offset. */
export function rangeTransform(range: [number, number]): { scale: number; offset: number } {
  return { scale: (range[1] - range[0]) / 255, offset: range[0] };
}

/**
 * [h,w,3] (or [h,w,4]/[h,w,1]) pixels in 0..255 → [1,H,W,3] model input. Grayscale is
 * broadcast to RGB and alpha dropped, so every model sees three channels.
 */
export function toModelInput(pixels: tf.Tensor3D, spec: InputSpec, crop: CropMode): tf.Tensor4D {
  return tf.tidy(() => {
    const [h, w, c] = pixels.shape;
    let rgb: tf.Tensor3D = pixels;
    if (c === 1) rgb = tf.tile(pixels, [1, 1, 3]);
    else if (c === 4) rgb = tf.slice(pixels, [0, 0, 0], [h, w, 3]);
    const batched = tf.expandDims(tf.cast(rgb, 'float32'), 0) as tf.Tensor4D;
    const box = normalisedBox(cropBox(w, h, crop), w, h);
    const resized = tf.image.cropAndResize(
      batched,
      [box],
      [0],
      [spec.height, spec.width],
      'bilinear',
    );
    const { scale, offset } = rangeTransform(spec.range);
    return tf.add(tf.mul(resized, scale), offset) as tf.Tensor4D;
  });
}

/** The batch size a batch of n is padded to: the next power of two, at most `max`. */
export function paddedBatchSize(n: number, max: number): number {
  let b = 1;
  while (b < n) b <<= 1;
  return Math.max(n, Math.min(b, Math.max(max, n)));
}

/**
 * Decoded RGB bytes (each height x width x 3, already cropped and resized by the decoder) → one
 * [padTo, H, W, 3] float tensor in the model's range. Padding rows are zeros: a fixed set of batch
 * shapes keeps the GPU from compiling new shaders for every odd-sized last batch.
 */
export function rgbBatchToInput(
  images: readonly Uint8Array[],
  spec: Pick<InputSpec, 'width' | 'height' | 'range'>,
  padTo = images.length,
): tf.Tensor4D {
  const per = spec.width * spec.height * 3;
  const data = new Float32Array(Math.max(padTo, images.length) * per);
  const { scale, offset } = rangeTransform(spec.range);
  images.forEach((img, n) => {
    if (img.length !== per)
      throw new Error(`decoded image has ${img.length} values, expected ${per}`);
    const base = n * per;
    for (let i = 0; i < per; i++) data[base + i] = img[i] * scale + offset;
  });
  return tf.tensor4d(data, [Math.max(padTo, images.length), spec.height, spec.width, 3]);
}
