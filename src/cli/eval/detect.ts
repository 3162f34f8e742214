/**
 * `npm run eval -- detect --model <id> --data <dir> [--backend webgpu|webgl|wasm|cpu]
 *   [--json out.json] [--dets dets.json] [--split train2017] [--annotations <coco.json>]
 *   [--min-score 0.001] [--limit N] [--coco-ssd-path fast|library]`
 *
 * Runs a catalog detector through the app's own factory in headless Chromium on every photo of
 * a dataset and prints the image count, COCO-style mAP@0.5 and mAP@0.5:0.95 (src/eval/map.ts:
 * 101-point interpolated AP per class, greedy matching by score, crowd boxes ignored, at most
 * 100 detections per image). Ground truth:
 *  - YOLO layout (default when `<dir>/labels/<split>` exists): `images/<split>/*.jpg` with
 *    `labels/<split>/<id>.txt`; a photo without a label file has no objects;
 *  - COCO JSON: `--annotations <file>` (or `<dir>/annotations/instances_<split>.json` when there
 *    are no YOLO labels), images in `<dir>/images/<split>/`; crowd boxes are honoured.
 * `--dets` writes every detection as `{image, class, score, x, y, w, h}` (class 0-79 in
 * config.yaml order, original pixels, x/y the top-left corner) for any other evaluator.
 */
import { existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { appSession, str, type Flags } from '../common';
import { isBackendName, type BackendName } from '../../engine/backendNames';
import { catalogEntry } from '../../models/catalog';
import {
  loadCocoDataset,
  loadYoloDataset,
  type AnnotatedImage,
  type DatasetIo,
} from '../../eval/datasets';
import { evaluateDetections, type ScoredBox } from '../../eval/map';
import { COCO80_NAMES } from '../../eval/cocoClasses';
import type { Detection } from '../../detection/types';
import type { DetRecord } from '../../eval/detsDiff';

const io: DatasetIo = {
  readText: (p) => readFile(p, 'utf8'),
  readBytes: async (p) => new Uint8Array(await readFile(p)),
  exists: async (p) => existsSync(p),
  list: (d) => readdir(d),
};

/** Images per page.evaluate call: keeps progress visible on slow (software) backends. */
const CHUNK = 8;
/** COCO's per-image detection cap. */
const MAX_DETS = 100;

/** The `--dets` rows of one image (rounded to 0.01 px / 1e-5 score). */
export function detRecords(image: string, dets: readonly Detection[]): DetRecord[] {
  const r2 = (v: number) => Math.round(v * 100) / 100;
  return dets.slice(0, MAX_DETS).map((d) => ({
    image,
    class: d.classId,
    score: Math.round(d.score * 1e5) / 1e5,
    x: r2(d.box.x),
    y: r2(d.box.y),
    w: r2(d.box.width),
    h: r2(d.box.height),
  }));
}

async function readGroundTruth(
  root: string,
  flags: Flags,
): Promise<{ images: AnnotatedImage[]; format: string }> {
  const split =
    str(flags, 'split') ??
    (existsSync(join(root, 'images')) ? readdirSync(join(root, 'images')).sort()[0] : undefined);
  if (!split) throw new Error(`${root} has no images/<split>/ folder`);
  const annotations = str(flags, 'annotations');
  if (!annotations && existsSync(join(root, 'labels', split))) {
    return { images: await loadYoloDataset(io, root, split), format: `YOLO labels/${split}` };
  }
  const json = annotations
    ? resolve(annotations)
    : join(root, 'annotations', `instances_${split}.json`);
  if (!existsSync(json)) throw new Error(`no labels/${split}/ and no COCO JSON at ${json}`);
  const images = (await loadCocoDataset(io, json, `images/${split}`)).filter((i) =>
    existsSync(join(root, i.file)),
  );
  return { images, format: `COCO JSON ${json}` };
}

export async function detect(flags: Flags): Promise<void> {
  const modelId = str(flags, 'model', 'centernet-mobilenetv3')!;
  const entry = catalogEntry(modelId);
  if (entry.task !== 'detect') throw new Error(`${modelId} is not a detector`);
  const data = str(flags, 'data');
  if (!data) throw new Error('--data <dir> is required');
  const backend = str(flags, 'backend', 'wasm')!;
  if (!isBackendName(backend)) throw new Error(`unknown backend ${backend}`);
  const minScore = Number(str(flags, 'min-score', '0.001'));
  const limit = Number(str(flags, 'limit', '0'));
  const cocoSsdPath = str(flags, 'coco-ssd-path', 'fast') as 'fast' | 'library';
  const root = resolve(data);
  const gt = await readGroundTruth(root, flags);
  const images = limit > 0 ? gt.images.slice(0, limit) : gt.images;
  if (!images.length) throw new Error(`no images in ${root}`);

  const app = await appSession();
  const h = await app.open(backend as BackendName);
  try {
    // Photos are served to the page from disk on a private path; nothing is copied.
    await h.page.route('**/__eval__/**', (route) => {
      const rel = decodeURIComponent(
        new URL(route.request().url()).pathname.replace(/^\/__eval__\//, ''),
      );
      const file = resolve(root, rel);
      if (!file.startsWith(root)) return route.fulfill({ status: 403 });
      return route.fulfill({ path: file });
    });
    const url = (img: AnnotatedImage) =>
      `/__eval__/${img.file.split('/').map(encodeURIComponent).join('/')}`;
    const dets: Detection[][] = [];
    const ms: number[] = [];
    const failed: string[] = [];
    let detectorId = modelId;
    const t0 = Date.now();
    for (let i = 0; i < images.length; i += CHUNK) {
      const chunk = images.slice(i, i + CHUNK);
      const out = await h.page.evaluate(
        ({ modelId, urls, minScore, cocoSsdPath }) =>
          window.ocellus!.detection.detectMany(modelId, urls, {
            minScore,
            maxResults: 100,
            cocoSsdPath,
            fallback: false,
          }),
        { modelId, urls: chunk.map(url), minScore, cocoSsdPath },
      );
      detectorId = out.detectorId;
      out.results.forEach((r, k) => {
        const img = chunk[k];
        if (typeof r === 'string') {
          failed.push(`${img.file}: ${r}`);
          dets.push([]);
          return;
        }
        const size = out.sizes[k];
        if (size.width !== img.width || size.height !== img.height) {
          failed.push(
            `${img.file}: decoded ${size.width}x${size.height}, labels are for ${img.width}x${img.height}`,
          );
        }
        dets.push(r);
      });
      ms.push(...out.ms);
      console.error(
        `[eval] ${Math.min(i + CHUNK, images.length)}/${images.length} images (${((Date.now() - t0) / 1000).toFixed(0)} s)`,
      );
    }
    const seconds = (Date.now() - t0) / 1000;
    const result = evaluateDetections(
      images.map((i) => i.boxes),
      dets.map((d): ScoredBox[] => d),
      { maxDetsPerImage: MAX_DETS },
    );
    const backendUsed = await h.page.evaluate(() => window.ocellus!.tf.getBackend());
    const sorted = [...ms].sort((a, b) => a - b);
    const medianMs = sorted.length ? sorted[sorted.length >> 1] : NaN;
    console.log(
      `model         ${detectorId}${entry.family === 'coco-ssd' ? ` (${cocoSsdPath} path)` : ''}`,
    );
    console.log(`backend       ${backendUsed}`);
    console.log(`data          ${root} (${gt.format})`);
    console.log(
      `images        ${images.length}${failed.length ? ` (${failed.length} with problems)` : ''}`,
    );
    console.log(
      `objects       ${images.reduce((n, i) => n + i.boxes.filter((b) => !b.iscrowd).length, 0)} in ${result.perClass.length} classes`,
    );
    console.log(`mAP@0.5       ${result.map50.toFixed(4)}`);
    console.log(`mAP@0.5:0.95  ${result.map5095.toFixed(4)}`);
    console.log(
      `time          ${seconds.toFixed(1)} s (median ${medianMs.toFixed(0)} ms per detect call, min score ${minScore})`,
    );
    for (const f of failed) console.log(`problem       ${f}`);

    const json = str(flags, 'json');
    if (json) {
      mkdirSync(dirname(resolve(json)), { recursive: true });
      const summary = {
        task: 'detect',
        model: detectorId,
        cocoSsdPath: entry.family === 'coco-ssd' ? cocoSsdPath : undefined,
        backend: backendUsed,
        data: root,
        labels: gt.format,
        images: images.length,
        minScore,
        map50: result.map50,
        map5095: result.map5095,
        seconds,
        medianMs,
        problems: failed,
        perClass: result.perClass.map((c) => ({
          class: c.classId,
          name: COCO80_NAMES[c.classId],
          numGt: c.numGt,
          numDet: c.numDet,
          ap50: c.ap50,
          ap5095: c.ap5095,
        })),
      };
      writeFileSync(json, JSON.stringify(summary, null, 2) + '\n');
      console.error(`[eval] wrote ${json}`);
    }
    const detsFile = str(flags, 'dets');
    if (detsFile) {
      mkdirSync(dirname(resolve(detsFile)), { recursive: true });
      const rows = images.flatMap((img, i) => detRecords(img.id, dets[i]));
      writeFileSync(detsFile, JSON.stringify(rows) + '\n');
      console.error(`[eval] wrote ${rows.length} detections to ${detsFile}`);
    }
  } finally {
    await h.close();
    await app.close();
  }
}
