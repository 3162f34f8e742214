/**
 * `loadModel` (the store's way to put a catalog model on the engine) when several parts of the
 * app ask for one model at once, as a Live snapshot arriving in Tag while photos are dropped
 * does: one download, one registration, and every caller gets a model that still runs. A second
 * registration would dispose the copy the first caller holds ("Layer 'conv1' is already
 * disposed" on the snapshot, seen in an e2e run). The same for a user's own stored model. The
 * download is replaced by a small real model built after a delay; the engine, the store and the
 * warm-up are the app's own, on tfjs's CPU backend in Node.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import type { LayersModel, Tensor } from '@tensorflow/tfjs';

const downloads = vi.hoisted(() => {
  // The store keeps settings in localStorage, which Node lacks: an in-memory one for this file.
  const items = new Map<string, string>();
  globalThis.localStorage ??= {
    getItem: (k: string) => items.get(k) ?? null,
    setItem: (k: string, v: string) => void items.set(k, String(v)),
    removeItem: (k: string) => void items.delete(k),
    clear: () => items.clear(),
    key: (i: number) => [...items.keys()][i] ?? null,
    get length() {
      return items.size;
    },
  };
  return { ids: [] as string[], fail: false };
});

vi.mock('../../../src/models/registry', async () => {
  const { engine } = await import('../../../src/engine/engine');
  const { tf } = await import('../../../src/engine/tf');
  const { colourModel } = await import('../colourModel');
  return {
    allAvailability: async () => ({}),
    loadCatalogModel: async (id: string) => {
      downloads.ids.push(id);
      // Downloads take a while: long enough for a second caller to arrive.
      await new Promise((r) => setTimeout(r, 50));
      if (downloads.fail) throw new Error('the server answered 503');
      const handle = await engine.register(id, async () => colourModel(tf));
      return Object.assign(handle, { fetched: { cached: true, fromCache: false }, entry: {} });
    },
  };
});

const { tf } = await import('../../../src/engine/tf');
const { engine } = await import('../../../src/engine/engine');
const { useApp } = await import('../../../src/store');
const { loadModel } = await import('../../../src/store/engineActions');
const { registerStoredUserModel } = await import('../../../src/tagging/userModels');
const { layersModelFiles } = await import('../layersFiles');
const { colourModel } = await import('../colourModel');

const ID = 'mobilenet_v1_0.25_224';
const SHAPES = [[1, 8, 8, 3]];

/** The top class of the model on an all-red 8x8 image: 0 means it still runs and is right. */
async function topClass(model: unknown): Promise<number> {
  const top = tf.tidy(() => {
    const red = tf.stack([tf.ones([8, 8]), tf.zeros([8, 8]), tf.zeros([8, 8])], 2).expandDims(0);
    const y = (model as LayersModel).predict(red) as Tensor;
    return y.argMax(1);
  });
  const [k] = await top.data();
  top.dispose();
  return k;
}

describe('loadModel: callers asking for the same model at once', () => {
  beforeAll(async () => {
    await tf.setBackend('cpu');
    expect(tf.getBackend()).toBe('cpu');
  });
  beforeEach(() => {
    engine.unregister(ID);
    downloads.ids.length = 0;
    downloads.fail = false;
  });
  afterAll(() => engine.unregister(ID));

  it('share one download and registration, and each gets a model that still runs', async () => {
    const before = tf.memory().numTensors;
    const handles = await Promise.all([
      loadModel(ID, SHAPES),
      loadModel(ID, SHAPES),
      loadModel(ID, SHAPES),
    ]);
    expect(downloads.ids).toEqual([ID]);
    expect(handles.map((h) => h.model)).toEqual([
      handles[0].model,
      handles[0].model,
      handles[0].model,
    ]);
    expect(await Promise.all(handles.map((h) => topClass(h.model)))).toEqual([0, 0, 0]);
    expect(useApp.getState().models[ID]).toMatchObject({ loaded: true, loading: undefined });
    // Loaded now: a later caller gets it without a download.
    expect((await loadModel(ID, SHAPES)).model).toBe(handles[0].model);
    expect(downloads.ids).toEqual([ID]);
    engine.unregister(ID);
    expect(tf.memory().numTensors).toBe(before);
  });

  it('share a failure, and the next ask downloads again', async () => {
    downloads.fail = true;
    const results = await Promise.allSettled([loadModel(ID, SHAPES), loadModel(ID, SHAPES)]);
    expect(results.map((r) => r.status)).toEqual(['rejected', 'rejected']);
    expect(downloads.ids).toEqual([ID]);
    expect(useApp.getState().models[ID].error).toMatch(
      /could not be loaded: the server answered 503/,
    );
    downloads.fail = false;
    const handle = await loadModel(ID, SHAPES);
    expect(downloads.ids).toEqual([ID, ID]);
    expect(await topClass(handle.model)).toBe(0);
    expect(useApp.getState().models[ID]).toMatchObject({ loaded: true, error: undefined });
  });

  it('builds a stored user model once when two Tag runs ask for it together', async () => {
    const files = await layersModelFiles(tf, colourModel(tf));
    const rec = {
      id: 'user:colours-0000abcd',
      name: 'colours',
      format: 'layers' as const,
      modelJson: JSON.parse(files.json) as object,
      modelJsonSha256: '0000abcd',
      weights: { 'weights.bin': files.weights.slice().buffer },
      labels: ['red', 'green'],
      input: { width: 8, height: 8, range: [0, 1] as [number, number] },
      output: { classes: 2, kind: 'probabilities' as const },
      addedAt: 0,
    };
    const before = tf.memory().numTensors;
    const [a, b] = await Promise.all([registerStoredUserModel(rec), registerStoredUserModel(rec)]);
    expect(b.model).toBe(a.model);
    expect(await topClass(a.model)).toBe(0);
    engine.unregister(rec.id);
    // A second build would have left its weights behind, unreachable.
    expect(tf.memory().numTensors).toBe(before);
  });
});
