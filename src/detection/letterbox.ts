/**
 * Letterboxing: fit a source image into a square model input without distorting its aspect
 * ratio (scale to fit, centre, pad the rest), and map model-space boxes back to source pixels.
 * The geometry is pure so it can be unit-tested and reused by every square-input detector.
 */
import * as tf from '@tensorflow/tfjs';
import type { BoxXYWH } from './types';

export interface Letterbox {
  srcWidth: number;
  srcHeight: number;
  /** Side of the square model input. */
  size: number;
  /** Size of the resized image content inside the square. */
  width: number;
  height: number;
  /**
   * Per-axis scale source -> model. Both are the aspect-preserving scale up to the rounding of
   * `width`/`height` to whole pixels; keeping them separate makes the inverse map exact.
   */
  scaleX: number;
  scaleY: number;
  /** Left and top padding in model pixels (the content is centred). */
  padX: number;
  padY: number;
}

export function computeLetterbox(srcWidth: number, srcHeight: number, size: number): Letterbox {
  if (!(srcWidth > 0 && srcHeight > 0 && size > 0)) {
    throw new Error(`Invalid letterbox sizes: ${srcWidth}x${srcHeight} -> ${size}`);
  }
  const scale = Math.min(size / srcWidth, size / srcHeight);
  const width = Math.min(size, Math.max(1, Math.round(srcWidth * scale)));
  const height = Math.min(size, Math.max(1, Math.round(srcHeight * scale)));
  return {
    srcWidth,
    srcHeight,
    size,
    width,
    height,
    scaleX: width / srcWidth,
    scaleY: height / srcHeight,
    padX: Math.floor((size - width) / 2),
    padY: Math.floor((size - height) / 2),
  };
}

/**
 * Maps a model-space box (corners, model pixels) back to source pixels, clipped to the image:
 * boxes that spill into the padding are cut at the image edge.
 */
export function letterboxToSource(
  x1: number,
  y1: number,
  x2: number,
  y2: number,
  lb: Letterbox,
): BoxXYWH {
  const clip = (v: number, max: number) => Math.min(Math.max(v, 0), max);
  const sx1 = clip((Math.min(x1, x2) - lb.padX) / lb.scaleX, lb.srcWidth);
  const sy1 = clip((Math.min(y1, y2) - lb.padY) / lb.scaleY, lb.srcHeight);
  const sx2 = clip((Math.max(x1, x2) - lb.padX) / lb.scaleX, lb.srcWidth);
  const sy2 = clip((Math.max(y1, y2) - lb.padY) / lb.scaleY, lb.srcHeight);
  return { x: sx1, y: sy1, width: sx2 - sx1, height: sy2 - sy1 };
}

/** Source-pixel box -> model-space corners [x1, y1, x2, y2] (the forward map). */
export function sourceToLetterbox(box: BoxXYWH, lb: Letterbox): [number, number, number, number] {
  return [
    box.x * lb.scaleX + lb.padX,
    box.y * lb.scaleY + lb.padY,
    (box.x + box.width) * lb.scaleX + lb.padX,
    (box.y + box.height) * lb.scaleY + lb.padY,
  ];
}

/**
 * Letterboxes a [h, w, 3] image (any dtype, values kept as they are, e.g. 0..255) into a
 * float32 [1, size, size, 3] batch. `padValue` fills the border in the same units as the
 * pixels: 0 (black) by default; on coco128 neither CenterNet nor NanoDet cares whether the
 * border is black, grey (114) or the dataset mean.
 * Bilinear resize with half-pixel centres, matching the usual OpenCV/PIL resampling the
 * models were trained with. Does not dispose `image`.
 */
export function letterboxImage(image: tf.Tensor3D, lb: Letterbox, padValue = 0): tf.Tensor4D {
  return tf.tidy(() => {
    const [h, w] = image.shape;
    if (h !== lb.srcHeight || w !== lb.srcWidth) {
      throw new Error(`Letterbox computed for ${lb.srcWidth}x${lb.srcHeight}, image is ${w}x${h}`);
    }
    const floatImage = tf.cast(image, 'float32');
    const resized =
      lb.width === w && lb.height === h
        ? floatImage
        : tf.image.resizeBilinear(floatImage, [lb.height, lb.width], false, true);
    const padded = tf.pad(
      resized,
      [
        [lb.padY, lb.size - lb.height - lb.padY],
        [lb.padX, lb.size - lb.width - lb.padX],
        [0, 0],
      ],
      padValue,
    );
    return tf.expandDims(padded, 0);
  });
}
