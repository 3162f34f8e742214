/**
 * The one detector contract shared by every object-detection model in the app (COCO-SSD,
 * CenterNet, NanoDet). Boxes are always in source pixels and classes always COCO80 ids, so the
 * UI, the live pipeline and the evaluator never need to know which model produced a result.
 */
import type * as tf from '@tensorflow/tfjs';

/** Axis-aligned box in source pixels: top-left corner plus size. */
export interface BoxXYWH {
  x: number;
  y: number;
  width: number;
  height: number;
}

export interface Detection {
  box: BoxXYWH;
  /** COCO80 class name (see src/eval/cocoClasses.ts). */
  label: string;
  /** COCO80 class id, 0..79. */
  classId: number;
  score: number;
}

/** Anything `tf.browser.fromPixels` accepts. */
export type PixelSource =
  ImageData | HTMLImageElement | HTMLCanvasElement | HTMLVideoElement | ImageBitmap;

/**
 * A frame to detect on. A tensor must be [height, width, 3] RGB with values 0..255 (int32 or
 * float32); the live pipeline uploads each frame once and shares that tensor between models, so
 * detectors only read it and never dispose it.
 */
export type DetectorFrame = tf.Tensor3D | PixelSource;

/** Class names are COCO80 names; unknown names are rejected so a typo cannot silently filter. */
export interface ClassFilter {
  /** Keep only these classes (all when absent or empty). */
  include?: readonly string[];
  /** Drop these classes (applied after `include`). */
  exclude?: readonly string[];
}

export interface DetectOptions {
  /** Keep detections whose score is strictly greater (COCO-SSD semantics). */
  minScore?: number;
  /** At most this many detections, best first. */
  maxResults?: number;
  classes?: ClassFilter;
}

/** COCO-SSD's detect() defaults, used by every detector so that switching models changes nothing else. */
export const DEFAULT_MIN_SCORE = 0.5;
export const DEFAULT_MAX_RESULTS = 20;

export interface Detector {
  readonly id: string;
  /** Detections sorted by descending score. Never disposes a tensor frame. */
  detect(frame: DetectorFrame, opts?: DetectOptions): Promise<Detection[]>;
  /** Releases the model's weights; the detector is unusable afterwards. */
  dispose(): void;
}
