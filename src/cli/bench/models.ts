/**
 * Foundation workloads, per catalog model that is self-hosted here:
 *  - model-load: fetch + sha256 verify + build, cold (cache cleared) and warm (IndexedDB cache);
 *  - warmup: the first forward pass (shader compilation);
 *  - forward: one forward pass on a 1-image batch after warm-up, with async readback.
 */
import { catalog, type CatalogEntry } from '../../models/catalog';
import { summarise, type BenchRow, type Workload, type WorkloadContext } from './types';

function inputShape(e: CatalogEntry): number[] {
  if (e.family === 'coco-ssd') return [1, 300, 300, 3];
  return e.input.layout === 'NCHW'
    ? [1, 3, e.input.height, e.input.width]
    : [1, e.input.height, e.input.width, 3];
}

async function selfHostedIds(ctx: WorkloadContext): Promise<string[]> {
  const h = await ctx.app.open(ctx.backend);
  try {
    const ids = await h.page.evaluate(async () => {
      const res = await fetch('/models/manifest.json');
      return res.ok
        ? Object.keys(((await res.json()) as { models: Record<string, unknown> }).models)
        : [];
    });
    return catalog.models
      .map((m) => m.id)
      .filter((id) => ids.includes(id) && (!ctx.models.length || ctx.models.includes(id)));
  } finally {
    await h.close();
  }
}

async function measureModel(ctx: WorkloadContext, e: CatalogEntry): Promise<BenchRow[]> {
  const cold: number[] = [];
  const warmLoad: number[] = [];
  const firstPass: number[] = [];
  const forward: number[] = [];
  const shape = inputShape(e);
  // A fresh browser per run, so "first pass" really includes shader compilation.
  for (let r = 0; r < Math.max(1, Math.min(ctx.runs, 3)); r++) {
    const h = await ctx.app.open(ctx.backend);
    try {
      const t = await h.page.evaluate(
        async ({ id, shape, n, warmup }) => {
          const o = window.ocellus!;
          const { tf, engine } = o;
          // A fresh browser profile: the first load is cold (network + verify + build).
          const t0 = performance.now();
          await o.loadModel(id);
          const load = performance.now() - t0;
          engine.unregister(id);
          const t1 = performance.now();
          const handle = await o.loadModel(id);
          const cached = performance.now() - t1;
          const run = async () => {
            const x = tf.zeros(shape, id.startsWith('coco-ssd') ? 'int32' : 'float32');
            const m = handle.model;
            const out = m instanceof tf.GraphModel ? await m.executeAsync(x) : m.predict(x);
            const outs = (Array.isArray(out) ? out : [out]) as import('@tensorflow/tfjs').Tensor[];
            await Promise.all(outs.map((y) => y.data()));
            tf.dispose([x, ...outs]);
          };
          const t2 = performance.now();
          await run();
          const first = performance.now() - t2;
          for (let i = 0; i < warmup; i++) await run();
          const fw: number[] = [];
          for (let i = 0; i < n; i++) {
            const s = performance.now();
            await run();
            fw.push(performance.now() - s);
          }
          return { load, cached, first, fw };
        },
        { id: e.id, shape, n: ctx.runs, warmup: ctx.warmup },
      );
      cold.push(t.load);
      warmLoad.push(t.cached);
      firstPass.push(t.first);
      forward.push(...t.fw);
    } finally {
      await h.close();
    }
  }
  const base = { workload: '', backend: ctx.backend, model: e.id, unit: 'ms' };
  return [
    summarise({ ...base, workload: 'model-load', metric: 'load (network + verify + build)' }, cold),
    summarise({ ...base, workload: 'model-load', metric: 'load (IndexedDB cache)' }, warmLoad),
    summarise({ ...base, workload: 'warmup', metric: 'first forward pass' }, firstPass),
    summarise({ ...base, workload: 'forward', metric: `forward [${shape.join(',')}]` }, forward),
  ];
}

export const modelWorkloads: Workload = {
  name: 'models',
  description: 'model load time, warm-up time and one forward pass per self-hosted catalog model',
  backends: ['webgpu', 'wasm'],
  run: async (ctx) => {
    const rows: BenchRow[] = [];
    for (const id of await selfHostedIds(ctx)) {
      const e = catalog.models.find((m) => m.id === id)!;
      ctx.log(`models: ${id} on ${ctx.backend}`);
      rows.push(...(await measureModel(ctx, e)));
    }
    return rows;
  },
};
