/**
 * Classification pieces: pure top-k/accuracy/padding maths, and a real MobileNet v1 0.25 from
 * ../shared/models run through the Tag pipeline's batch code on WebGPU (Dawn on SwiftShader in
 * Node) against the CPU backend, on deterministic synthetic pixels (Node has no JPEG decoder;
 * real photos are covered by the e2e test and the eval).
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gpuTf, onBackend } from '../webgpuNode';
import { accuracy, topKIndices } from '../../../src/classification/topk';
import { rgbaToRgb, sourceRect } from '../../../src/sources/decodeCore';
import { SHARED } from '../../harness/data';

describe('pure helpers', () => {
  it('takes the top k indices, largest first, ties by lower index', () => {
    expect(topKIndices([0.1, 0.5, 0.2, 0.5, 0.05], 3)).toEqual([1, 3, 2]);
    expect(topKIndices([3, 1], 5)).toEqual([0, 1]);
    expect(topKIndices([1, 2, 3], 0)).toEqual([]);
  });

  it('scores top-1 and top-5', () => {
    const ranked = [
      [1, 2, 3, 4, 5],
      [9, 8, 7, 6, 5],
      [0, 1, 2, 3, 4],
      [4, 3, 2, 1, 0],
    ];
    expect(accuracy(ranked, [1, 5, 7, 4])).toEqual({ n: 4, top1: 50, top5: 75 });
  });

  it('crops the centre square in source pixels, or keeps the whole image', () => {
    expect(sourceRect(500, 375, 'center')).toEqual({ sx: 62.5, sy: 0, sw: 375, sh: 375 });
    expect(sourceRect(333, 500, 'center')).toEqual({ sx: 0, sy: 83.5, sw: 333, sh: 333 });
    expect(sourceRect(500, 375, 'none')).toEqual({ sx: 0, sy: 0, sw: 500, sh: 375 });
  });

  it('drops alpha so every model sees RGB', () => {
    expect(Array.from(rgbaToRgb(Uint8Array.from([1, 2, 3, 255, 4, 5, 6, 0])))).toEqual([
      1, 2, 3, 4, 5, 6,
    ]);
  });
});

/** Deterministic "photos": smooth colour fields with stripes, different per image. */
function synthetic(n: number, size = 224): Uint8Array[] {
  return Array.from({ length: n }, (_, k) => {
    const px = new Uint8Array(size * size * 3);
    for (let y = 0; y < size; y++)
      for (let x = 0; x < size; x++) {
        const i = (y * size + x) * 3;
        px[i] = (x * (k + 1) * 3 + y) & 255;
        px[i + 1] = ((x ^ y) * (k + 2)) & 255;
        px[i + 2] = Math.floor(127 + 127 * Math.sin((x + y * k) / (8 + k)));
      }
    return px;
  });
}

describe('MobileNet v1 0.25 through the batch code, WebGPU vs CPU', () => {
  let tf: Awaited<ReturnType<typeof gpuTf>>;
  let pre: typeof import('../../../src/classification/preprocess');
  let cls: typeof import('../../../src/classification/classifier');
  let loader: typeof import('../../../src/models/loader');
  let entry: import('../../../src/models/catalog').CatalogEntry;
  let fetched: import('../../../src/models/loader').FetchedModel;

  beforeAll(async () => {
    tf = await gpuTf();
    pre = await import('../../../src/classification/preprocess');
    cls = await import('../../../src/classification/classifier');
    loader = await import('../../../src/models/loader');
    entry = (await import('../../../src/models/catalog')).catalogEntry('mobilenet_v1_0.25_224');
    const dir = join(SHARED, 'models', entry.id);
    const modelJson = JSON.parse(readFileSync(join(dir, 'model.json'), 'utf8'));
    const weights: Record<string, ArrayBuffer> = {};
    for (const g of modelJson.weightsManifest as { paths: string[] }[])
      for (const p of g.paths) weights[p] = new Uint8Array(readFileSync(join(dir, p))).buffer;
    fetched = { modelJson, modelJsonSha256: '', weights, fromCache: true, cached: true };
  });

  async function run(backend: 'webgpu' | 'cpu') {
    return onBackend(tf, backend, async () => {
      const model = await loader.buildModel('layers', fetched);
      const handle = { id: entry.id, model, generation: 1 };
      const spec = { output: entry.output, labels: cls.labelsFor(entry) };
      const images = synthetic(3);
      const before = tf.memory().numTensors;
      // 3 images padded to a batch of 4, as the pipeline does.
      const input = pre.rgbBatchToInput(images, entry.input, pre.paddedBatchSize(3, 16));
      expect(input.shape).toEqual([4, 224, 224, 3]);
      const range = await Promise.all(
        [tf.min(input), tf.max(input)].map(async (t) => {
          const v = (await t.data())[0];
          t.dispose();
          return v;
        }),
      );
      const preds = await cls.classifyBatch(handle, spec, input, 5);
      input.dispose();
      const after = tf.memory().numTensors;
      model.dispose();
      return { preds: preds.slice(0, 3), range, leaked: after - before };
    });
  }

  it('gives the same top-5 with probabilities within 1e-3, freeing every tensor', async () => {
    const gpu = await run('webgpu');
    const cpu = await run('cpu');
    expect(gpu.range[0]).toBeGreaterThanOrEqual(-1);
    expect(gpu.range[1]).toBeLessThanOrEqual(1);
    expect(gpu.leaked).toBe(0);
    expect(cpu.leaked).toBe(0);
    for (let i = 0; i < 3; i++) {
      expect(gpu.preds[i].map((p) => p.index)).toEqual(cpu.preds[i].map((p) => p.index));
      gpu.preds[i].forEach((p, j) =>
        expect(Math.abs(p.probability - cpu.preds[i][j].probability)).toBeLessThan(1e-3),
      );
      expect(gpu.preds[i][0].label).toBe(cpu.preds[i][0].label);
    }
    // Different inputs, different answers: the batch rows are not mixed up.
    expect(new Set(gpu.preds.map((p) => p[0].index)).size).toBeGreaterThan(1);
    expect(gpu.preds[0][0].probability).toBeGreaterThan(gpu.preds[0][1].probability);
  }, 300_000);
});
