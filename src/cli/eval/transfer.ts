/**
 * `npm run eval -- transfer --base <id> --data <class-folders> --train-per-class N [--finetune]
 *   [--knn] [--no-augment] [--backend wasm|webgpu|webgl|cpu] [--seed S] [--json out.json]`
 * Trains in headless Chromium through the app's own Train code (window.ocellus.train), on N
 * photos per class (a seeded random choice), and reports accuracy on the photos not used for
 * training, per-class recall, and the time taken.
 */
import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { appSession, str, type Flags } from '../common';
import { isBackendName, type BackendName } from '../../engine/backendNames';
import { rng, shuffle } from '../../training/split';
import type { TrainSettings } from '../../training/types';

const IMAGE = /\.(jpe?g|png|webp|bmp)$/i;

export interface TransferResult {
  base: string;
  mode: string;
  augment: boolean;
  backend: string;
  trainPerClass: number;
  heldOut: number;
  accuracy: number;
  perClassRecall: Record<string, number>;
  validationAccuracy: number | null;
  epochs: number;
  embedSeconds: number;
  trainSeconds: number;
  predictSeconds: number;
  totalSeconds: number;
}

export async function transfer(flags: Flags): Promise<void> {
  const base = str(flags, 'base', 'mobilenet_v1_0.25_224')!;
  const data = resolve(str(flags, 'data') ?? '');
  const n = Number(str(flags, 'train-per-class', '40'));
  const backend = str(flags, 'backend', 'wasm')!;
  if (!isBackendName(backend)) throw new Error(`unknown backend ${backend}`);
  const seed = Number(str(flags, 'seed', '1'));
  const mode: TrainSettings['mode'] = flags.finetune ? 'finetune' : flags.knn ? 'knn' : 'head';
  const augment = !flags['no-augment'];
  const classes = readdirSync(data)
    .filter((d) => statSync(join(data, d)).isDirectory())
    .sort();
  if (classes.length < 2) throw new Error(`${data} needs at least two class folders`);
  const rand = rng(seed);
  const split = classes.map((c) => {
    const files = shuffle(
      readdirSync(join(data, c))
        .filter((f) => IMAGE.test(f))
        .sort(),
      rand,
    ).map((f) => join(data, c, f));
    if (files.length <= n) throw new Error(`${c} has ${files.length} images; need more than ${n}`);
    return { name: c, train: files.slice(0, n), test: files.slice(n) };
  });
  const b64 = (f: string) => readFileSync(f).toString('base64');
  const extra: Partial<TrainSettings> = { baseId: base, mode, augment, seed };
  for (const k of [
    'epochs',
    'hidden',
    'dropout',
    'learningRate',
    'augmentViews',
    'finetuneEpochs',
    'batchSize',
  ] as const) {
    const v = str(flags, k);
    if (v !== undefined) (extra as Record<string, number>)[k] = Number(v);
  }
  const app = await appSession();
  const t0 = Date.now();
  try {
    const h = await app.open(backend as BackendName);
    try {
      await h.page.evaluate(async (settings) => {
        const t = window.ocellus!.train;
        await t.init();
        await t.reset();
        await t.settings(settings);
      }, extra);
      for (const c of split) {
        const id = await h.page.evaluate((name) => window.ocellus!.train.addClass(name), c.name);
        await h.page.evaluate(
          async ({ id, imgs }) => {
            const blobs = await Promise.all(
              imgs.map(async (s) => (await fetch(`data:image/jpeg;base64,${s}`)).blob()),
            );
            await window.ocellus!.train.addSamples(id, blobs);
          },
          { id, imgs: c.train.map(b64) },
        );
      }
      const evalMode = async (m: TrainSettings['mode']): Promise<TransferResult> => {
        console.error(
          `[transfer] ${base} ${m}${augment ? '' : ' (no augmentation)'} on ${backend}: training on ${n} x ${classes.length}`,
        );
        const t1 = Date.now();
        const run = await h.page.evaluate(async (mode) => {
          const t = window.ocellus!.train;
          await t.settings({ mode });
          const r = await t.run();
          return { run: r.run, valAcc: r.report?.accuracy ?? null, epochs: r.history.length };
        }, m);
        const tp = Date.now();
        let correct = 0;
        let total = 0;
        const perClassRecall: Record<string, number> = {};
        for (const [ci, c] of split.entries()) {
          const probs = await h.page.evaluate(async (imgs) => {
            const blobs = await Promise.all(
              imgs.map(async (s) => (await fetch(`data:image/jpeg;base64,${s}`)).blob()),
            );
            return window.ocellus!.train.predict(blobs);
          }, c.test.map(b64));
          const ok = probs.filter((p) => p.indexOf(Math.max(...p)) === ci).length;
          perClassRecall[c.name] = ok / probs.length;
          correct += ok;
          total += probs.length;
        }
        const result: TransferResult = {
          base,
          mode: m,
          augment,
          backend,
          trainPerClass: n,
          heldOut: total,
          accuracy: correct / total,
          perClassRecall,
          validationAccuracy: run.valAcc,
          epochs: run.epochs,
          embedSeconds: run.run.embedSeconds,
          trainSeconds: run.run.trainSeconds,
          predictSeconds: (Date.now() - tp) / 1000,
          totalSeconds: (Date.now() - t1) / 1000,
        };
        console.log(
          `transfer ${base} ${m}${augment ? ' +aug' : ''} [${backend}]: held-out accuracy ${(100 * result.accuracy).toFixed(1)}% (${correct}/${total}); ` +
            `epochs ${result.epochs}; embed ${result.embedSeconds.toFixed(1)} s, train ${result.trainSeconds.toFixed(1)} s, run ${result.totalSeconds.toFixed(0)} s`,
        );
        console.log(
          `  recall: ${Object.entries(perClassRecall)
            .map(([k, v]) => `${k} ${(100 * v).toFixed(0)}%`)
            .join(', ')}`,
        );
        return result;
      };
      // With --finetune the head-only model is trained and measured first: same split, same cached
      // embeddings, so the two figures differ only by the fine-tuning.
      const results: TransferResult[] = [];
      if (mode === 'finetune') results.push(await evalMode('head'));
      results.push(await evalMode(mode));
      console.log(`total ${((Date.now() - t0) / 1000).toFixed(0)} s`);
      const json = str(flags, 'json');
      if (json) writeFileSync(json, JSON.stringify(results, null, 2) + '\n');
    } finally {
      await h.close();
    }
  } finally {
    await app.close();
  }
}
