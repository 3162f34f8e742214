/**
 * Hostile files for the fuzz-style drop test, made at test time into a temporary folder (never
 * committed): empty, truncated and bit-flipped images, huge images and decompression bombs
 * (PNGs written here with node:zlib), script-bearing SVG/HTML, 0×0 and 1×1 images, a CMYK JPEG,
 * an animated GIF, HEIC, a 200 MB sparse file and hostile file names. Real photos come from
 * ../shared/data; WebP and GIF are made with ffmpeg.
 */
import { execFileSync } from 'node:child_process';
import {
  closeSync,
  openSync,
  readFileSync,
  writeFileSync,
  ftruncateSync,
  writeSync,
} from 'node:fs';
import { join } from 'node:path';
import { createDeflate, crc32, deflateSync } from 'node:zlib';
import { rng } from '../../src/training/split';

// ---------------------------------------------------------------- PNG

function chunk(type: string, data: Uint8Array): Buffer {
  const head = Buffer.alloc(8);
  head.writeUInt32BE(data.length, 0);
  head.write(type, 4, 'latin1');
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(Buffer.concat([head.subarray(4), data])) >>> 0, 0);
  return Buffer.concat([head, data, crc]);
}

const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

function ihdr(width: number, height: number, bitDepth: number, colorType: number): Buffer {
  const b = Buffer.alloc(13);
  b.writeUInt32BE(width, 0);
  b.writeUInt32BE(height, 4);
  b[8] = bitDepth;
  b[9] = colorType;
  return chunk('IHDR', b);
}

/** A small PNG: RGB 8-bit rows from `pixel(x, y)`. */
export function smallPng(
  width: number,
  height: number,
  pixel: (x: number, y: number) => [number, number, number],
): Buffer {
  const stride = 1 + width * 3;
  const raw = Buffer.alloc(stride * height);
  for (let y = 0; y < height; y++)
    for (let x = 0; x < width; x++) raw.set(pixel(x, y), y * stride + 1 + x * 3);
  return Buffer.concat([
    PNG_SIGNATURE,
    ihdr(width, height, 8, 2),
    chunk('IDAT', deflateSync(raw)),
    chunk('IEND', new Uint8Array()),
  ]);
}

/**
 * A big grey PNG streamed through zlib, row by row (never the whole raw image in memory):
 * `row(y)` returns one row's samples, or null for an all-zero row. Mostly-zero images compress
 * about 1000:1, so a 20000×20000 picture is a few hundred KB and a 1-bit 60000×60000 "bomb"
 * (3.6 gigapixels, 14 GB as RGBA) is about 400 KB.
 */
export async function bigGreyPng(
  width: number,
  height: number,
  bitDepth: 1 | 8,
  row: (y: number) => Uint8Array | null,
): Promise<Buffer> {
  const rowBytes = Math.ceil((width * bitDepth) / 8);
  const zero = Buffer.alloc(1 + rowBytes);
  const out: Buffer[] = [];
  const z = createDeflate({ level: 9 });
  z.on('data', (d: Buffer) => out.push(d));
  const done = new Promise<void>((res, rej) => {
    z.on('end', res);
    z.on('error', rej);
  });
  for (let y = 0; y < height; y++) {
    const r = row(y);
    const line = r ? Buffer.concat([Buffer.from([0]), r]) : zero;
    if (!z.write(line)) await new Promise((res) => z.once('drain', res));
  }
  z.end();
  await done;
  return Buffer.concat([
    PNG_SIGNATURE,
    ihdr(width, height, bitDepth, 0),
    chunk('IDAT', Buffer.concat(out)),
    chunk('IEND', new Uint8Array()),
  ]);
}

// ---------------------------------------------------------------- CMYK JPEG

class BitWriter {
  private bytes: number[] = [];
  private acc = 0;
  private n = 0;
  write(value: number, bits: number): void {
    for (let i = bits - 1; i >= 0; i--) {
      this.acc = (this.acc << 1) | ((value >> i) & 1);
      if (++this.n === 8) this.flushByte();
    }
  }
  private flushByte(): void {
    this.bytes.push(this.acc);
    if (this.acc === 0xff) this.bytes.push(0); // byte stuffing
    this.acc = 0;
    this.n = 0;
  }
  finish(): Buffer {
    while (this.n) this.write(1, 1); // pad with 1-bits
    return Buffer.from(this.bytes);
  }
}

const segment = (marker: number, payload: number[] | Buffer) =>
  Buffer.concat([
    Buffer.from([0xff, marker, (payload.length + 2) >> 8, (payload.length + 2) & 0xff]),
    Buffer.from(payload),
  ]);

