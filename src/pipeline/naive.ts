/**
 * The bench's naive reference, loaded on demand (never by the app's own UI): what a typical
 * TF.js demo does — a requestAnimationFrame loop on the UI thread calling
 * `@tensorflow-models/mobilenet` `classify(video)` (and a detector's `detect(video)`), which
 * uploads the video once per model and blocks the next frame on each readback.
 *
 * Also an upload probe for the WebGPU external-texture evaluation: `fromPixels(video)` with
 * WEBGPU_IMPORT_EXTERNAL_TEXTURE on (importExternalTexture, no CPU copy) and off (drawImage to a
 * 2D canvas, then copyExternalImageToTexture), and the worker's path (createImageBitmap, then
 * fromPixels(bitmap) = copyExternalImageToTexture), timed and compared pixel for pixel.
 */
import * as mobilenet from '@tensorflow-models/mobilenet';
import { tf } from '../engine/tf';
import { loadModel } from '../store/engineActions';
import { createCenterNetDetector } from '../detection/centernet';

export interface NaiveRun {
  frames: number;
  seconds: number;
  /** Per iteration: classify (+ detect) wall time, ms. */
  latencies: number[];
  /** Distinct video frames processed (the loop often re-processes the same frame). */
  distinctFrames: number;
  /** How classify(video) got the frame onto the GPU (webgpu: external texture or canvas copy). */
  upload: string;
  longTasks: number;
  longTaskMs: number;
}

export async function runNaiveLoop(
  video: HTMLVideoElement,
  opts: { classifierUrl: string; detect: boolean; durationMs: number; maxFrames: number },
): Promise<NaiveRun> {
  const model = await mobilenet.load({
    version: 1,
    alpha: 0.25,
    modelUrl: opts.classifierUrl,
    inputRange: [0, 1],
  });
  const detector = opts.detect
    ? createCenterNetDetector(
        (await loadModel('centernet-mobilenetv3')).model as tf.GraphModel,
        {},
        'naive-centernet',
      )
    : null;
  // Warm-up (shader compilation) is not part of the measurement. On WebGPU, fromPixels(video)
  // imports an external texture; some adapters (SwiftShader with a fake camera) refuse it, and a
  // demo author would then turn the flag off, so the reference does the same and says so.
  const flag = 'WEBGPU_IMPORT_EXTERNAL_TEXTURE';
  const onWebGpu = tf.getBackend() === 'webgpu';
  let upload = onWebGpu ? 'importExternalTexture' : 'fromPixels(video)';
  try {
    await model.classify(video);
  } catch (e) {
    if (!onWebGpu || tf.env().getFlags()[flag] === false) throw e;
    tf.env().set(flag, false);
    upload = `canvas copy (importExternalTexture failed: ${(e as Error).message})`;
    await model.classify(video);
  }
  if (detector) await detector.detect(video, { minScore: 0.3 });

  const long = { n: 0, ms: 0 };
  const obs = new PerformanceObserver((list) => {
    for (const e of list.getEntries()) {
      long.n++;
      long.ms += e.duration;
    }
  });
  obs.observe({ type: 'longtask', buffered: false });
  const latencies: number[] = [];
  const seen = new Set<number>();
  const t0 = performance.now();
  await new Promise<void>((resolve) => {
    const tick = async () => {
      if (performance.now() - t0 > opts.durationMs || latencies.length >= opts.maxFrames) {
        resolve();
        return;
      }
      const s = performance.now();
      seen.add(video.currentTime);
      await model.classify(video);
      if (detector) await detector.detect(video, { minScore: 0.3 });
      latencies.push(performance.now() - s);
      requestAnimationFrame(() => void tick());
    };
    requestAnimationFrame(() => void tick());
  });
  const seconds = (performance.now() - t0) / 1000;
  obs.disconnect();
  // The mobilenet package owns its model; the detector's model belongs to the engine.
  (model as unknown as { model?: { dispose: () => void } }).model?.dispose();
  return {
    frames: latencies.length,
    seconds,
    latencies,
    distinctFrames: seen.size,
    upload,
    longTasks: long.n,
    longTaskMs: long.ms,
  };
}

export interface UploadProbe {
  backend: string;
  external: number[];
  canvasCopy: number[];
  bitmap: number[];
  /** Mean absolute difference (0..255) between the external-texture (else bitmap) and canvas paths. */
  meanAbsDiff: number;
  /** Why the external-texture import failed on this adapter, if it did. */
  externalError?: string;
}

async function timed(
  make: () => tf.Tensor3D | Promise<tf.Tensor3D>,
): Promise<[number, tf.Tensor3D]> {
  const s = performance.now();
  const t = await make();
  const probe = tf.sum(t);
  await probe.data();
  probe.dispose();
  return [performance.now() - s, t];
}

/** Times the three ways a video frame reaches the GPU on this thread (see the header). */
export async function uploadProbe(video: HTMLVideoElement, n: number): Promise<UploadProbe> {
  const flag = 'WEBGPU_IMPORT_EXTERNAL_TEXTURE';
  const env = tf.env();
  const had = env.getFlags()[flag];
  const out: UploadProbe = {
    backend: tf.getBackend(),
    external: [],
    canvasCopy: [],
    bitmap: [],
    meanAbsDiff: 0,
  };
  let diffSum = 0;
  try {
    for (let i = 0; i < n; i++) {
      let a = NaN;
      let ta: tf.Tensor3D | null = null;
      if (tf.getBackend() === 'webgpu' && !out.externalError) {
        env.set(flag, true);
        try {
          [a, ta] = await timed(() => tf.browser.fromPixels(video, 3));
        } catch (e) {
          out.externalError = (e as Error).message;
        }
      }
      if (tf.getBackend() === 'webgpu') env.set(flag, false);
      const [b, tb] = await timed(() => tf.browser.fromPixels(video, 3));
      const [c, tc] = await timed(async () => {
        const bmp = await createImageBitmap(video);
        const t = tf.browser.fromPixels(bmp, 3);
        bmp.close();
        return t;
      });
      if (ta) out.external.push(a);
      out.canvasCopy.push(b);
      out.bitmap.push(c);
      // Pixel agreement: the external texture against the canvas copy, else the bitmap path.
      const ref = ta ?? tc;
      const d = tf.tidy(() =>
        tf.mean(tf.abs(tf.sub(tf.cast(ref, 'float32'), tf.cast(tb, 'float32')))),
      );
      diffSum += (await d.data())[0];
      tf.dispose([d, tb, tc]);
      if (ta) ta.dispose();
    }
  } finally {
    if (had !== undefined) env.set(flag, had);
  }
  out.meanAbsDiff = diffSum / Math.max(1, n);
  return out;
}
