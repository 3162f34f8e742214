/**
 * Train workloads, per backend and base (default: both layers MobileNets):
 *  - embed: embeddings per second, augmented views included (crop/flip/colour on the backend);
 *  - train-epoch: seconds per head epoch on 200 samples (adam, batch 32, hidden 128 + dropout);
 *  - finetune-epoch: seconds per fine-tuning epoch on 200 samples (top block + head).
 * Synthetic inputs of the real shapes: timing does not depend on pixel values.
 */
import { summarise, type BenchRow, type Workload, type WorkloadContext } from './types';

const BASES = ['mobilenet_v1_0.25_224', 'mobilenet_v1_0.75_224'];
const SAMPLES = 200;
const EMBED_IMAGES = 40;

type Kind = 'embed' | 'train-epoch' | 'finetune-epoch';

async function measure(ctx: WorkloadContext, kind: Kind): Promise<BenchRow[]> {
  const rows: BenchRow[] = [];
  const bases = ctx.models.length ? ctx.models : BASES;
  for (const base of bases) {
    ctx.log(`${kind}: ${base} on ${ctx.backend}`);
    const h = await ctx.app.open(ctx.backend);
    try {
      const samples = await h.page.evaluate(
        async ({ base, kind, runs, warmup, n }) => {
          const t = window.ocellus!.train;
          const out: number[] = [];
          for (let i = 0; i < warmup + runs; i++) {
            const v = await t.bench(base, kind, n);
            if (i >= warmup) out.push(v);
          }
          return out;
        },
        {
          base,
          kind,
          // Fine-tuning on a software adapter takes minutes per epoch: fewer runs there.
          runs: kind === 'embed' ? ctx.runs : Math.max(1, Math.min(ctx.runs, 3)),
          warmup: Math.min(ctx.warmup, 1),
          n: kind === 'embed' ? EMBED_IMAGES : SAMPLES,
        },
      );
      rows.push(
        summarise(
          {
            workload: kind,
            backend: ctx.backend,
            model: base,
            metric:
              kind === 'embed'
                ? 'embeddings/s (with augmentation)'
                : `s/epoch (${SAMPLES} samples)`,
            unit: kind === 'embed' ? '1/s' : 's',
          },
          samples,
        ),
      );
    } finally {
      await h.close();
    }
  }
  return rows;
}

const make = (name: Kind, description: string): Workload => ({
  name,
  description,
  backends: ['wasm', 'webgpu'],
  run: (ctx) => measure(ctx, name),
});

export const trainWorkloads: Workload[] = [
  make('embed', 'Train: embeddings per second (augmented views) per base'),
  make('train-epoch', 'Train: seconds per head epoch, 200 samples'),
  make('finetune-epoch', 'Train: seconds per fine-tuning epoch (top block + head), 200 samples'),
];
