import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gpuTf, onBackend } from '../webgpuNode';
import catalogJson from '../../../models/catalog.json';
import type { Catalog } from '../../../src/models/catalog';

const SHARED = join(import.meta.dirname, '../../../../shared/models');
const entry = (catalogJson as Catalog).models.find((m) => m.id === 'mobilenet_v1_0.25_224')!;

/** Serves ../shared/models/<id>/ through a fake fetch, with optional tampering per file. */
function fakeFetch(tamper: (path: string, b: Buffer) => Buffer | null = (_p, b) => b) {
  return vi.fn(async (url: string | URL) => {
    const path = new URL(String(url), 'http://app/').pathname.split('/').pop()!;
    let body: Buffer | null;
    try {
      body = tamper(path, readFileSync(join(SHARED, entry.id, path)));
    } catch {
      body = null;
    }
    return body ? new Response(new Uint8Array(body)) : new Response('missing', { status: 404 });
  });
}

let tf: Awaited<ReturnType<typeof gpuTf>>;
let loader: typeof import('../../../src/models/loader');

beforeAll(async () => {
  tf = await gpuTf();
  loader = await import('../../../src/models/loader');
});
afterEach(() => vi.unstubAllGlobals());

describe('model loader', () => {
  it('downloads every file with byte progress and verifies each sha256', async () => {
    vi.stubGlobal('fetch', fakeFetch());
    const progress: number[] = [];
    const fetched = await loader.fetchModel({
      id: entry.id,
      url: '/models/mobilenet_v1_0.25_224/model.json',
      files: entry.files,
      noCache: true,
      onProgress: (p) => progress.push(p.loaded),
    });
    expect(Object.keys(fetched.weights)).toHaveLength(55);
    expect(progress.at(-1)).toBe(entry.files.reduce((n, f) => n + f.bytes, 0));
    expect(fetched.modelJsonSha256).toBe(entry.files[0].sha256);
  });

  it('refuses a weight file with one flipped byte, naming the file', async () => {
    vi.stubGlobal(
      'fetch',
      fakeFetch((p, b) => {
        if (p === 'group7-shard1of1') b[3] ^= 1;
        return b;
      }),
    );
    await expect(
      loader.fetchModel({ id: entry.id, url: '/m/model.json', files: entry.files, noCache: true }),
    ).rejects.toThrow(/Refused group7-shard1of1: its sha256 is .* tampered/);
  });

  it('refuses a truncated weight file and reports a 404 as a download error', async () => {
    vi.stubGlobal(
      'fetch',
      fakeFetch((p, b) => (p === 'group2-shard1of1' ? b.subarray(0, 100) : b)),
    );
    await expect(
      loader.fetchModel({ id: entry.id, url: '/m/model.json', files: entry.files, noCache: true }),
    ).rejects.toBeInstanceOf(loader.ModelIntegrityError);
    vi.stubGlobal(
      'fetch',
      fakeFetch((p, b) => (p === 'group9-shard1of1' ? null : b)),
    );
    await expect(
      loader.fetchModel({ id: entry.id, url: '/m/model.json', files: entry.files, noCache: true }),
    ).rejects.toThrow(/group9-shard1of1 failed: HTTP 404/);
  });

  it('builds the real MobileNet from verified bytes; WebGPU (Dawn) agrees with the CPU reference', async () => {
    vi.stubGlobal('fetch', fakeFetch());
    const fetched = await loader.fetchModel({
      id: entry.id,
      url: '/m/model.json',
      files: entry.files,
      noCache: true,
    });
    // A deterministic smooth test image, scaled to [-1,1] as the model expects.
    const input = () =>
      tf.tidy(() => {
        const y = tf.linspace(-1, 1, 224).reshape([224, 1, 1]);
        const x = tf.linspace(-1, 1, 224).reshape([1, 224, 1]);
        const c = tf.tensor([0.9, -0.2, 0.4]).reshape([1, 1, 3]);
        return tf.sin(tf.add(tf.mul(y, 3), tf.mul(x, c.mul(5)))).expandDims(0);
      });
    const run = async () => {
      const model = (await loader.buildModel(
        'layers',
        fetched,
      )) as import('@tensorflow/tfjs').LayersModel;
      const x = input();
      const y = model.predict(x) as import('@tensorflow/tfjs').Tensor;
      const out = await y.data();
      tf.dispose([x, y]);
      model.dispose();
      return out;
    };
    const cpu = await onBackend(tf, 'cpu', run);
    const before = tf.memory().numTensors;
    const gpu = await onBackend(tf, 'webgpu', run);
    expect(tf.memory().numTensors).toBe(before);
    expect(cpu).toHaveLength(1000);
    let maxDiff = 0;
    for (let i = 0; i < 1000; i++) maxDiff = Math.max(maxDiff, Math.abs(cpu[i] - gpu[i]));
    expect(maxDiff).toBeLessThan(1e-3);
    const argmax = (a: ArrayLike<number>) => Array.from(a).indexOf(Math.max(...Array.from(a)));
    expect(argmax(gpu)).toBe(argmax(cpu));
    expect(Array.from(cpu).reduce((s, v) => s + v, 0)).toBeCloseTo(1, 3);
  });
});