/**
 * A baseline CMYK JPEG with an Adobe APP14 marker (transform 0: CMYK stored inverted, as
 * Photoshop writes it), from RGB pixels. Each 8×8 block is coded by its mean alone (DC only), so
 * the picture is the photo at 1/8 resolution; with C'=R, M'=G, Y'=B, K'=255 a correct CMYK
 * decoder gives back the photo's colours. ffmpeg and the browsers' encoders cannot write CMYK.
 */
export function cmykJpeg(rgb: Uint8Array, width: number, height: number): Buffer {
  if (width % 8 || height % 8) throw new Error('width and height must be multiples of 8');
  const adobe = [...Buffer.from('Adobe'), 0, 100, 0, 0, 0, 0, 0];
  const dqt = [0x00, ...new Array<number>(64).fill(8)];
  const sof = [8, height >> 8, height & 0xff, width >> 8, width & 0xff, 4];
  for (let c = 1; c <= 4; c++) sof.push(c, 0x11, 0);
  // DC table: categories 0..11, all 4-bit codes; AC table: EOB only, code "0".
  const dcBits = new Array<number>(16).fill(0);
  dcBits[3] = 12;
  const dht = [
    0x00,
    ...dcBits,
    ...Array.from({ length: 12 }, (_, i) => i),
    0x10,
    1,
    ...new Array<number>(15).fill(0),
    0x00,
  ];
  const sos = [4, 1, 0, 2, 0, 3, 0, 4, 0, 0, 63, 0];
  const w = new BitWriter();
  const pred = [0, 0, 0, 0];
  for (let by = 0; by < height / 8; by++) {
    for (let bx = 0; bx < width / 8; bx++) {
      const sum = [0, 0, 0];
      for (let y = 0; y < 8; y++)
        for (let x = 0; x < 8; x++) {
          const i = ((by * 8 + y) * width + bx * 8 + x) * 3;
          sum[0] += rgb[i];
          sum[1] += rgb[i + 1];
          sum[2] += rgb[i + 2];
        }
      const means = [...sum.map((s) => Math.round(s / 64)), 255];
      for (let c = 0; c < 4; c++) {
        // Level-shifted DC = 8 * (mean - 128); quantised by 8.
        const dc = means[c] - 128;
        const diff = dc - pred[c];
        pred[c] = dc;
        const cat = diff === 0 ? 0 : Math.floor(Math.log2(Math.abs(diff))) + 1;
        w.write(cat, 4);
        if (cat) w.write(diff > 0 ? diff : diff + (1 << cat) - 1, cat);
        w.write(0, 1); // EOB
      }
    }
  }
  return Buffer.concat([
    Buffer.from([0xff, 0xd8]),
    segment(0xee, adobe),
    segment(0xdb, dqt),
    segment(0xc0, sof),
    segment(0xc4, dht),
    segment(0xda, sos),
    w.finish(),
    Buffer.from([0xff, 0xd9]),
  ]);
}

// ---------------------------------------------------------------- the set

/** What the app must show for a file: an exact error, or a tagged result. */
export type Expected =
  | { status: 'error'; message: string | RegExp }
  | { status: 'done'; width?: number; height?: number; top1?: RegExp }
  /** Damaged but possibly decodable (bit flips): a clear corrupt error or a result. */
  | { status: 'error-or-done' };

export interface HostileFile {
  /** Path on disk (its base name is the file name the page sees). */
  path: string;
  name: string;
  expected: Expected;
}

function flipBits(b: Buffer, from: number, count: number, seed: number): Buffer {
  const out = Buffer.from(b);
  const r = rng(seed);
  for (let i = 0; i < count; i++) {
    const at = from + Math.floor(r() * (out.length - from - 2));
    out[at] ^= 1 << Math.floor(r() * 8);
  }
  return out;
}

function ffmpeg(args: string[]): void {
  execFileSync('ffmpeg', ['-loglevel', 'error', '-y', ...args]);
}

function rgbOf(photo: string, side: number): Uint8Array {
  return execFileSync(
    'ffmpeg',
    [
      '-loglevel',
      'error',
      '-i',
      photo,
      '-vf',
      `scale=${side}:${side}`,
      '-f',
      'rawvideo',
      '-pix_fmt',
      'rgb24',
      '-',
    ],
    { maxBuffer: side * side * 3 + 4096 },
  );
}

export const HOSTILE_NAMES = {
  img: '<img src=x onerror="window.__pwned=1;alert(1)">.jpg',
  svg: '"><svg onload="window.__pwned=2">.png',
  rtl: 'invoice\u202Egpj.exe',
  long: `${'long-name-'.repeat(23)}tail-1.png`, // 240 characters
} as const;

