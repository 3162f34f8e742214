/**
 * Decodes one image file into what the Tag pipeline needs: the model's input pixels (centre crop
 * or whole image, resized to the model's input size, RGB) and a small WebP thumbnail. Runs in the
 * decode worker (and on the main thread only where workers cannot decode). Never throws: every
 * failure becomes a per-file `DecodeFailure`.
 */
import {
  decodeSize,
  failureFor,
  isTruncated,
  readHeader,
  sizeFailure,
  sniff,
  thumbSize,
  type DecodeFailure,
  type ImageFormat,
} from './decodeFormat';

export interface DecodeRequest {
  /** Model input size; 0 skips the model pixels (thumbnail only). */
  inputWidth: number;
  inputHeight: number;
  crop: 'center' | 'none';
  /** Longest side of the thumbnail in px; 0 skips it. */
  thumbSide: number;
}

export interface DecodedImage {
  ok: true;
  format: ImageFormat;
  /** Size after EXIF orientation, before any downscaling for huge images. */
  width: number;
  height: number;
  /** Whether the image was decoded downscaled because it was huge. */
  downscaled: boolean;
  /** inputHeight x inputWidth x 3 RGB bytes, row-major. */
  pixels: Uint8Array | null;
  thumb: Blob | null;
}

export type DecodeOutcome = DecodedImage | ({ ok: false } & DecodeFailure);

/** Centre square (or whole image) to crop from a width x height image. */
export function sourceRect(width: number, height: number, crop: 'center' | 'none') {
  if (crop === 'none') return { sx: 0, sy: 0, sw: width, sh: height };
  const side = Math.min(width, height);
  return { sx: (width - side) / 2, sy: (height - side) / 2, sw: side, sh: side };
}

function context2d(w: number, h: number): OffscreenCanvasRenderingContext2D {
  const ctx = new OffscreenCanvas(w, h).getContext('2d', { willReadFrequently: true });
  if (!ctx) throw new Error('no 2d context');
  ctx.imageSmoothingEnabled = true;
  ctx.imageSmoothingQuality = 'high';
  return ctx;
}

/** RGBA → RGB, so grayscale and alpha images reach every model as three channels. */
export function rgbaToRgb(rgba: Uint8ClampedArray | Uint8Array): Uint8Array {
  const n = rgba.length >> 2;
  const out = new Uint8Array(n * 3);
  for (let i = 0, j = 0; i < n; i++, j += 3) {
    const k = i << 2;
    out[j] = rgba[k];
    out[j + 1] = rgba[k + 1];
    out[j + 2] = rgba[k + 2];
  }
  return out;
}

/** Bytes read before the whole file: enough for the magic bytes and the header of any format. */
const HEAD_BYTES = 256 * 1024;

async function readBytes(blob: Blob): Promise<Uint8Array | DecodeFailure> {
  try {
    return new Uint8Array(await blob.arrayBuffer());
  } catch (e) {
    return { code: 'corrupt', message: `corrupt: could not be read (${(e as Error).message})` };
  }
}

export async function decodeImage(blob: Blob, req: DecodeRequest): Promise<DecodeOutcome> {
  // The head first: a file that is not an image, or is too large, is refused without reading
  // (possibly hundreds of megabytes of) the rest.
  const head = await readBytes(blob.slice(0, HEAD_BYTES));
  if (!(head instanceof Uint8Array)) return { ok: false, ...head };
  const kind = sniff(head.subarray(0, 1024), blob.size);
  if (kind.kind !== 'image') return { ok: false, ...failureFor(kind) };
  const format = kind.format;
  const header = readHeader(format, head);
  if (header && (header.width === 0 || header.height === 0))
    return { ok: false, code: 'corrupt', message: 'corrupt: the header says 0 pixels' };
  const huge = header && sizeFailure(header);
  if (huge) return { ok: false, ...huge };
  const bytes = blob.size <= HEAD_BYTES ? head : await readBytes(blob);
  if (!(bytes instanceof Uint8Array)) return { ok: false, ...bytes };
  if (isTruncated(format, bytes))
    return { ok: false, code: 'corrupt', message: 'corrupt: truncated image data' };
  const resize = header ? decodeSize(header) : null;

  let bitmap: ImageBitmap;
  try {
    bitmap = await createImageBitmap(new Blob([bytes as BlobPart]), {
      imageOrientation: 'from-image',
      ...(resize
        ? { resizeWidth: resize.width, resizeHeight: resize.height, resizeQuality: 'medium' }
        : {}),
    });
  } catch {
    return { ok: false, code: 'corrupt', message: 'corrupt: the image data could not be decoded' };
  }
  try {
    if (bitmap.width === 0 || bitmap.height === 0)
      return { ok: false, code: 'corrupt', message: 'corrupt: decoded to 0 pixels' };
    const swap = (header?.orientation ?? 1) >= 5;
    const width = header ? (swap ? header.height : header.width) : bitmap.width;
    const height = header ? (swap ? header.width : header.height) : bitmap.height;

    let pixels: Uint8Array | null = null;
    if (req.inputWidth > 0 && req.inputHeight > 0) {
      const ctx = context2d(req.inputWidth, req.inputHeight);
      const r = sourceRect(bitmap.width, bitmap.height, req.crop);
      ctx.drawImage(bitmap, r.sx, r.sy, r.sw, r.sh, 0, 0, req.inputWidth, req.inputHeight);
      pixels = rgbaToRgb(ctx.getImageData(0, 0, req.inputWidth, req.inputHeight).data);
    }
    let thumb: Blob | null = null;
    if (req.thumbSide > 0) {
      const t = thumbSize(bitmap.width, bitmap.height, req.thumbSide);
      const ctx = context2d(t.width, t.height);
      ctx.drawImage(bitmap, 0, 0, t.width, t.height);
      thumb = await (ctx.canvas as OffscreenCanvas).convertToBlob({
        type: 'image/webp',
        quality: 0.8,
      });
    }
    return { ok: true, format, width, height, downscaled: resize !== null, pixels, thumb };
  } catch (e) {
    return { ok: false, code: 'corrupt', message: `corrupt: ${(e as Error).message}` };
  } finally {
    bitmap.close();
  }
}
