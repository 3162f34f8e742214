/**
 * The one way the app gets a detector: `createDetector(id)` loads a catalog detector through
 * the engine (verified weights, progress, warm-up) and wraps it in the right decoder. COCO-SSD
 * runs through our fast post-processing by default or through `@tensorflow-models/coco-ssd`'s
 * own `detect()`; when COCO-SSD weights cannot be reached (offline, no self-hosted copy) the
 * offline CenterNet detector takes over, so detection always works.
 *
 * The engine swaps a handle's model after a GPU-loss recovery, so the returned detector reads
 * `handle.model` on every call and rebuilds its decoder when the generation changes.
 *
 * The store is imported lazily, by createDetector only: the decoders (detectorForModel) stay
 * usable where there is no store, such as a worker.
 */
import { tf } from '../engine/tf';
import { engine, type AnyModel, type ModelHandle } from '../engine/engine';
import { catalogEntry, type CatalogEntry } from '../models/catalog';
import { loadCatalogModel } from '../models/registry';
import { ModelIntegrityError, type LoadProgress } from '../models/loader';
import { coco80IdOf } from '../eval/cocoClasses';
import { createCenterNetDetector } from './centernet';
import { createNanoDetDetector } from './nanodet';
import { createCocoSsdFastDetector } from './cocoSsdFast';
import { frameTensor, resolveOptions } from './common';
import type { Detection, Detector } from './types';

/** The detector that ships with the app's own weights (npm tarball): works offline. */
export const OFFLINE_DETECTOR_ID = 'centernet-mobilenetv3';

export type CocoSsdPath = 'fast' | 'library';

export interface DecoderOptions {
  /** COCO-SSD only: our fast path (default) or coco-ssd's own detect(). */
  cocoSsdPath?: CocoSsdPath;
  /** COCO-SSD fast path only: per-class NMS. */
  classAwareNms?: boolean;
}

export interface CreateDetectorOptions extends DecoderOptions {
  /** A model.json URL overriding the catalog's (and the settings') source. */
  modelUrl?: string;
  /** Fall back to the offline detector when COCO-SSD weights cannot be reached (default true). */
  fallback?: boolean;
  onProgress?: (p: LoadProgress) => void;
}

export interface CreatedDetector extends Detector {
  /** The detector asked for; differs from `id` after a fallback. */
  readonly requestedId: string;
  /** Why the offline detector is used instead of the requested one, when it is. */
  readonly fallbackReason?: string;
}

/**
 * Why coco-ssd's own detect() is not run on the current backend, or null where it runs. It reads
 * its [1, 1917, 90] scores back with dataSync(); on WebGPU tfjs does that through a canvas copy,
 * which in Chromium here lost the GPU device and returned zeros (tests/e2e/detect.spec.ts).
 */
export function cocoSsdLibraryBlocked(backend: string | null = tf.getBackend()): string | null {
  return backend === 'webgpu'
    ? "coco-ssd's own detect() reads back synchronously (dataSync), which on WebGPU loses the GPU device and reads zeros; the fast path gives the same detections"
    : null;
}

type CocoSsdModule = typeof import('@tensorflow-models/coco-ssd');
let cocoSsdModule: Promise<CocoSsdModule> | null = null;
/** Loaded on demand: the library is only needed when a user picks its path. */
export const importCocoSsd = () => (cocoSsdModule ??= import('@tensorflow-models/coco-ssd'));

/**
 * `@tensorflow-models/coco-ssd`'s own post-processing on a graph model we loaded and verified
 * (its `ObjectDetection` would otherwise fetch the model itself). The library has no class
 * filter, so the filter is applied to its results; labels map to COCO80 ids by name (the names
 * are identical, see cocoClasses.ts).
 */
export function createCocoSsdLibraryDetector(
  lib: CocoSsdModule,
  model: tf.GraphModel,
  base: 'lite_mobilenet_v2' | 'mobilenet_v2' | 'mobilenet_v1' = 'lite_mobilenet_v2',
  id = 'coco-ssd',
): Detector {
  // `model` is private in the typings; Object.assign is how a loaded model is handed over.
  const od = new lib.ObjectDetection(base);
  Object.assign(od, { model });
  return {
    id,
    async detect(frame, opts) {
      const blocked = cocoSsdLibraryBlocked();
      if (blocked) throw new Error(`Not run on WebGPU: ${blocked}.`);
      const { minScore, maxResults, allowed } = resolveOptions(opts);
      // coco-ssd takes a tensor or a DOM element, not an ImageBitmap, and needs int32 pixels.
      let input: tf.Tensor3D;
      let owned: boolean;
      if (frame instanceof tf.Tensor && frame.dtype === 'int32') {
        input = frame;
        owned = false;
      } else {
        const f = frameTensor(frame);
        input = f.tensor.dtype === 'int32' ? f.tensor : tf.cast(f.tensor, 'int32');
        if (input !== f.tensor && f.owned) f.tensor.dispose();
        owned = input !== frame;
      }
      try {
        const objects = await od.detect(input, maxResults, minScore);
        const out: Detection[] = [];
        for (const o of objects) {
          const classId = coco80IdOf(o.class);
          if (classId < 0 || (allowed && !allowed[classId])) continue;
          const [x, y, width, height] = o.bbox;
          out.push({ box: { x, y, width, height }, label: o.class, classId, score: o.score });
        }
        return out;
      } finally {
        if (owned) input.dispose();
      }
    },
    dispose() {
      od.dispose();
    },
  };
}

