/**
 * The pure checks behind the hostile-file drop (tests/e2e/hostile-files.spec.ts) and malformed
 * session imports: WebP truncation, the decompression-bomb pixel limit, file names shown with
 * their invisible controls made visible, and corrupt session JSON.
 */
import { describe, expect, it } from 'vitest';
import {
  MAX_PIXELS,
  isTruncated,
  readHeader,
  sizeFailure,
  sniff,
  webpIsComplete,
} from '../../../src/sources/decodeFormat';
import { ImportError, parseImport, toExportJson } from '../../../src/tagging/exportFormats';
import { visibleName } from '../../../src/ui/tag/format';
import type { TagImage } from '../../../src/tagging/types';

const le32 = (n: number) => [n & 255, (n >>> 8) & 255, (n >>> 16) & 255, (n >>> 24) & 255];
const ascii = (s: string) => [...s].map((c) => c.charCodeAt(0));

/** A RIFF/WEBP container with a VP8X chunk for a w x h canvas, `extra` bytes of payload. */
function webp(w: number, h: number, extra: number, riffSize?: number): Uint8Array {
  const vp8x = [
    ...ascii('VP8X'),
    ...le32(10),
    0,
    0,
    0,
    0,
    (w - 1) & 255,
    ((w - 1) >> 8) & 255,
    ((w - 1) >> 16) & 255,
    (h - 1) & 255,
    ((h - 1) >> 8) & 255,
    ((h - 1) >> 16) & 255,
  ];
  const body = [...ascii('WEBP'), ...vp8x, ...new Array<number>(extra).fill(0)];
  return Uint8Array.from([...ascii('RIFF'), ...le32(riffSize ?? body.length), ...body]);
}

describe('WebP truncation', () => {
  it('accepts a WebP holding the bytes its RIFF header promises, refuses a shorter one', () => {
    const whole = webp(640, 480, 100);
    expect(sniff(whole)).toEqual({ kind: 'image', format: 'webp' });
    expect(readHeader('webp', whole)).toEqual({ width: 640, height: 480, orientation: 1 });
    expect(webpIsComplete(whole)).toBe(true);
    expect(isTruncated('webp', whole)).toBe(false);
    // Trailing bytes after the RIFF chunk are harmless.
    expect(isTruncated('webp', Uint8Array.from([...whole, 0, 0]))).toBe(false);
    for (const cut of [whole.length - 1, whole.length / 2, 30, 12, 11])
      expect(isTruncated('webp', whole.subarray(0, cut)), `cut at ${cut}`).toBe(true);
    // A RIFF size larger than the file (a lying or cut header).
    expect(isTruncated('webp', webp(10, 10, 4, 1_000_000))).toBe(true);
  });
});

describe('decompression-bomb limit', () => {
  it('lets a 20000×20000 image through (decoded downscaled) and refuses gigapixel headers', () => {
    expect(sizeFailure({ width: 20000, height: 20000, orientation: 1 })).toBeNull();
    expect(sizeFailure({ width: 20000, height: 25000, orientation: 1 })).toBeNull();
    expect(sizeFailure({ width: 60000, height: 60000, orientation: 1 })).toEqual({
      code: 'too-large',
      message: 'too large: 60000×60000 pixels (the limit is 500 megapixels)',
    });
    expect(sizeFailure({ width: 20001, height: 25000, orientation: 1 })?.code).toBe('too-large');
    expect(sizeFailure({ width: 4000, height: 3000, orientation: 1 }, 10e6)?.message).toBe(
      'too large: 4000×3000 pixels (the limit is 10 megapixels)',
    );
    expect(MAX_PIXELS).toBe(500_000_000);
  });

  it('reads the claimed size of a tiny PNG bomb from its header', () => {
    const ihdr = Uint8Array.from([
      0x89,
      ...ascii('PNG\r\n\x1a\n'),
      0,
      0,
      0,
      13,
      ...ascii('IHDR'),
      0,
      0,
      0xea,
      0x60, // 60000
      0,
      0,
      0xea,
      0x60,
      1,
      0,
      0,
      0,
      0,
    ]);
    const header = readHeader('png', ihdr)!;
    expect(header).toEqual({ width: 60000, height: 60000, orientation: 1 });
    expect(sizeFailure(header)?.code).toBe('too-large');
  });
});

