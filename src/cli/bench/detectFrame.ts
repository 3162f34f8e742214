/**
 * `detect-frame`: the median latency of one whole detect() call, frame -> boxes, on one 640x480
 * frame cut from a coco128 photo (people and a dog), per detector and backend. Side by side in
 * the same browser session:
 *  - our COCO-SSD fast path vs `@tensorflow-models/coco-ssd`'s own detect(), both on the
 *    generated COCO-SSD-signature graph (tests/fixtures/makeCocoSsdFixture.ts; the real weights
 *    are not available offline), served to the page on a private route, never in the catalog;
 *  - our CenterNet path vs `@vladmandic/human`'s own object detection on the same self-hosted
 *    CenterNet files (objects only, everything else off, result caching off). Human bundles its
 *    own tfjs, so it gets its own page in the same browser.
 */
import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import type { Page } from 'playwright-core';
import { cocoImage } from '../../../tests/harness/data';
import { makeCocoSsdFixture } from '../../../tests/fixtures/makeCocoSsdFixture';
import { catalog } from '../../models/catalog';
import type { FrameDetectorKind } from '../../ui/detection/automation';
import { compare, summarise, type BenchRow, type Workload, type WorkloadContext } from './types';

const PHOTO = '000000000074';
const WIDTH = 640;
const HEIGHT = 480;
const MIN_SCORE = 0.3;
const MAX_RESULTS = 20;
const FIXTURE_ID = 'coco-ssd-fixture';
const HUMAN_DIST = resolve(import.meta.dirname, '../../../node_modules/@vladmandic/human/dist');

interface FrameTiming {
  ms: number[];
  boxes: number;
  numTensorsBefore: number;
  numTensorsAfter: number;
}

/** Serves the photo and the generated COCO-SSD graph to the page on private routes. */
async function routeAssets(page: Page): Promise<void> {
  const fixtureDir = dirname(makeCocoSsdFixture());
  await page.route('**/__bench__/**', (route) => {
    const name = decodeURIComponent(new URL(route.request().url()).pathname.split('/').pop()!);
    if (name === 'frame.jpg') return route.fulfill({ path: cocoImage(PHOTO) });
    return route.fulfill({ path: join(fixtureDir, name) });
  });
}

async function ours(
  page: Page,
  ctx: WorkloadContext,
  kind: FrameDetectorKind,
  id: string,
  modelUrl?: string,
): Promise<FrameTiming> {
  return page.evaluate((a) => window.ocellus!.detection.benchFrame(a), {
    kind,
    id,
    modelUrl,
    image: '/__bench__/frame.jpg',
    width: WIDTH,
    height: HEIGHT,
    runs: ctx.runs,
    warmup: ctx.warmup,
    minScore: MIN_SCORE,
    maxResults: MAX_RESULTS,
  });
}

const HUMAN_PAGE = `<!doctype html><meta charset="utf-8"><title>human reference</title>
<script type="module">
import * as mod from '/__human__/human.esm.js';
const Human = mod.Human ?? mod.default;
window.runHuman = async (a) => {
  const human = new Human({
    backend: a.backend,
    wasmPath: '/tfjs-wasm/',
    modelBasePath: '/models/centernet-mobilenetv3/',
    debug: false,
    async: true,
    warmup: 'none',
    cacheSensitivity: 0,
    filter: { enabled: false },
    face: { enabled: false },
    body: { enabled: false },
    hand: { enabled: false },
    gesture: { enabled: false },
    segmentation: { enabled: false },
    object: { enabled: true, modelPath: 'centernet.json', minConfidence: a.minScore, maxDetected: a.maxResults, skipFrames: 0, skipTime: 0 },
  });
  await human.load();
  const bitmap = await createImageBitmap(await (await fetch(a.image)).blob());
  const canvas = document.createElement('canvas');
  canvas.width = a.width;
  canvas.height = a.height;
  const scale = Math.max(a.width / bitmap.width, a.height / bitmap.height);
  const sw = a.width / scale, sh = a.height / scale;
  canvas.getContext('2d').drawImage(bitmap, (bitmap.width - sw) / 2, (bitmap.height - sh) / 2, sw, sh, 0, 0, a.width, a.height);
  for (let i = 0; i < a.warmup; i++) await human.detect(canvas);
  const ms = [];
  let boxes = 0;
  for (let i = 0; i < a.runs; i++) {
    const t0 = performance.now();
    const r = await human.detect(canvas);
    ms.push(performance.now() - t0);
    if (r.error) throw new Error(r.error);
    boxes = r.object.length;
  }
  return { ms, boxes, backend: human.tf.getBackend(), version: human.version };
};
window.humanReady = true;
</script>`;

