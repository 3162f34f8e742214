/**
 * The detection part of `window.ocellus` (for the e2e test, `npm run eval -- detect` and the
 * `detect-frame` benchmark): the same factory and decoders the app uses, on any image.
 */
import { tf } from '../../engine/tf';
import {
  createCocoSsdLibraryDetector,
  createDetector,
  importCocoSsd,
  type CreateDetectorOptions,
  type CreatedDetector,
} from '../../detection/factory';
import { createCocoSsdFastDetector } from '../../detection/cocoSsdFast';
import type { Detection, DetectOptions, Detector } from '../../detection/types';
import { catalogEntry } from '../../models/catalog';
import { detectPending } from './tagDetect';

export interface DetectManyResult {
  /** Detections per image, in input order (an error string where an image failed). */
  results: (Detection[] | string)[];
  /** Whole-call time per image (decode excluded), ms. */
  ms: number[];
  /** Decoded pixel size per image (0x0 where it failed). */
  sizes: { width: number; height: number }[];
  detectorId: string;
  numTensorsAfter: number;
}

export type FrameDetectorKind = 'catalog' | 'coco-ssd-fast' | 'coco-ssd-library';

export interface DetectionAutomation {
  /** Detects on one image (URL or Blob) with a catalog detector (created once per id/options). */
  detect: (
    id: string,
    image: string | Blob,
    opts?: DetectOptions & CreateDetectorOptions,
  ) => Promise<Detection[]>;
  /** Detects on many images one by one, timing each call. */
  detectMany: (
    id: string,
    images: string[],
    opts?: DetectOptions & CreateDetectorOptions,
  ) => Promise<DetectManyResult>;
  /**
   * Times `runs` whole detect() calls (frame -> boxes) on one `width`x`height` frame drawn from
   * an image, after `warmup` calls. `kind` picks a catalog detector or, for a COCO-SSD-signature
   * graph at `modelUrl` (the benchmark's generated model), our fast path or coco-ssd's detect().
   */
  benchFrame: (args: {
    kind: FrameDetectorKind;
    id: string;
    modelUrl?: string;
    image: string;
    width: number;
    height: number;
    runs: number;
    warmup: number;
    minScore?: number;
    maxResults?: number;
  }) => Promise<{ ms: number[]; boxes: number; numTensorsBefore: number; numTensorsAfter: number }>;
  /** Resolves when the Tag workspace's detection run has finished. */
  tagIdle: () => Promise<void>;
}

const detectors = new Map<string, Promise<CreatedDetector>>();

function cached(id: string, opts: CreateDetectorOptions): Promise<CreatedDetector> {
  const key = `${id}|${opts.cocoSsdPath ?? 'fast'}|${opts.classAwareNms ?? false}|${opts.modelUrl ?? ''}`;
  let d = detectors.get(key);
  if (!d) {
    d = createDetector(id, opts);
    d.catch(() => detectors.delete(key));
    detectors.set(key, d);
  }
  return d;
}

async function bitmapOf(image: string | Blob): Promise<ImageBitmap> {
  const blob = typeof image === 'string' ? await fetchBlob(image) : image;
  return createImageBitmap(blob, { imageOrientation: 'from-image' });
}

async function fetchBlob(url: string): Promise<Blob> {
  const res = await fetch(url);
  if (!res.ok) throw new Error(`${url}: HTTP ${res.status}`);
  return res.blob();
}

/** An image scaled and centre-cropped to fill a `width`x`height` canvas, like a camera frame. */
async function frameCanvas(
  image: string,
  width: number,
  height: number,
): Promise<HTMLCanvasElement> {
  const bitmap = await bitmapOf(image);
  const canvas = document.createElement('canvas');
  canvas.width = width;
  canvas.height = height;
  const ctx = canvas.getContext('2d');
  if (!ctx) throw new Error('no 2D canvas');
  const scale = Math.max(width / bitmap.width, height / bitmap.height);
  const sw = width / scale;
  const sh = height / scale;
  ctx.drawImage(
    bitmap,
    (bitmap.width - sw) / 2,
    (bitmap.height - sh) / 2,
    sw,
    sh,
    0,
    0,
    width,
    height,
  );
  bitmap.close();
  return canvas;
}

async function frameDetector(
  kind: FrameDetectorKind,
  id: string,
  modelUrl?: string,
): Promise<Detector> {
  if (kind === 'catalog') return cached(id, { modelUrl });
  if (!modelUrl) throw new Error(`${kind} needs a modelUrl`);
  // A graph outside the catalog (the generated COCO-SSD stand-in): loaded straight from its URL.
  const model = await tf.loadGraphModel(modelUrl);
  return kind === 'coco-ssd-fast'
    ? createCocoSsdFastDetector(model, {}, id)
    : createCocoSsdLibraryDetector(await importCocoSsd(), model, 'lite_mobilenet_v2', id);
}

export function detectionAutomation(): DetectionAutomation {
  return {
    detect: async (id, image, opts = {}) => {
      const detector = await cached(id, opts);
      const bitmap = await bitmapOf(image);
      try {
        return await detector.detect(bitmap, opts);
      } finally {
        bitmap.close();
      }
    },
    detectMany: async (id, images, opts = {}) => {
      const detector = await cached(id, opts);
      const results: (Detection[] | string)[] = [];
      const ms: number[] = [];
      const sizes: { width: number; height: number }[] = [];
      for (const url of images) {
        try {
          const bitmap = await bitmapOf(url);
          sizes.push({ width: bitmap.width, height: bitmap.height });
          const t0 = performance.now();
          try {
            results.push(await detector.detect(bitmap, opts));
          } finally {
            ms.push(performance.now() - t0);
            bitmap.close();
          }
        } catch (e) {
          results.push((e as Error).message);
          if (sizes.length < results.length) sizes.push({ width: 0, height: 0 });
        }
      }
      return {
        results,
        ms,
        sizes,
        detectorId: detector.id,
        numTensorsAfter: tf.memory().numTensors,
      };
    },
    benchFrame: async (a) => {
      const detector = await frameDetector(a.kind, a.id, a.modelUrl);
      const canvas = await frameCanvas(a.image, a.width, a.height);
      const opts = { minScore: a.minScore ?? 0.3, maxResults: a.maxResults ?? 20 };
      for (let i = 0; i < a.warmup; i++) await detector.detect(canvas, opts);
      const numTensorsBefore = tf.memory().numTensors;
      const ms: number[] = [];
      let boxes = 0;
      for (let i = 0; i < a.runs; i++) {
        const t0 = performance.now();
        boxes = (await detector.detect(canvas, opts)).length;
        ms.push(performance.now() - t0);
      }
      const numTensorsAfter = tf.memory().numTensors;
      if (a.kind !== 'catalog') detector.dispose();
      return { ms, boxes, numTensorsBefore, numTensorsAfter };
    },
    tagIdle: () => detectPending(),
  };
}

/** Catalog detector ids, for tools that list them. */
export const detectorIds = (ids: readonly string[]) =>
  ids.filter((id) => catalogEntry(id).task === 'detect');
