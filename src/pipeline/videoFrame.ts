/**
 * Video frames on the inference side. The UI thread hands over `new VideoFrame(video)` (no pixel
 * copy there); here it becomes what `tf.browser.fromPixels` takes, scaled to the size the tasks
 * need, in the way suited to the backend:
 *  - backends that read pixels on the CPU (wasm, cpu): a bilinear-scaled ImageBitmap drawn into
 *    a CPU-backed OffscreenCanvas and read with getImageData;
 *  - GPU backends (webgpu, webgl): a scaled ImageBitmap, which they copy GPU-side.
 * `npm run bench -- --workload frame-convert` times the ways there are: on wasm here the
 * bilinear ImageBitmap was faster than a medium-quality draw of the frame itself in every run,
 * at 299x224 and at full size, with pixels as close to the photo.
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
    const bitmap = await createImageBitmap(frame, {
      resizeWidth: width,
      resizeHeight: height,
      resizeQuality: 'low',
    });
    try {
      const ctx = scratch(width, height);
      ctx.drawImage(bitmap, 0, 0);
      return ctx.getImageData(0, 0, width, height);
    } finally {
      bitmap.close();
    }
  }
  return createImageBitmap(frame, {
    resizeWidth: width,
    resizeHeight: height,
    resizeQuality: 'medium',
  });
}
