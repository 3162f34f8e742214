/** Image helpers: decode a Blob to pixels, downscale a photo or frame for storage. */
import { tf } from '../engine/tf';

/** Samples are stored with this short side: enough for random 224 crops, small in IndexedDB. */
export const STORE_SIDE = 256;

export async function decodeBitmap(blob: Blob): Promise<ImageBitmap> {
  try {
    return await createImageBitmap(blob, { imageOrientation: 'from-image' });
  } catch {
    throw new Error(`Could not decode the image (${blob.type || 'unknown type'}).`);
  }
}

export async function blobToPixels(blob: Blob): Promise<tf.Tensor3D> {
  const bmp = await decodeBitmap(blob);
  try {
    return tf.browser.fromPixels(bmp);
  } finally {
    bmp.close();
  }
}

/** Downscales (never upscales) so the short side is STORE_SIDE, then JPEG-encodes. */
export async function toStoredImage(
  source: CanvasImageSource & { width: number; height: number },
): Promise<Blob> {
  const w0 = 'videoWidth' in source ? (source as HTMLVideoElement).videoWidth : source.width;
  const h0 = 'videoHeight' in source ? (source as HTMLVideoElement).videoHeight : source.height;
  const scale = Math.min(1, STORE_SIDE / Math.min(w0, h0));
  const w = Math.max(1, Math.round(w0 * scale));
  const h = Math.max(1, Math.round(h0 * scale));
  const canvas = new OffscreenCanvas(w, h);
  const ctx = canvas.getContext('2d');
  if (!ctx) throw new Error('2D canvas unavailable');
  ctx.drawImage(source, 0, 0, w, h);
  return canvas.convertToBlob({ type: 'image/jpeg', quality: 0.92 });
}

export async function fileToStoredImage(blob: Blob): Promise<Blob> {
  const bmp = await decodeBitmap(blob);
  try {
    return await toStoredImage(bmp);
  } finally {
    bmp.close();
  }
}

/** Lets the browser paint and handle input between batches without a 16 ms frame wait. */
export function yieldToUi(): Promise<void> {
  return new Promise((resolve) => {
    const ch = new MessageChannel();
    ch.port1.onmessage = () => resolve();
    ch.port2.postMessage(0);
  });
}
