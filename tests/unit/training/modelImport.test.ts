/**
 * Malformed model imports in Train (model.json + weights + metadata.json): each is refused with a
 * message that names the problem, before any layer is built.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { gpuTf, onBackend } from '../webgpuNode';
import { layersModelFiles } from '../layersFiles';

let tf: Awaited<ReturnType<typeof gpuTf>>;
let modelio: typeof import('../../../src/training/modelio');

beforeAll(async () => {
  tf = await gpuTf();
  await onBackend(tf, 'cpu', async () => undefined);
  modelio = await import('../../../src/training/modelio');
});

const file = (name: string, body: string | Uint8Array) => new File([body as BlobPart], name);

function tinyModel() {
  const model = tf.sequential({
    layers: [
      tf.layers.flatten({ inputShape: [4, 4, 3] }),
      tf.layers.dense({ units: 2, activation: 'softmax' }),
    ],
  });
  return layersModelFiles(tf, model);
}

const META = JSON.stringify({ labels: ['a', 'b'], imageSize: 4 });

describe('Train › Import model: malformed files', () => {
  it('reads a well-formed export', async () => {
    const m = await tinyModel();
    const { artifacts, metaText } = await modelio.readModelFiles([
      file('model.json', m.json),
      file('weights.bin', m.weights),
      file('metadata.json', META),
    ]);
    expect(artifacts.weightSpecs?.map((w) => w.shape)).toEqual([[48, 2], [2]]);
    expect(metaText).toBe(META);
  });

  it('says model.json is broken, not a model, or missing its weights', async () => {
    const m = await tinyModel();
    const read = (files: File[]) => modelio.readModelFiles(files);
    await expect(
      read([file('model.json', m.json.slice(0, 50)), file('metadata.json', META)]),
    ).rejects.toThrow('model.json is not valid JSON.');
    await expect(
      read([file('model.json', '{"labels":[]}'), file('metadata.json', META)]),
    ).rejects.toThrow('model.json is not a TF.js layers model.');
    await expect(read([file('model.json', m.json), file('metadata.json', META)])).rejects.toThrow(
      'Weights file “weights.bin” named in model.json was not provided.',
    );
    await expect(
      read([file('model.json', m.json), file('weights.bin', m.weights)]),
    ).rejects.toThrow('metadata.json is missing: it holds the class labels.');
  });

  it('refuses weights whose size does not match model.json, before building anything', async () => {
    const m = await tinyModel();
    const before = tf.memory().numTensors;
    await expect(
      modelio.readModelFiles([
        file('model.json', m.json),
        file('weights.bin', m.weights.subarray(0, 100)),
        file('metadata.json', META),
      ]),
    ).rejects.toThrow(/^The weight files hold 100 bytes but model\.json describes 392 bytes/);
    expect(tf.memory().numTensors).toBe(before);
  });
});
