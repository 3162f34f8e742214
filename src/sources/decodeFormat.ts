/**
 * Pure byte-level checks done before decoding a dropped file: what format the magic bytes say
 * (never trusting the extension or MIME type), the pixel size from the header (so a huge image is
 * decoded downscaled), the EXIF orientation, and whether a JPEG or PNG is complete (browsers
 * happily decode a truncated JPEG as a grey-bottomed picture, which would be tagged as garbage).
 */

export type ImageFormat = 'jpeg' | 'png' | 'gif' | 'webp' | 'bmp' | 'avif' | 'ico';
export type UnsupportedFormat = 'HEIC' | 'TIFF' | 'SVG' | 'PSD' | 'JPEG XL';

export type Sniffed =
  | { kind: 'image'; format: ImageFormat }
  | { kind: 'unsupported'; format: UnsupportedFormat }
  | { kind: 'empty' }
  | { kind: 'not-image' };

export type DecodeErrorCode = 'empty' | 'not-image' | 'unsupported' | 'corrupt' | 'too-large';

export interface DecodeFailure {
  code: DecodeErrorCode;
  /** Shown to the user as is, e.g. "unsupported format: HEIC". */
  message: string;
}

const ascii = (b: Uint8Array, at: number, len: number): string =>
  String.fromCharCode(...b.subarray(at, at + len));

const HEIF_BRANDS = new Set(['heic', 'heix', 'hevc', 'hevx', 'heim', 'heis', 'hevm', 'hevs']);

/** Identifies a file from its first bytes (16 are enough except for ISO-BMFF brand lists). */
export function sniff(head: Uint8Array, totalSize = head.length): Sniffed {
  if (totalSize === 0) return { kind: 'empty' };
  const b = head;
  if (b.length >= 3 && b[0] === 0xff && b[1] === 0xd8 && b[2] === 0xff)
    return { kind: 'image', format: 'jpeg' };
  if (b.length >= 8 && ascii(b, 1, 3) === 'PNG' && b[0] === 0x89 && b[4] === 0x0d)
    return { kind: 'image', format: 'png' };
  if (b.length >= 6 && (ascii(b, 0, 6) === 'GIF87a' || ascii(b, 0, 6) === 'GIF89a'))
    return { kind: 'image', format: 'gif' };
  if (b.length >= 12 && ascii(b, 0, 4) === 'RIFF' && ascii(b, 8, 4) === 'WEBP')
    return { kind: 'image', format: 'webp' };
  if (b.length >= 14 && ascii(b, 0, 2) === 'BM') return { kind: 'image', format: 'bmp' };
  if (b.length >= 12 && ascii(b, 4, 4) === 'ftyp') {
    const boxSize = (b[0] << 24) | (b[1] << 16) | (b[2] << 8) | b[3];
    const brands = [ascii(b, 8, 4)];
    for (let at = 16; at + 4 <= Math.min(boxSize, b.length); at += 4) brands.push(ascii(b, at, 4));
    if (brands.some((x) => x === 'avif' || x === 'avis')) return { kind: 'image', format: 'avif' };
    if (brands.some((x) => HEIF_BRANDS.has(x) || x === 'mif1' || x === 'msf1'))
      return { kind: 'unsupported', format: 'HEIC' };
    return { kind: 'not-image' }; // MP4, MOV, 3GP…
  }
  if (b.length >= 4 && b[0] === 0 && b[1] === 0 && b[2] === 1 && b[3] === 0)
    return { kind: 'image', format: 'ico' };
  if (
    b.length >= 4 &&
    ((b[0] === 0x49 && b[1] === 0x49 && b[2] === 0x2a && b[3] === 0) ||
      (b[0] === 0x4d && b[1] === 0x4d && b[2] === 0 && b[3] === 0x2a))
  )
    return { kind: 'unsupported', format: 'TIFF' };
  if (b.length >= 4 && ascii(b, 0, 4) === '8BPS') return { kind: 'unsupported', format: 'PSD' };
  if (
    (b.length >= 2 && b[0] === 0xff && b[1] === 0x0a) ||
    (b.length >= 12 && ascii(b, 4, 8) === 'JXL \r\n\x87\n')
  )
    return { kind: 'unsupported', format: 'JPEG XL' };
  const text = ascii(b, 0, Math.min(b.length, 256))
    .replace(/^\uFEFF/, '')
    .trimStart();
  if (/^<svg[\s>]/i.test(text) || (/^<\?xml/i.test(text) && /<svg[\s>]/i.test(text)))
    return { kind: 'unsupported', format: 'SVG' };
  return { kind: 'not-image' };
}

