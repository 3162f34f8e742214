import { describe, expect, it } from 'vitest';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import {
  decodeSize,
  failureFor,
  isTruncated,
  jpegIsComplete,
  pngIsComplete,
  readHeader,
  sniff,
  thumbSize,
} from '../../../src/sources/decodeFormat';
import { IMAGENET } from '../../harness/data';

const bytes = (...parts: (number[] | string)[]) =>
  Uint8Array.from(
    parts.flatMap((p) => (typeof p === 'string' ? [...p].map((c) => c.charCodeAt(0)) : p)),
  );
const u32 = (n: number) => [(n >>> 24) & 255, (n >>> 16) & 255, (n >>> 8) & 255, n & 255];

/** A structurally valid PNG header: signature, IHDR for w x h, then IEND (CRCs are not checked). */
const png = (w: number, h: number, withEnd = true) =>
  bytes(
    [0x89],
    'PNG\r\n\x1a\n',
    u32(13),
    'IHDR',
    u32(w),
    u32(h),
    [8, 2, 0, 0, 0],
    u32(0),
    ...(withEnd ? [u32(0), 'IEND', u32(0xae426082)] : []),
  );

const tench = readFileSync(join(IMAGENET, 'n01440764_tench.JPEG'));
const hammerhead = readFileSync(join(IMAGENET, 'n01494475_hammerhead.JPEG'));

describe('magic-byte sniffing', () => {
  it('recognises what browsers decode, whatever the extension says', () => {
    expect(sniff(tench)).toEqual({ kind: 'image', format: 'jpeg' });
    expect(sniff(png(1, 1))).toEqual({ kind: 'image', format: 'png' });
    expect(sniff(bytes('GIF89a', [1, 0, 1, 0]))).toEqual({ kind: 'image', format: 'gif' });
    expect(sniff(bytes('RIFF', u32(0), 'WEBPVP8 '))).toEqual({ kind: 'image', format: 'webp' });
    expect(sniff(bytes('BM', new Array(24).fill(0)))).toEqual({ kind: 'image', format: 'bmp' });
    expect(sniff(bytes(u32(28), 'ftypavif', u32(0), 'avifmif1miaf'))).toEqual({
      kind: 'image',
      format: 'avif',
    });
  });

  it('names formats it cannot decode, and tells text and empty files apart', () => {
    expect(sniff(bytes(u32(24), 'ftypheic', u32(0), 'mif1heic'))).toEqual({
      kind: 'unsupported',
      format: 'HEIC',
    });
    expect(sniff(bytes('II*', [0], u32(8)))).toEqual({ kind: 'unsupported', format: 'TIFF' });
    expect(sniff(bytes('<?xml version="1.0"?>\n<svg xmlns="x">'))).toEqual({
      kind: 'unsupported',
      format: 'SVG',
    });
    expect(sniff(bytes(u32(20), 'ftypisom', u32(0), 'isom'))).toEqual({ kind: 'not-image' });
    expect(sniff(bytes('shopping list: milk'))).toEqual({ kind: 'not-image' });
    expect(sniff(new Uint8Array(0))).toEqual({ kind: 'empty' });
    expect(failureFor({ kind: 'unsupported', format: 'HEIC' }).message).toBe(
      'unsupported format: HEIC',
    );
    expect(failureFor({ kind: 'not-image' }).message).toBe('not an image');
    expect(failureFor({ kind: 'empty' })).toEqual({
      code: 'empty',
      message: 'corrupt: empty file (0 bytes)',
    });
  });
});

describe('headers', () => {
  it('reads JPEG sizes from the SOF segment (checked against ffprobe)', () => {
    expect(readHeader('jpeg', tench)).toEqual({ width: 500, height: 375, orientation: 1 });
    expect(readHeader('jpeg', hammerhead)).toEqual({ width: 333, height: 500, orientation: 1 });
  });

  it('reads PNG, GIF and BMP sizes', () => {
    expect(readHeader('png', png(20000, 15000))).toEqual({
      width: 20000,
      height: 15000,
      orientation: 1,
    });
    expect(readHeader('gif', bytes('GIF89a', [0x40, 0x01, 0xf0, 0x00]))).toEqual({
      width: 320,
      height: 240,
      orientation: 1,
    });
    const bmp = new Uint8Array(26);
    bmp.set([0x42, 0x4d]);
    new DataView(bmp.buffer).setInt32(18, 640, true);
    new DataView(bmp.buffer).setInt32(22, -480, true); // top-down BMPs store a negative height
    expect(readHeader('bmp', bmp)).toEqual({ width: 640, height: 480, orientation: 1 });
  });

  it('reads the EXIF orientation of a JPEG', () => {
    // SOI, APP1 "Exif\0\0" + big-endian TIFF with one IFD entry 0x0112 = 6, then SOF0 100x50.
    const tiff = [
      ...bytes('MM'),
      0,
      42,
      ...u32(8),
      0,
      1,
      0x01,
      0x12,
      0,
      3,
      ...u32(1),
      0,
      6,
      0,
      0,
      ...u32(0),
    ];
    const app1 = [...bytes('Exif'), 0, 0, ...tiff];
    const jpeg = bytes(
      [0xff, 0xd8, 0xff, 0xe1],
      [(app1.length + 2) >> 8, (app1.length + 2) & 255],
      app1,
      [0xff, 0xc0, 0, 11, 8, 0, 50, 0, 100, 1, 1, 0x11, 0],
    );
    expect(readHeader('jpeg', jpeg)).toEqual({ width: 100, height: 50, orientation: 6 });
  });
});

describe('truncation', () => {
  it('accepts every complete ImageNet sample and refuses each cut short', () => {
    const files = readdirSync(IMAGENET)
      .filter((f) => f.endsWith('.JPEG'))
      .slice(0, 40);
    for (const f of files) {
      const b = readFileSync(join(IMAGENET, f));
      expect(jpegIsComplete(b), f).toBe(true);
      expect(jpegIsComplete(b.subarray(0, Math.floor(b.length * 0.4))), f).toBe(false);
      expect(jpegIsComplete(b.subarray(0, b.length - 2)), f).toBe(false);
    }
  });

  it('checks a PNG reaches IEND', () => {
    expect(pngIsComplete(png(2, 2))).toBe(true);
    expect(isTruncated('png', png(2, 2, false))).toBe(true);
    expect(isTruncated('gif', bytes('GIF89a'))).toBe(false);
  });
});

describe('decode and thumbnail sizes', () => {
  it('downscales huge images to the 4096 px limit, in the oriented frame', () => {
    expect(decodeSize({ width: 20000, height: 20000, orientation: 1 })).toEqual({
      width: 4096,
      height: 4096,
    });
    expect(decodeSize({ width: 8000, height: 2000, orientation: 1 })).toEqual({
      width: 4096,
      height: 1024,
    });
    expect(decodeSize({ width: 8000, height: 2000, orientation: 6 })).toEqual({
      width: 1024,
      height: 4096,
    });
    expect(decodeSize({ width: 4000, height: 3000, orientation: 1 })).toBeNull();
  });

  it('keeps the aspect ratio of thumbnails and never upscales', () => {
    expect(thumbSize(500, 375, 192)).toEqual({ width: 192, height: 144 });
    expect(thumbSize(333, 500, 192)).toEqual({ width: 128, height: 192 });
    expect(thumbSize(100, 50, 192)).toEqual({ width: 100, height: 50 });
  });
});
