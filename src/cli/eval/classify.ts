/**
 * `npm run eval -- classify --model <id> --data <dir> [--backend webgpu|webgl|wasm|cpu]
 *   [--crop center|none] [--batch N] [--limit N] [--json out.json]`
 *
 * Runs the Tag workspace's own batch pipeline (decode worker → batches → top-k) in headless
 * Chromium on real photos and prints the image count, top-1 and top-5. Two layouts are read:
 *  - ImageNet samples: `<wnid>_<name>.JPEG`, class = position of the wnid in the sorted list of
 *    the 1000 ILSVRC-2012 wnids (src/classification/imagenet-wnids.json);
 *  - class-per-folder: `<dir>/<class>/<image>`, where <class> is a wnid or a label of the model.
 */
import { readdirSync, statSync, writeFileSync, mkdirSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { appSession, str, type Flags } from '../common';
import { isBackendName, type BackendName } from '../../engine/backendNames';
import { catalogEntry } from '../../models/catalog';
import { IMAGENET_NAMES, IMAGENET_WNIDS } from '../../classification/labels';
import { accuracy } from '../../classification/topk';

const IMAGE_RE = /\.(jpe?g|png|webp|gif|bmp|avif)$/i;
const WNID_FILE_RE = /^(n\d{8})_/;

export interface LabelledImage {
  file: string;
  /** Index of the true class in the model's output (background removed). */
  truth: number;
  className: string;
}

const norm = (s: string) => s.toLowerCase().replace(/[_-]+/g, ' ').trim();

/** Maps a class folder's name to an output index: a wnid, or any synonym of a label. */
export function classIndex(
  name: string,
  labels: readonly string[],
  wnids: readonly string[],
): number {
  const w = wnids.indexOf(name);
  if (w >= 0) return w;
  const n = norm(name);
  const exact = labels.findIndex((l) => norm(l) === n);
  if (exact >= 0) return exact;
  return labels.findIndex((l) => l.split(',').some((syn) => norm(syn) === n));
}

/** Reads either layout; throws naming the classes it cannot map. */
export function readDataset(
  dir: string,
  labels: readonly string[],
  wnids: readonly string[],
): LabelledImage[] {
  const entries = readdirSync(dir).sort();
  const flat = entries.filter((f) => IMAGE_RE.test(f) && WNID_FILE_RE.test(f));
  if (flat.length) {
    return flat.map((f) => {
      const wnid = WNID_FILE_RE.exec(f)![1];
      const truth = wnids.indexOf(wnid);
      if (truth < 0) throw new Error(`${f}: ${wnid} is not one of the 1000 ILSVRC-2012 wnids`);
      return { file: join(dir, f), truth, className: wnid };
    });
  }
  const out: LabelledImage[] = [];
  const unknown: string[] = [];
  for (const cls of entries) {
    const sub = join(dir, cls);
    if (!statSync(sub).isDirectory()) continue;
    const truth = classIndex(cls, labels, wnids);
    if (truth < 0) {
      unknown.push(cls);
      continue;
    }
    for (const f of readdirSync(sub).sort())
      if (IMAGE_RE.test(f)) out.push({ file: join(sub, f), truth, className: cls });
  }
  if (unknown.length)
    throw new Error(`class folder(s) not among the model's labels: ${unknown.join(', ')}`);
  if (!out.length) throw new Error(`no images found in ${dir} (neither layout)`);
  return out;
}

export async function classify(flags: Flags): Promise<void> {
  const modelId = str(flags, 'model', 'mobilenet_v1_0.25_224')!;
  const data = str(flags, 'data');
  if (!data) throw new Error('--data <dir> is required');
  const backend = str(flags, 'backend', 'wasm')!;
  if (!isBackendName(backend)) throw new Error(`unknown backend ${backend}`);
  const crop = str(flags, 'crop', 'center') as 'center' | 'none';
  if (crop !== 'center' && crop !== 'none') throw new Error('--crop is center or none');
  const limit = Number(str(flags, 'limit', '0'));
  const batch = str(flags, 'batch');
  const entry = catalogEntry(modelId);
  const labels = entry.labels.startsWith('imagenet') ? IMAGENET_NAMES : [];
  const root = resolve(data);
  let images = readDataset(root, labels, IMAGENET_WNIDS);
  if (limit > 0) images = images.slice(0, limit);

  const app = await appSession();
  const h = await app.open(backend as BackendName);
  try {
    // The photos are served to the page from disk on a private path; nothing is copied.
    await h.page.route('**/__eval__/**', (route) => {
      const rel = decodeURIComponent(
        new URL(route.request().url()).pathname.replace(/^\/__eval__\//, ''),
      );
      const file = resolve(root, rel);
      if (!file.startsWith(root)) return route.fulfill({ status: 403 });
      return route.fulfill({ path: file });
    });
    const urls = images.map(
      (i) => `/__eval__/${relative(root, i.file).split('/').map(encodeURIComponent).join('/')}`,
    );
    const t0 = Date.now();
    const out = await h.page.evaluate(
      ({ modelId, urls, crop, batch }) =>
        window.ocellus!.tagging.batch(modelId, urls, {
          k: 5,
          crop,
          batchSize: batch ? Number(batch) : undefined,
        }),
      { modelId, urls, crop, batch },
    );
    const seconds = (Date.now() - t0) / 1000;
    const failed = out.results
      .map((r, i) => (r.ok ? null : `${images[i].file}: ${r.error}`))
      .filter(Boolean);
    const ok = out.results.map((r, i) => ({ r, i })).filter((x) => x.r.ok);
    const ranked = ok.map((x) => (x.r.ok ? x.r.preds.map((p) => p.index) : []));
    const acc = accuracy(
      ranked,
      ok.map((x) => images[x.i].truth),
    );
    const backendUsed = await h.page.evaluate(() => window.ocellus!.tf.getBackend());
    console.log(`model     ${modelId}`);
    console.log(`backend   ${backendUsed}`);
    console.log(`data      ${root} (crop: ${crop}, batch ${out.batchSize})`);
    console.log(
      `images    ${acc.n}${failed.length ? ` (+${failed.length} failed to decode)` : ''}`,
    );
    console.log(`top-1     ${acc.top1.toFixed(1)}%`);
    console.log(`top-5     ${acc.top5.toFixed(1)}%`);
    console.log(
      `time      ${seconds.toFixed(1)} s (${(acc.n / (out.ms / 1000)).toFixed(1)} images/s in the pipeline)`,
    );
    for (const f of failed) console.log(`failed    ${f}`);
    const json = str(flags, 'json');
    if (json) {
      mkdirSync(dirname(resolve(json)), { recursive: true });
      writeFileSync(
        json,
        JSON.stringify(
          {
            task: 'classify',
            model: modelId,
            backend: backendUsed,
            crop,
            batchSize: out.batchSize,
            data: root,
            images: acc.n,
            failed: failed.length,
            top1: acc.top1,
            top5: acc.top5,
            seconds,
            perImage: images.map((img, i) => ({
              file: relative(root, img.file),
              truth: img.truth,
              top5: out.results[i]?.ok
                ? out.results[i].preds.map((p) => [p.index, Number(p.score.toFixed(5))])
                : null,
              error: out.results[i]?.ok ? undefined : out.results[i]?.error,
            })),
          },
          null,
          2,
        ) + '\n',
      );
      console.error(`[eval] wrote ${json}`);
    }
  } finally {
    await h.close();
    await app.close();
  }
}
