/** Paths to the real test data in ../shared (never copied into the repo). */
import { existsSync, readdirSync, readFileSync, mkdirSync } from 'node:fs';
import { resolve, join } from 'node:path';
import { execFileSync } from 'node:child_process';

export const ROOT = resolve(import.meta.dirname, '../..');
export const SHARED = resolve(process.env.OCELLUS_SHARED_DIR ?? resolve(ROOT, '../shared'));
export const DATA = join(SHARED, 'data');
export const IMAGENET = join(DATA, 'imagenet-samples');
export const COCO128 = join(DATA, 'coco128');
export const FLOWERS = join(DATA, 'flowers');
export const CACHE = join(ROOT, '.cache');

export function requireShared(): void {
  if (!existsSync(DATA)) throw new Error(`Test data not found at ${DATA}: set OCELLUS_SHARED_DIR`);
}

export function imagenetSamples(): { file: string; wnid: string; name: string }[] {
  return readdirSync(IMAGENET)
    .filter((f) => f.endsWith('.JPEG'))
    .sort()
    .map((f) => {
      const m = /^(n\d+)_(.+)\.JPEG$/.exec(f)!;
      return { file: join(IMAGENET, f), wnid: m[1], name: m[2] };
    });
}

export function cocoLabels(
  id: string,
): { cls: number; cx: number; cy: number; w: number; h: number }[] {
  const p = join(COCO128, 'labels/train2017', `${id}.txt`);
  if (!existsSync(p)) return [];
  return readFileSync(p, 'utf8')
    .trim()
    .split('\n')
    .filter(Boolean)
    .map((l) => {
      const [cls, cx, cy, w, h] = l.split(/\s+/).map(Number);
      return { cls, cx, cy, w, h };
    });
}

export function cocoImage(id: string): string {
  return join(COCO128, 'images/train2017', `${id}.jpg`);
}

/** A y4m clip for Chromium's fake webcam made from a real photo (cached under .cache/). */
export function makeY4m(
  photo: string,
  name: string,
  width = 640,
  height = 480,
  seconds = 2,
): string {
  mkdirSync(join(CACHE, 'video'), { recursive: true });
  const out = join(CACHE, 'video', `${name}-${width}x${height}.y4m`);
  if (!existsSync(out)) {
    execFileSync('ffmpeg', [
      '-loglevel',
      'error',
      '-y',
      '-loop',
      '1',
      '-i',
      photo,
      '-t',
      String(seconds),
      '-r',
      '15',
      '-vf',
      `scale=${width}:${height}:force_original_aspect_ratio=decrease,pad=${width}:${height}:(ow-iw)/2:(oh-ih)/2`,
      '-pix_fmt',
      'yuv420p',
      out,
    ]);
  }
  return out;
}