export function failureFor(s: Exclude<Sniffed, { kind: 'image' }>): DecodeFailure {
  switch (s.kind) {
    case 'empty':
      return { code: 'empty', message: 'corrupt: empty file (0 bytes)' };
    case 'unsupported':
      return { code: 'unsupported', message: `unsupported format: ${s.format}` };
    case 'not-image':
      return { code: 'not-image', message: 'not an image' };
  }
}

export interface HeaderInfo {
  width: number;
  height: number;
  /** EXIF orientation 1..8 (JPEG only; 1 when absent). 5..8 swap width and height. */
  orientation: number;
}

const u16be = (b: Uint8Array, i: number) => (b[i] << 8) | b[i + 1];
const u16le = (b: Uint8Array, i: number) => b[i] | (b[i + 1] << 8);
const u32be = (b: Uint8Array, i: number) =>
  ((b[i] << 24) >>> 0) + (b[i + 1] << 16) + u16be(b, i + 2);
const u32le = (b: Uint8Array, i: number) =>
  (u16le(b, i) + ((b[i + 2] << 16) | (b[i + 3] << 24))) >>> 0;
const i32le = (b: Uint8Array, i: number) =>
  b[i] | (b[i + 1] << 8) | (b[i + 2] << 16) | (b[i + 3] << 24);

function exifOrientation(b: Uint8Array, start: number, end: number): number {
  // "Exif\0\0" then a TIFF header.
  if (end - start < 14 || ascii(b, start, 4) !== 'Exif') return 1;
  const t = start + 6;
  const le = b[t] === 0x49;
  const r16 = (i: number) => (le ? u16le(b, i) : u16be(b, i));
  const r32 = (i: number) => (le ? u32le(b, i) : u32be(b, i));
  const ifd = t + r32(t + 4);
  if (ifd + 2 > end) return 1;
  const count = r16(ifd);
  for (let k = 0; k < count; k++) {
    const e = ifd + 2 + k * 12;
    if (e + 12 > end) break;
    if (r16(e) === 0x0112) {
      const v = r16(e + 8);
      return v >= 1 && v <= 8 ? v : 1;
    }
  }
  return 1;
}

function jpegHeader(b: Uint8Array): HeaderInfo | null {
  let i = 2;
  let orientation = 1;
  while (i + 4 <= b.length) {
    if (b[i] !== 0xff) return null;
    const marker = b[i + 1];
    if (marker === 0xff) {
      i++; // fill byte
      continue;
    }
    const len = u16be(b, i + 2);
    if (marker === 0xe1) orientation = exifOrientation(b, i + 4, Math.min(b.length, i + 2 + len));
    // SOF0..SOF15 except DHT (C4), JPG (C8) and DAC (CC).
    if (marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc) {
      if (i + 9 > b.length) return null;
      return { height: u16be(b, i + 5), width: u16be(b, i + 7), orientation };
    }
    i += 2 + len;
  }
  return null;
}

/** Pixel size (and orientation) from the first bytes of a file, or null when not in the head. */
export function readHeader(format: ImageFormat, b: Uint8Array): HeaderInfo | null {
  switch (format) {
    case 'jpeg':
      return jpegHeader(b);
    case 'png':
      return b.length >= 24 ? { width: u32be(b, 16), height: u32be(b, 20), orientation: 1 } : null;
    case 'gif':
      return b.length >= 10 ? { width: u16le(b, 6), height: u16le(b, 8), orientation: 1 } : null;
    case 'bmp':
      return b.length >= 26
        ? { width: Math.abs(i32le(b, 18)), height: Math.abs(i32le(b, 22)), orientation: 1 }
        : null;
    case 'webp': {
      if (b.length < 30) return null;
      const chunk = ascii(b, 12, 4);
      if (chunk === 'VP8 ')
        return { width: u16le(b, 26) & 0x3fff, height: u16le(b, 28) & 0x3fff, orientation: 1 };
      if (chunk === 'VP8L') {
        const bits = u32le(b, 21);
        return { width: (bits & 0x3fff) + 1, height: ((bits >>> 14) & 0x3fff) + 1, orientation: 1 };
      }
      if (chunk === 'VP8X') {
        const w = 1 + (b[24] | (b[25] << 8) | (b[26] << 16));
        const h = 1 + (b[27] | (b[28] << 8) | (b[29] << 16));
        return { width: w, height: h, orientation: 1 };
      }
      return null;
    }
    default:
      return null;
  }
}

