/**
 * Malformed "Your model…" imports in Tag: each gets a UserModelError that says what is wrong,
 * nothing stays registered on the engine and no tensor leaks. Models are real TF.js layers
 * models, built and serialised here, run on tfjs's CPU backend.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { gpuTf, onBackend } from '../webgpuNode';
import { layersModelFiles } from '../layersFiles';

let tf: Awaited<ReturnType<typeof gpuTf>>;
let um: typeof import('../../../src/tagging/userModels');
let engine: typeof import('../../../src/engine/engine').engine;

beforeAll(async () => {
  tf = await gpuTf();
  um = await import('../../../src/tagging/userModels');
  engine = (await import('../../../src/engine/engine')).engine;
  await onBackend(tf, 'cpu', async () => undefined);
});

/** model.json text and weights.bin of a layers model made by `make`. */
const serialise = (make: () => import('@tensorflow/tfjs').LayersModel) =>
  layersModelFiles(tf, make());

/** A classifier [n,8,8,3] → [n,K] softmax. */
const classifier = (k: number) => () =>
  tf.sequential({
    layers: [
      tf.layers.conv2d({ inputShape: [8, 8, 3], filters: 2, kernelSize: 3, activation: 'relu' }),
      tf.layers.flatten(),
      tf.layers.dense({ units: k, activation: 'softmax' }),
    ],
  });

const file = (name: string, body: string | Uint8Array) =>
  new File([body as BlobPart], name, { type: 'application/octet-stream' });

/** Runs the whole import (collect + build + check) as the dialog does. */
async function importFiles(files: File[]) {
  const parsed = await um.collectUserModelFiles(files);
  const { record } = await um.createUserModel(parsed, [0, 1]);
  engine.unregister(record.id);
  return record;
}

/** Asserts the import fails with `message`, leaving no model registered and no tensor behind. */
async function expectRefused(files: File[], message: RegExp) {
  const before = tf.memory().numTensors;
  const loaded = engine.loadedIds().length;
  const err = await importFiles(files).then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(um.UserModelError);
  expect((err as Error).message).toMatch(message);
  expect(engine.loadedIds()).toHaveLength(loaded);
  expect(tf.memory().numTensors).toBe(before);
}

describe('user model import (Tag › Your model…)', () => {
  it('accepts a well-formed model: [n,h,w,3] in, [n,K] out, K = labels', async () => {
    const m = await serialise(classifier(3));
    const rec = await importFiles([
      file('model.json', m.json),
      file('weights.bin', m.weights),
      file('labels.txt', 'cat\ndog\nbird\n'),
    ]);
    expect(rec.input).toEqual({ width: 8, height: 8, range: [0, 1] });
    expect(rec.output).toEqual({ classes: 3, kind: 'probabilities' });
    expect(rec.labels).toEqual(['cat', 'dog', 'bird']);
  });

  it('says a broken model.json is not valid JSON (not "no model.json found")', async () => {
    const m = await serialise(classifier(2));
    await expectRefused(
      [
        file('model.json', m.json.slice(0, m.json.length / 2)),
        file('weights.bin', m.weights),
        file('labels.txt', 'a\nb\n'),
      ],
      /^model\.json is not valid JSON \(.+\)\.$/,
    );
    await expectRefused(
      [file('model.json', '{"hello": "world"}'), file('labels.txt', 'a\nb\n')],
      /^model\.json is not a TF\.js model \(it needs "modelTopology" and "weightsManifest"\)\.$/,
    );
    const bad = JSON.parse(m.json) as { weightsManifest: { paths: unknown }[] };
    bad.weightsManifest[0].paths = [7];
    await expectRefused(
      [file('model.json', JSON.stringify(bad)), file('labels.txt', 'a\nb\n')],
      /weightsManifest without "paths" lists/,
    );
  });

  it('names missing weight files', async () => {
    const m = await serialise(classifier(2));
    await expectRefused(
      [file('model.json', m.json), file('labels.txt', 'a\nb\n')],
      /^Weight file\(s\) missing: weights\.bin$/,
    );
  });

  it('refuses weights whose size does not match model.json', async () => {
    const m = await serialise(classifier(2));
    await expectRefused(
      [
        file('model.json', m.json),
        file('weights.bin', m.weights.subarray(0, m.weights.length - 12)),
        file('labels.txt', 'a\nb\n'),
      ],
      /^The weight files hold \d+ bytes but model\.json describes \d+ bytes of weights/,
    );
    // Short by a whole weight, and one byte too many.
    await expectRefused(
      [
        file('model.json', m.json),
        file('weights.bin', new Uint8Array([...m.weights, 0])),
        file('labels.txt', 'a\nb\n'),
      ],
      /hold \d+ bytes but model\.json describes \d+ bytes/,
    );
  });

  it('counts the weight bytes a manifest describes, quantized weights at their stored size', () => {
    expect(
      um.manifestWeightBytes([
        {
          paths: ['a.bin'],
          weights: [
            { name: 'k', shape: [3, 3, 3, 8], dtype: 'float32' },
            { name: 'q', shape: [10], dtype: 'float32', quantization: { dtype: 'uint8' } },
            { name: 'h', shape: [4], dtype: 'float32', quantization: { dtype: 'float16' } },
            { name: 'n', shape: [], dtype: 'int32' },
          ],
        },
      ]),
    ).toBe(216 * 4 + 10 + 8 + 4);
    expect(
      um.manifestWeightBytes([{ paths: [], weights: [{ shape: [2], dtype: 'string' }] }]),
    ).toBe(null);
    expect(
      um.manifestWeightBytes([{ paths: [], weights: [{ shape: [-1], dtype: 'float32' }] }]),
    ).toBe(null);
  });

  it('refuses wrong shapes: output not [n,K], input not RGB, K not the label count', async () => {
    const noFlatten = await serialise(() =>
      tf.sequential({
        layers: [tf.layers.conv2d({ inputShape: [8, 8, 3], filters: 2, kernelSize: 1 })],
      }),
    );
    await expectRefused(
      [
        file('model.json', noFlatten.json),
        file('weights.bin', noFlatten.weights),
        file('labels.txt', 'a\nb\n'),
      ],
      /^The model's output must be one \[n,K\] tensor; it is \[2,8,8,2\]\.$/,
    );
    const grey = await serialise(() =>
      tf.sequential({
        layers: [
          tf.layers.flatten({ inputShape: [8, 8, 1] }),
          tf.layers.dense({ units: 2, activation: 'softmax' }),
        ],
      }),
    );
    await expectRefused(
      [
        file('model.json', grey.json),
        file('weights.bin', grey.weights),
        file('labels.txt', 'a\nb\n'),
      ],
      /^The model's input must be \[n,h,w,3\]; it is \[,8,8,1\]\.$/,
    );
    const three = await serialise(classifier(3));
    await expectRefused(
      [
        file('model.json', three.json),
        file('weights.bin', three.weights),
        file('labels.txt', 'a\nb\n'),
      ],
      /^The model has 3 outputs but the labels file lists 2 labels\.$/,
    );
  });
});