/**
 * A decoder for a catalog detector's loaded model (no loading, no store): also usable where the
 * model comes from elsewhere (a worker, the benchmark's generated COCO-SSD graph).
 */
export async function detectorForModel(
  entry: Pick<CatalogEntry, 'id' | 'family' | 'cocoSsdBase'>,
  model: tf.GraphModel,
  opts: DecoderOptions = {},
): Promise<Detector> {
  switch (entry.family) {
    case 'centernet':
      return createCenterNetDetector(model, {}, entry.id);
    case 'nanodet':
      return createNanoDetDetector(model, {}, entry.id);
    case 'coco-ssd':
      // On WebGPU the library's path would lose the device (see cocoSsdLibraryBlocked); Settings
      // says so, and the fast path, which returns the same detections, runs instead.
      return opts.cocoSsdPath === 'library' && !cocoSsdLibraryBlocked()
        ? createCocoSsdLibraryDetector(await importCocoSsd(), model, entry.cocoSsdBase, entry.id)
        : createCocoSsdFastDetector(model, { classAwareNms: opts.classAwareNms }, entry.id);
    default:
      throw new Error(`${entry.id} is not a detector this app can decode`);
  }
}

/** Loads through the store's loadModel (progress, warm-up, notices) unless a URL overrides it. */
async function loadDetectorModel(
  id: string,
  opts: CreateDetectorOptions,
): Promise<ModelHandle<AnyModel>> {
  const [{ useApp }, { defaultWarmShapes, loadModel }] = await Promise.all([
    import('../store'),
    import('../store/engineActions'),
  ]);
  const configured = useApp.getState().settings.modelUrls[id];
  if (!opts.modelUrl || opts.modelUrl === configured) return loadModel(id);
  const entry = catalogEntry(id);
  const handle = await loadCatalogModel(id, {
    modelUrl: opts.modelUrl,
    onProgress: opts.onProgress,
  });
  await engine.warmUp(
    id,
    defaultWarmShapes(id),
    entry.input.dtype === 'int32' ? 'int32' : 'float32',
  );
  return handle;
}

/**
 * Creates a detector for a catalog id. For COCO-SSD, when its weights cannot be reached and
 * `fallback` is not false, returns the offline CenterNet detector instead (with a notice and
 * `fallbackReason`); a weight file that fails its integrity check is never silently replaced.
 */
export async function createDetector(
  id: string,
  opts: CreateDetectorOptions = {},
): Promise<CreatedDetector> {
  let entry = catalogEntry(id);
  if (entry.task !== 'detect') throw new Error(`${entry.name} is not a detector`);
  let handle: ModelHandle<AnyModel>;
  let fallbackReason: string | undefined;
  try {
    handle = await loadDetectorModel(id, opts);
  } catch (e) {
    const canFall =
      entry.family === 'coco-ssd' &&
      opts.fallback !== false &&
      !(e instanceof ModelIntegrityError) &&
      (e as Error).name !== 'AbortError';
    if (!canFall) throw e;
    fallbackReason = `${entry.name} weights could not be reached (${(e as Error).message}); using the offline ${catalogEntry(OFFLINE_DETECTOR_ID).name} instead.`;
    const [{ useApp }, { loadModel }] = await Promise.all([
      import('../store'),
      import('../store/engineActions'),
    ]);
    useApp.getState().notify('warning', fallbackReason);
    entry = catalogEntry(OFFLINE_DETECTOR_ID);
    handle = await loadModel(OFFLINE_DETECTOR_ID);
  }

  const decoderOpts: DecoderOptions = {
    cocoSsdPath: opts.cocoSsdPath ?? 'fast',
    classAwareNms: opts.classAwareNms,
  };
  let inner: Detector | null = null;
  let generation = -1;
  let disposed = false;
  const current = async () => {
    await engine.whenReady();
    if (!inner || generation !== handle.generation) {
      // The old decoder's model was already disposed by the engine; only drop our reference.
      inner = await detectorForModel(entry, handle.model as tf.GraphModel, decoderOpts);
      generation = handle.generation;
    }
    return inner;
  };
  return {
    id: entry.id,
    requestedId: id,
    fallbackReason,
    async detect(frame, detectOpts) {
      if (disposed) throw new Error(`Detector ${entry.id} was disposed`);
      return (await current()).detect(frame, detectOpts);
    },
    dispose() {
      disposed = true;
      inner = null;
      // The weights belong to the engine, which frees them on unregister.
      engine.unregister(entry.id);
    },
  };
}