/**
 * Writes every hostile file into `dir`. `photos.a` and `photos.b` are real photos of two classes
 * whose top-1 label matches `labels.a` / `labels.b`.
 */
export async function makeHostileFiles(
  dir: string,
  photos: { a: string; b: string },
  labels: { a: RegExp; b: RegExp },
): Promise<HostileFile[]> {
  const files: HostileFile[] = [];
  const add = (name: string, data: Uint8Array | string, expected: Expected) => {
    const path = join(dir, name);
    writeFileSync(path, data);
    files.push({ path, name, expected });
  };
  const jpeg = readFileSync(photos.a);
  const small = join(dir, 'src-small.png');
  ffmpeg(['-i', photos.a, '-vf', 'scale=96:96', small]);
  const png = readFileSync(small);
  const webpPath = join(dir, 'src.webp');
  ffmpeg(['-i', photos.a, '-vf', 'scale=96:96', '-c:v', 'libwebp', webpPath]);
  const webp = readFileSync(webpPath);

  // Empty and truncated.
  add('empty.jpg', '', { status: 'error', message: 'corrupt: empty file (0 bytes)' });
  add('empty.png', '', { status: 'error', message: 'corrupt: empty file (0 bytes)' });
  add('empty.webp', '', { status: 'error', message: 'corrupt: empty file (0 bytes)' });
  const truncated = { status: 'error', message: 'corrupt: truncated image data' } as const;
  add('truncated.jpg', jpeg.subarray(0, Math.floor(jpeg.length * 0.4)), truncated);
  add('truncated-soi-only.jpg', jpeg.subarray(0, 3), truncated);
  add('truncated.png', png.subarray(0, Math.floor(png.length * 0.5)), truncated);
  add('truncated-signature-only.png', png.subarray(0, 8), truncated);
  add('truncated.webp', webp.subarray(0, Math.floor(webp.length * 0.5)), truncated);
  add('truncated-header-only.webp', webp.subarray(0, 30), truncated);

  // Bit flips: in the headers (decoders refuse) and in the compressed data (decoders may cope).
  const maybe = { status: 'error-or-done' } as const;
  add('bitflip-data.jpg', flipBits(jpeg, Math.floor(jpeg.length / 2), 40, 1), maybe);
  add('bitflip-everywhere.jpg', flipBits(jpeg, 2, 200, 2), maybe);
  add('bitflip.png', flipBits(png, 40, 30, 3), maybe);
  add('bitflip.webp', flipBits(webp, 30, 30, 4), maybe);

  // Huge images and decompression bombs.
  add(
    'huge-20000x20000.png',
    await bigGreyPng(20000, 20000, 8, (y) => (y % 1000 < 500 ? null : Buffer.alloc(20000, 255))),
    { status: 'done', width: 20000, height: 20000 },
  );
  add('bomb-60000x60000.png', await bigGreyPng(60000, 60000, 1, () => null), {
    status: 'error',
    message: /^too large: 60000×60000 pixels/,
  });
  // A real JPEG whose header claims 65000×65000: the decoder would allocate 16 GB.
  const bomb = Buffer.from(jpeg);
  for (let i = 2; i + 9 < bomb.length;) {
    const marker = bomb[i + 1];
    if (marker >= 0xc0 && marker <= 0xc3) {
      bomb.writeUInt16BE(65000, i + 5);
      bomb.writeUInt16BE(65000, i + 7);
      break;
    }
    i += 2 + bomb.readUInt16BE(i + 2);
  }
  add('bomb-65000x65000.jpg', bomb, {
    status: 'error',
    message: /^too large: 65000×65000 pixels/,
  });

  // Markup pretending to be images.
  add(
    'script.svg',
    '<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><script>window.__pwned=3;alert(3)</script><rect width="10" height="10"/></svg>',
    { status: 'error', message: 'unsupported format: SVG' },
  );
  add(
    'page.jpg',
    '<!doctype html><html><body><script>window.__pwned=4;alert(4)</script><img src=x onerror="alert(5)"></body></html>',
    { status: 'error', message: 'not an image' },
  );

  // Degenerate sizes.
  const zeroPng = Buffer.concat([
    PNG_SIGNATURE,
    ihdr(0, 0, 8, 2),
    chunk('IDAT', deflateSync(Buffer.alloc(0))),
    chunk('IEND', new Uint8Array()),
  ]);
  add('zero-0x0.png', zeroPng, { status: 'error', message: 'corrupt: the header says 0 pixels' });
  const zeroGif = Buffer.from([
    ...Buffer.from('GIF89a'),
    0,
    0,
    0,
    0,
    0x00,
    0,
    0,
    0x2c,
    0,
    0,
    0,
    0,
    0,
    0,
    0,
    0,
    0,
    0x02,
    0x00,
    0x3b,
  ]);
  add('zero-0x0.gif', zeroGif, { status: 'error', message: 'corrupt: the header says 0 pixels' });
  add(
    'one-1x1.png',
    smallPng(1, 1, () => [200, 30, 30]),
    { status: 'done', width: 1, height: 1 },
  );
  const oneJpg = join(dir, 'one-1x1.jpg');
  ffmpeg(['-i', photos.a, '-vf', 'scale=1:1', '-pix_fmt', 'yuvj444p', '-frames:v', '1', oneJpg]);
  files.push({
    path: oneJpg,
    name: 'one-1x1.jpg',
    expected: { status: 'done', width: 1, height: 1 },
  });

  // A CMYK JPEG of photo b: tagged like photo b.
  add('cmyk.jpg', cmykJpeg(rgbOf(photos.b, 1024), 1024, 1024), {
    status: 'done',
    width: 1024,
    height: 1024,
    top1: labels.b,
  });

  // An animated GIF whose first frame is photo b: tagged by its first frame.
  const gif = join(dir, 'animated.gif');
  ffmpeg([
    '-loop',
    '1',
    '-t',
    '0.4',
    '-i',
    photos.b,
    '-loop',
    '1',
    '-t',
    '0.4',
    '-i',
    photos.a,
    '-filter_complex',
    '[0]scale=224:224,setsar=1[x];[1]scale=224:224,setsar=1[y];[x][y]concat=n=2:v=1,fps=5[v]',
    '-map',
    '[v]',
    gif,
  ]);
  files.push({
    path: gif,
    name: 'animated.gif',
    expected: { status: 'done', width: 224, height: 224, top1: labels.b },
  });

  // Formats the browser cannot decode, recognised by their magic bytes.
  const ftyp = (brand: string, compat: string[]) => {
    const b = Buffer.alloc(16 + compat.length * 4 + 64);
    b.writeUInt32BE(16 + compat.length * 4, 0);
    b.write('ftyp', 4, 'latin1');
    b.write(brand, 8, 'latin1');
    compat.forEach((c, i) => b.write(c, 16 + i * 4, 'latin1'));
    return b;
  };
  add('photo.heic', ftyp('heic', ['mif1', 'heic']), {
    status: 'error',
    message: 'unsupported format: HEIC',
  });
  add('renamed-heic.jpg', ftyp('mif1', ['heic']), {
    status: 'error',
    message: 'unsupported format: HEIC',
  });
  add('clip.jpg', ftyp('isom', ['isom', 'mp41']), { status: 'error', message: 'not an image' });
  add('scan.tiff', Buffer.from([0x49, 0x49, 0x2a, 0, 8, 0, 0, 0]), {
    status: 'error',
    message: 'unsupported format: TIFF',
  });
  add('layers.psd', Buffer.from('8BPS\x00\x01'), {
    status: 'error',
    message: 'unsupported format: PSD',
  });
  add('archive.png', Buffer.from('PK\x03\x04 not really a zip'), {
    status: 'error',
    message: 'not an image',
  });

  // 200 MB: a JPEG's first kilobytes, then a sparse hole of zeros (not streamed through memory).
  const bigPath = join(dir, 'big-200mb.jpg');
  const fd = openSync(bigPath, 'w');
  writeSync(fd, jpeg.subarray(0, 2048));
  ftruncateSync(fd, 200 * 1024 * 1024);
  closeSync(fd);
  files.push({ path: bigPath, name: 'big-200mb.jpg', expected: truncated });
  const zerosPath = join(dir, 'zeros-200mb.png');
  const fd2 = openSync(zerosPath, 'w');
  ftruncateSync(fd2, 200 * 1024 * 1024);
  closeSync(fd2);
  files.push({
    path: zerosPath,
    name: 'zeros-200mb.png',
    expected: { status: 'error', message: 'not an image' },
  });

  // Hostile names: photo a under an HTML-injection name, markup, an RTL override, 240 chars.
  add(HOSTILE_NAMES.img, jpeg, { status: 'done', top1: labels.a });
  add(HOSTILE_NAMES.svg, 'just text', { status: 'error', message: 'not an image' });
  add(HOSTILE_NAMES.rtl, 'MZ\x90\x00 not a photo', { status: 'error', message: 'not an image' });
  add(
    HOSTILE_NAMES.long,
    smallPng(8, 8, (x, y) => [x * 30, y * 30, 128]),
    {
      status: 'done',
      width: 8,
      height: 8,
    },
  );
  return files;
}