/**
 * Whether a JPEG holds its end-of-image marker after the last scan. Walks the marker segments
 * and skips entropy-coded data (where 0xFF is always stuffed as FF00 or is a restart marker), so
 * an EOI inside an embedded EXIF thumbnail is not mistaken for the end.
 */
export function jpegIsComplete(b: Uint8Array): boolean {
  let i = 2;
  while (i + 1 < b.length) {
    if (b[i] !== 0xff) return false;
    const marker = b[i + 1];
    if (marker === 0xd9) return true;
    if (marker === 0xff || marker === 0x01 || (marker >= 0xd0 && marker <= 0xd7)) {
      i += marker === 0xff ? 1 : 2;
      continue;
    }
    if (i + 3 >= b.length) return false;
    const len = u16be(b, i + 2);
    i += 2 + len;
    if (marker !== 0xda) continue;
    // Entropy-coded data runs to the next marker that is not a stuffed byte or a restart.
    while (i + 1 < b.length) {
      if (b[i] === 0xff) {
        const m = b[i + 1];
        if (m !== 0 && !(m >= 0xd0 && m <= 0xd7) && m !== 0xff) break;
        i += m === 0xff ? 1 : 2;
        continue;
      }
      i++;
    }
  }
  return false;
}

/** Whether a PNG's chunk chain reaches IEND inside the file. */
export function pngIsComplete(b: Uint8Array): boolean {
  let i = 8;
  while (i + 8 <= b.length) {
    const len = u32be(b, i);
    if (ascii(b, i + 4, 4) === 'IEND') return true;
    i += 12 + len;
  }
  return false;
}

/** Whether a WebP (RIFF) file holds as many bytes as its RIFF header says. */
export function webpIsComplete(b: Uint8Array): boolean {
  return b.length >= 12 && u32le(b, 4) + 8 <= b.length;
}

/** Truncation check for the formats where browsers would otherwise decode a partial picture. */
export function isTruncated(format: ImageFormat, b: Uint8Array): boolean {
  if (format === 'jpeg') return !jpegIsComplete(b);
  if (format === 'png') return !pngIsComplete(b);
  if (format === 'webp') return !webpIsComplete(b);
  return false;
}

/**
 * Most pixels an image may have (500 megapixels: a 20000×25000 picture, 2 GB as RGBA). Browsers
 * decode PNG, GIF and WebP at full size before any downscaling, so a small file whose header
 * claims gigapixels (a decompression bomb) would take the tab's memory; it is refused unread.
 */
export const MAX_PIXELS = 500_000_000;

/** A "too large" failure when the header's size is over `maxPixels`, else null. */
export function sizeFailure(header: HeaderInfo, maxPixels = MAX_PIXELS): DecodeFailure | null {
  if (header.width * header.height <= maxPixels) return null;
  return {
    code: 'too-large',
    message: `too large: ${header.width}×${header.height} pixels (the limit is ${Math.round(maxPixels / 1e6)} megapixels)`,
  };
}

/** Largest side an image is decoded at; bigger ones are decoded downscaled to this. */
export const MAX_DECODE_SIDE = 4096;

/**
 * The size to ask `createImageBitmap` for so the longest side is at most `maxSide`, in the
 * oriented frame (EXIF orientations 5..8 swap the sides), or null when no resize is needed.
 */
export function decodeSize(
  header: HeaderInfo,
  maxSide = MAX_DECODE_SIDE,
): { width: number; height: number } | null {
  const swap = header.orientation >= 5;
  const w = swap ? header.height : header.width;
  const h = swap ? header.width : header.height;
  const longest = Math.max(w, h);
  if (longest <= maxSide || longest === 0) return null;
  const s = maxSide / longest;
  return { width: Math.max(1, Math.round(w * s)), height: Math.max(1, Math.round(h * s)) };
}

/** Thumbnail size that keeps the aspect ratio with the longest side `side`. */
export function thumbSize(
  width: number,
  height: number,
  side: number,
): { width: number; height: number } {
  const s = Math.min(1, side / Math.max(width, height));
  return { width: Math.max(1, Math.round(width * s)), height: Math.max(1, Math.round(height * s)) };
}
