/**
 * Video frames on the inference side. The UI thread hands over `new VideoFrame(video)` (no pixel
 * copy there); here it becomes what `tf.browser.fromPixels` takes, scaled to the size the tasks
 * need, in one step suited to the backend:
 *  - backends that read pixels on the CPU (wasm, cpu): one scaled draw into a CPU-backed
 *    OffscreenCanvas and one getImageData, with no ImageBitmap in between;
 *  - GPU backends (webgpu, webgl): a scaled ImageBitmap, which they copy GPU-side.
 */
import type { BackendName } from '../engine/backendNames';

export type FramePixels = ImageData | ImageBitmap;

/** Whether `backend` reads frame pixels on the CPU (so a canvas read is the cheapest path). */
export function readsPixelsOnCpu(backend: BackendName | string | null): boolean {
  return backend === 'wasm' || backend === 'cpu';
}

let canvas: OffscreenCanvas | null = null;
let context: OffscreenCanvasRenderingContext2D | null = null;

function scratch(width: number, height: number): OffscreenCanvasRenderingContext2D {
  if (!canvas || !context) {
    canvas = new OffscreenCanvas(width, height);
    context = canvas.getContext('2d', { willReadFrequently: true });
    if (!context) throw new Error('no 2D canvas context for video frames');
  }
  if (canvas.width !== width || canvas.height !== height) {
    canvas.width = width;
    canvas.height = height;
  }
  // Resizing a canvas resets its state: set the downscaling filter each time.
  context.imageSmoothingEnabled = true;
  context.imageSmoothingQuality = 'medium';
  return context;
}

/**
 * The pixels of `frame` at `width` x `height`. The caller still owns (and closes) `frame`, and
 * closes a returned ImageBitmap.
 */
export async function videoFramePixels(
  frame: VideoFrame,
  width: number,
  height: number,
  backend: BackendName | string | null,
): Promise<FramePixels> {
  if (readsPixelsOnCpu(backend) && typeof OffscreenCanvas !== 'undefined') {
    const ctx = scratch(width, height);
    ctx.drawImage(frame, 0, 0, width, height);
    return ctx.getImageData(0, 0, width, height);
  }
  return createImageBitmap(frame, {
    resizeWidth: width,
    resizeHeight: height,
    resizeQuality: 'medium',
  });
}
