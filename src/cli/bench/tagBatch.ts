/**
 * `tag-batch`: the Tag workspace's batch pipeline on 200 real photos (../shared imagenet-samples)
 * — decode workers, batches, async top-k readback — in images per second per batch size, and side
 * by side in the same page a plain loop of `@tensorflow-models/mobilenet` `classify()` over the
 * same photos with the same weights (the TF Hub graph MobileNet v1 0.25) on the same backend.
 * Both start from the photos as in-memory Blobs and end with labels; top-1 of each is reported.
 */
import { readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { compare, summarise, type BenchRow, type Workload } from './types';
import { IMAGENET_NAMES, IMAGENET_WNIDS } from '../../classification/labels';

const MODEL = 'mobilenet_v1_0.25_224_tfhub';
/** 200 by the issue; OCELLUS_BENCH_PHOTOS lowers it where a software GPU makes 200 too slow. */
const PHOTOS = Number(process.env.OCELLUS_BENCH_PHOTOS ?? 200);

function photoDir(): string {
  const shared = resolve(
    process.env.OCELLUS_SHARED_DIR ?? resolve(import.meta.dirname, '../../../../shared'),
  );
  return join(shared, 'data', 'imagenet-samples');
}

export const tagBatchWorkload: Workload = {
  name: 'tag-batch',
  description: `Tag pipeline images/s on ${PHOTOS} photos per batch size, vs a @tensorflow-models/mobilenet classify() loop`,
  backends: ['webgpu', 'wasm'],
  run: async (ctx) => {
    const dir = photoDir();
    const files = readdirSync(dir)
      .filter((f) => f.endsWith('.JPEG'))
      .sort()
      .slice(0, PHOTOS);
    const truth = files.map((f) => IMAGENET_NAMES[IMAGENET_WNIDS.indexOf(f.split('_')[0])]);
    const batchSizes = (
      process.env.OCELLUS_BENCH_BATCHES ??
      (ctx.backend === 'webgpu' || ctx.backend === 'webgl' ? '1,8,32' : '1,8,16')
    )
      .split(',')
      .map(Number);
    const runs = Math.max(1, Math.min(ctx.runs, 3));
    const h = await ctx.app.open(ctx.backend);
    try {
      await h.page.route('**/__bench__/**', (route) =>
        route.fulfill({
          path: join(
            dir,
            decodeURIComponent(new URL(route.request().url()).pathname.split('/').pop()!),
          ),
        }),
      );
      ctx.log(
        `tag-batch on ${ctx.backend}: ${files.length} photos, batches ${batchSizes.join('/')}, ${runs} run(s)`,
      );
      const out = await h.page.evaluate(
        async ({ files, truth, batchSizes, runs, model }) => {
          const o = window.ocellus!;
          const blobs = await Promise.all(
            files.map(async (f) => (await fetch(`/__bench__/${encodeURIComponent(f)}`)).blob()),
          );
          const top1 = (labels: string[]) =>
            (100 * labels.filter((l, i) => l === truth[i]).length) / labels.length;
          const ours: Record<number, number[]> = {};
          let oursTop1 = 0;
          let ourLabels: string[] = [];
          // The model loads on the first call; count tensors only after it.
          await o.tagging.batch(model, blobs.slice(0, 1), { k: 3, batchSize: 1 });
          const tensorsBefore = o.tf.memory().numTensors;
          for (const b of batchSizes) {
            // Warm-up: compiles the shaders of both batch shapes used (full and padded last).
            await o.tagging.batch(model, blobs.slice(0, Math.min(blobs.length, b + 1)), {
              k: 3,
              batchSize: b,
            });
            ours[b] = [];
            for (let r = 0; r < runs; r++) {
              const res = await o.tagging.batch(model, blobs, { k: 3, batchSize: b });
              ours[b].push(blobs.length / (res.ms / 1000));
              ourLabels = res.results.map((x) => (x.ok ? x.preds[0].label : ''));
              oursTop1 = top1(ourLabels);
            }
          }
          const tensorsAfterOurs = o.tf.memory().numTensors;
          const mn = await o.tagging.importMobilenet();
          const ref = await mn.load({
            version: 1,
            alpha: 0.25,
            modelUrl: `/models/${model}/model.json`,
            inputRange: [0, 1],
          });
          const classifyBlob = async (blob: Blob) => {
            const bmp = await createImageBitmap(blob, { imageOrientation: 'from-image' });
            try {
              return await ref.classify(bmp as unknown as HTMLCanvasElement, 3);
            } finally {
              bmp.close();
            }
          };
          await classifyBlob(blobs[0]);
          const refRates: number[] = [];
          let refLabels: string[] = [];
          for (let r = 0; r < runs; r++) {
            const t0 = performance.now();
            const labels: string[] = [];
            for (const blob of blobs) labels.push((await classifyBlob(blob))[0].className);
            refRates.push(blobs.length / ((performance.now() - t0) / 1000));
            refLabels = labels;
          }
          return {
            ours,
            refRates,
            oursTop1,
            refTop1: top1(refLabels),
            agree: (100 * ourLabels.filter((l, i) => l === refLabels[i]).length) / blobs.length,
            leaked: tensorsAfterOurs - tensorsBefore,
          };
        },
        { files, truth, batchSizes, runs, model: MODEL },
      );
      const rows: BenchRow[] = [];
      for (const b of batchSizes) {
        const row = summarise(
          {
            workload: 'tag-batch',
            backend: ctx.backend,
            model: MODEL,
            metric: `images/s, batch ${b}`,
            unit: 'images/s',
          },
          out.ours[b],
        );
        rows.push({
          ...compare(row, 'mobilenet classify() loop', out.refRates, true),
          extra:
            b === batchSizes[batchSizes.length - 1]
              ? {
                  photos: files.length,
                  'top-1 ours (centre crop)': Number(out.oursTop1.toFixed(1)),
                  'top-1 reference (squash)': Number(out.refTop1.toFixed(1)),
                  'top-1 agreement %': Number(out.agree.toFixed(1)),
                  'tensors leaked': out.leaked,
                }
              : undefined,
        });
      }
      return rows;
    } finally {
      await h.close();
    }
  },
};
