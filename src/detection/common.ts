/** Helpers shared by the detectors: frame intake, option defaults and class filtering. */
import * as tf from '@tensorflow/tfjs';
import { COCO80_NAMES, coco80IdOf } from '../eval/cocoClasses';
import {
  DEFAULT_MAX_RESULTS,
  DEFAULT_MIN_SCORE,
  type ClassFilter,
  type DetectOptions,
  type DetectorFrame,
} from './types';

/**
 * Returns the frame as a [h, w, 3] tensor. `owned` tells the caller whether it created the
 * tensor (and so must dispose it): a caller's tensor is shared and never ours to free.
 */
export function frameTensor(frame: DetectorFrame): { tensor: tf.Tensor3D; owned: boolean } {
  if (frame instanceof tf.Tensor) {
    if (frame.rank !== 3 || frame.shape[2] !== 3) {
      throw new Error(
        `Detector frame must be a [height, width, 3] tensor, got [${frame.shape.join(', ')}]`,
      );
    }
    return { tensor: frame, owned: false };
  }
  return { tensor: tf.browser.fromPixels(frame, 3), owned: true };
}

export interface ResolvedOptions {
  minScore: number;
  maxResults: number;
  /** allowed[classId] for COCO80 ids, or null when every class is allowed. */
  allowed: readonly boolean[] | null;
}

export function resolveOptions(opts: DetectOptions | undefined): ResolvedOptions {
  const maxResults = opts?.maxResults ?? DEFAULT_MAX_RESULTS;
  if (!Number.isInteger(maxResults) || maxResults < 0) {
    throw new Error(`maxResults must be a non-negative integer, got ${maxResults}`);
  }
  return {
    minScore: opts?.minScore ?? DEFAULT_MIN_SCORE,
    maxResults,
    allowed: classMask(opts?.classes),
  };
}

/** Per-class allow mask for a filter, or null when the filter lets everything through. */
export function classMask(filter: ClassFilter | undefined): boolean[] | null {
  const include = filter?.include ?? [];
  const exclude = filter?.exclude ?? [];
  if (include.length === 0 && exclude.length === 0) return null;
  const ids = (names: readonly string[]) =>
    names.map((name) => {
      const id = coco80IdOf(name);
      if (id < 0) throw new Error(`Unknown COCO class name in filter: "${name}"`);
      return id;
    });
  const mask = new Array<boolean>(COCO80_NAMES.length).fill(include.length === 0);
  for (const id of ids(include)) mask[id] = true;
  for (const id of ids(exclude)) mask[id] = false;
  return mask;
}