describe('file names on screen', () => {
  it('shows bidi overrides and other invisible controls instead of obeying them', () => {
    expect(visibleName('invoice\u202Egpj.exe')).toBe('invoice⟨U+202E⟩gpj.exe');
    expect(visibleName('a\u2066b\u2069c\u200Fd\u0000e\u001bf')).toBe(
      'a⟨U+2066⟩b⟨U+2069⟩c⟨U+200F⟩d⟨U+0000⟩e⟨U+001B⟩f',
    );
    expect(visibleName('\uFEFFa\u200Bb\u00ADc\u{E0001}')).toBe(
      '⟨U+FEFF⟩a⟨U+200B⟩b⟨U+00AD⟩c⟨U+E0001⟩',
    );
    // Joiners stay (emoji sequences need them).
    expect(visibleName('👩\u200D💻.png')).toBe('👩\u200D💻.png');
    // Markup and ordinary non-ASCII names are left alone (React renders them as text).
    expect(visibleName('<img src=x onerror=alert(1)>.jpg')).toBe(
      '<img src=x onerror=alert(1)>.jpg',
    );
    expect(visibleName('Ünïcødé 写真 صورة.jpg')).toBe('Ünïcødé 写真 صورة.jpg');
  });
});

describe('corrupt session JSON import', () => {
  const img: TagImage = {
    id: 'i1',
    name: '<b>x</b>.jpg',
    path: 'trip/<b>x</b>.jpg',
    size: 10,
    type: 'image/jpeg',
    lastModified: 1,
    addedAt: 1,
    status: 'done',
    predictions: [{ label: 'zebra', score: 0.9, index: 340 }],
    tags: [{ label: 'zebra', score: 0.9, source: 'model' }],
    review: 'unreviewed',
    edits: [],
    hasThumb: false,
  };
  const good = JSON.stringify(toExportJson([img]));

  it('says a damaged or cut-short file is not valid JSON, with the parser’s reason', () => {
    expect(() => parseImport(good.slice(0, good.length - 5))).toThrow(ImportError);
    expect(() => parseImport(good.slice(0, good.length - 5))).toThrow(
      /^The file is not valid JSON \(damaged or cut short\?\): .+\.$/,
    );
    expect(() => parseImport('')).toThrow(/not valid JSON/);
    expect(() => parseImport('\u0000\u0001binary')).toThrow(/not valid JSON/);
  });

  it('names the first bad record of a structurally wrong session', () => {
    const s = JSON.parse(good) as { images: unknown[] };
    expect(() => parseImport(JSON.stringify({ ...s, images: 'all' }))).toThrow(
      'The export has no "images" list.',
    );
    expect(() => parseImport(JSON.stringify({ ...s, images: [null] }))).toThrow(
      'image 1: name, path and size are required',
    );
    // 1e999 parses as Infinity: not a size.
    expect(good).toContain('"size":10,');
    expect(() => parseImport(good.replace('"size":10,', '"size":1e999,'))).toThrow(
      'image 1: name, path and size are required',
    );
    expect(() =>
      parseImport(JSON.stringify({ ...s, images: [{ ...(s.images[0] as object), tags: {} }] })),
    ).toThrow('image 1: "tags" must be a list');
  });

  it('keeps markup in names as plain strings and ignores __proto__ keys', () => {
    const hostile = good.replace('"format"', '"__proto__":{"polluted":true},"format"');
    const [rec] = parseImport(hostile);
    expect(rec.name).toBe('<b>x</b>.jpg');
    expect(({} as { polluted?: boolean }).polluted).toBeUndefined();
  });
});