/** Human's own CenterNet object detection, in its own page of the same browser. */
async function humanReference(
  page: Page,
  ctx: WorkloadContext,
): Promise<{ ms: number[]; boxes: number; backend: string; version: string }> {
  // A context of its own with service workers blocked: the app's worker (offline support)
  // would otherwise answer this navigation with the app's own index.html, and the reference
  // page would never start (which the bench once reported as "did not start").
  const browser = page.context().browser();
  const context = browser ? await browser.newContext({ serviceWorkers: 'block' }) : page.context();
  const hp = await context.newPage();
  try {
    await hp.route('**/__human__/**', (route) => {
      const name = new URL(route.request().url()).pathname.split('/').pop()!;
      if (name === 'index.html') {
        return route.fulfill({ body: HUMAN_PAGE, contentType: 'text/html' });
      }
      return route.fulfill({
        body: readFileSync(join(HUMAN_DIST, 'human.esm.js')),
        contentType: 'text/javascript',
      });
    });
    await routeAssets(hp);
    const errors: string[] = [];
    hp.on('pageerror', (e) => errors.push(e.message));
    await hp.goto(new URL('/__human__/index.html', page.url()).href);
    await hp
      .waitForFunction(() => (window as unknown as { humanReady?: boolean }).humanReady, null, {
        timeout: 120_000,
      })
      .catch((e: unknown) => {
        throw new Error(errors.length ? errors.join('; ') : (e as Error).message);
      });
    return await hp.evaluate(
      (a) =>
        (
          window as unknown as {
            runHuman: (
              x: typeof a,
            ) => Promise<{ ms: number[]; boxes: number; backend: string; version: string }>;
          }
        ).runHuman(a),
      {
        backend: ctx.backend,
        image: '/__bench__/frame.jpg',
        width: WIDTH,
        height: HEIGHT,
        runs: ctx.runs,
        warmup: ctx.warmup,
        minScore: MIN_SCORE,
        maxResults: MAX_RESULTS,
      },
    );
  } finally {
    await hp.close();
    if (context !== page.context()) await context.close();
  }
}

/** A reference run, or the first line of why it could not run (its row then has ours only). */
const orWhyNot = <T>(run: Promise<T>, who: string): Promise<T | string> =>
  run.catch((e: unknown) => `${who}: ${(e as Error).message.split('\n')[0]}`);

const extra = (t: FrameTiming) => ({
  boxes: t.boxes,
  'tensors leaked': t.numTensorsAfter - t.numTensorsBefore,
});

export const detectFrameWorkload: Workload = {
  name: 'detect-frame',
  description:
    'one 640x480 frame -> boxes per detector; COCO-SSD fast path vs coco-ssd detect(), CenterNet vs @vladmandic/human',
  backends: ['webgpu', 'wasm'],
  run: async (ctx) => {
    const h = await ctx.app.open(ctx.backend);
    const rows: BenchRow[] = [];
    try {
      await routeAssets(h.page);
      const selfHosted = await h.page.evaluate(async () => {
        const res = await fetch('/models/manifest.json');
        return res.ok
          ? Object.keys(((await res.json()) as { models: Record<string, unknown> }).models)
          : [];
      });
      const wanted = (id: string) => !ctx.models.length || ctx.models.includes(id);
      const base = { workload: 'detect-frame', backend: ctx.backend, unit: 'ms' };
      const metric = `detect() ${WIDTH}x${HEIGHT} frame -> boxes`;

      if (wanted(FIXTURE_ID)) {
        ctx.log(`detect-frame: COCO-SSD fixture, fast path vs coco-ssd on ${ctx.backend}`);
        const url = '/__bench__/model.json';
        const fast = await ours(h.page, ctx, 'coco-ssd-fast', FIXTURE_ID, url);
        const row = summarise({ ...base, model: `${FIXTURE_ID} (fast path)`, metric }, fast.ms);
        // coco-ssd's detect() refuses WebGPU (its dataSync loses the device there): say so.
        const lib = await orWhyNot(
          ours(h.page, ctx, 'coco-ssd-library', FIXTURE_ID, url),
          'coco-ssd detect()',
        );
        rows.push(
          typeof lib === 'string'
            ? { ...row, extra: { ...extra(fast), 'reference failed': lib } }
            : {
                ...compare(row, 'coco-ssd 2.2.3 detect()', lib.ms, false),
                extra: { ...extra(fast), 'reference boxes': lib.boxes },
              },
        );
      }
      const detectors = catalog.models.filter(
        (m) => m.task === 'detect' && selfHosted.includes(m.id) && wanted(m.id),
      );
      for (const m of detectors) {
        ctx.log(`detect-frame: ${m.id} on ${ctx.backend}`);
        const t = await ours(h.page, ctx, 'catalog', m.id);
        const row = { ...summarise({ ...base, model: m.id, metric }, t.ms), extra: extra(t) };
        if (m.family !== 'centernet') {
          rows.push(row);
          continue;
        }
        ctx.log(`detect-frame: @vladmandic/human reference on ${ctx.backend}`);
        // A reference that cannot run here still leaves our row, with the reason beside it.
        const ref = await orWhyNot(
          humanReference(h.page, ctx).then((r) => {
            if (r.backend !== ctx.backend)
              throw new Error(`ran on ${r.backend}, not ${ctx.backend}`);
            return r;
          }),
          '@vladmandic/human',
        );
        if (typeof ref === 'string') {
          rows.push({ ...row, extra: { ...row.extra, 'reference failed': ref } });
          continue;
        }
        rows.push({
          ...compare(row, `@vladmandic/human ${ref.version} object`, ref.ms, false),
          extra: { ...row.extra, 'reference boxes': ref.boxes },
        });
      }
    } finally {
      await h.close();
    }
    return rows;
  },
};
