/**
 * Train workspace, checked as a user would on WebGPU (SwiftShader here, so few photos): classes
 * from dropped flower photos, training with live charts and a confusion matrix, a held-out photo
 * classified correctly, the project intact after a reload, and the exported model loading with
 * tf.loadLayersModel in a page with the same prediction. Then a Teachable Machine-format import.
 */
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { openPage, waitForEngine, type PageHandle } from '../harness/browser';
import { addTrainClass, dropFiles, flowerPhotos, openTrain, predictTrained } from '../harness/ui';
import { requireShared } from '../harness/data';

const baseUrl = inject('baseUrl');
// Eight to train and two to validate per class: enough for a stable head on the 0.25 base.
const PER_CLASS = 10;

const b64 = (f: string) => readFileSync(f).toString('base64');

describe('Train on WebGPU: drop, train, evaluate, use, reload, export', () => {
  let h: PageHandle;
  const daisy = flowerPhotos('daisy');
  const sunflowers = flowerPhotos('sunflowers');
  // Held out from training. With eight photos a class, heads differ from run to run (unseeded
  // init and dropout): sunflowers[13], the photo shown before, scored 0.47-0.93 over four runs and
  // made one CI run in six fail, so the UI check uses a clear one (0.97-1.00) and the held-out
  // accuracy is checked over sixteen photos.
  const heldOut = sunflowers[PER_CLASS];
  const heldOutSet = [
    ...daisy.slice(PER_CLASS, PER_CLASS + 8).map((f) => ({ f, cls: 0 })),
    ...sunflowers.slice(PER_CLASS, PER_CLASS + 8).map((f) => ({ f, cls: 1 })),
  ];
  let appProbs: number[] = [];

  beforeAll(async () => {
    requireShared();
    h = await openPage(`${baseUrl}?backend=webgpu`, { gpu: 'webgpu' });
    expect(await waitForEngine(h.page)).toBe('webgpu');
  });
  afterAll(async () => h?.close());

  it('creates two classes from dropped photos', async () => {
    const p = h.page;
    // Keep SwiftShader time low: the small base, one augmented view per photo.
    await openTrain(p, {
      baseId: 'mobilenet_v1_0.25_224',
      augmentViews: 1,
      epochs: 40,
      valSplit: 0.2,
    });
    for (const name of ['daisy', 'sunflowers']) {
      await addTrainClass(p, name);
    }
    await dropFiles(p, 'drop-daisy', daisy.slice(0, PER_CLASS));
    await dropFiles(p, 'drop-sunflowers', sunflowers.slice(0, PER_CLASS));
    await expect
      .poll(() => p.getByTestId('count-daisy').textContent(), { timeout: 30_000 })
      .toBe(String(PER_CLASS));
    await expect
      .poll(() => p.getByTestId('count-sunflowers').textContent(), { timeout: 30_000 })
      .toBe(String(PER_CLASS));
    expect(await p.getByRole('img', { name: /daisy sample/ }).count()).toBe(PER_CLASS);
  });

  it('trains with live charts and shows the confusion matrix', async () => {
    const p = h.page;
    await p.getByRole('button', { name: 'Train', exact: true }).click();
    // SwiftShader compiles every shader on first use and runs them on the CPU: allow minutes.
    await expect
      .poll(() => p.getByTestId('train-status').textContent(), { timeout: 880_000, interval: 2000 })
      .toMatch(/^Done/);
    await p.getByTestId('train-charts').waitFor();
    expect(await p.locator('[data-testid="train-charts"] polyline').count()).toBe(4);
    const matrix = p.getByTestId('confusion-matrix');
    await matrix.waitFor();
    const cells = await matrix.locator('tbody td').allTextContents();
    expect(cells.map(Number).reduce((a, b) => a + b, 0)).toBeGreaterThan(0);
    expect(await p.getByTestId('val-accuracy').textContent()).toMatch(/%$/);
    expect(await p.evaluate(() => window.ocellus!.tf.getBackend())).toBe('webgpu');
  }, 900_000);

  it('classifies a held-out photo correctly with confidence bars', async () => {
    const p = h.page;
    // The reference probabilities first, so the reload and export checks stand on their own.
    appProbs = await predictTrained(p, heldOut);
    await dropFiles(p, 'use-drop', [heldOut]);
    await expect
      .poll(() => p.getByTestId('use-top').first().textContent(), { timeout: 60_000 })
      .toBe('sunflowers');
    expect(appProbs[1]).toBeGreaterThan(appProbs[0]);
    // Four runs here: 12-14 of 16 right; an untrained or one-class head gets about 8.
    let right = 0;
    for (const { f, cls } of heldOutSet) {
      const probs = await predictTrained(p, f);
      if (probs[cls] > probs[1 - cls]) right++;
    }
    expect(right).toBeGreaterThanOrEqual(11);
    // One bar per class, its value the model's own probability.
    const bars = p.getByTestId('use-results').getByRole('list', { name: 'Class confidences' });
    expect(await bars.first().locator('.bar-value').allTextContents()).toEqual(
      appProbs.map((v) => `${(100 * v).toFixed(1)}%`),
    );
  });

  it('finds the project intact after a reload', async () => {
    const p = h.page;
    await p.reload();
    expect(await waitForEngine(p)).toBe('webgpu');
    await p.getByRole('tab', { name: 'Train' }).click();
    await expect
      .poll(() => p.getByTestId('count-daisy').textContent(), { timeout: 30_000 })
      .toBe(String(PER_CLASS));
    expect(await p.getByTestId('count-sunflowers').textContent()).toBe(String(PER_CLASS));
    await p.getByTestId('confusion-matrix').waitFor();
    await p.getByTestId('train-charts').waitFor();
    await expect
      .poll(() => p.getByTestId('active-model').textContent(), { timeout: 60_000 })
      .toContain('daisy, sunflowers');
    const again = await predictTrained(p, heldOut);
    again.forEach((v, i) => expect(v).toBeCloseTo(appProbs[i], 4));
  });

  it('exports the model, which loads with tf.loadLayersModel in a page and predicts the same', async () => {
    const p = h.page;
    const dir = mkdtempSync(join(tmpdir(), 'ocellus-export-'));
    const got: string[] = [];
    const done = new Promise<void>((resolve) => {
      p.on('download', (d) => {
        void d.saveAs(join(dir, d.suggestedFilename())).then(() => {
          got.push(d.suggestedFilename());
          if (got.length === 3) resolve();
        });
      });
    });
    await p.getByRole('button', { name: 'Export model' }).click();
    await done;
    expect(got.sort()).toEqual(['metadata.json', 'model.json', 'weights.bin']);
    const meta = JSON.parse(readFileSync(join(dir, 'metadata.json'), 'utf8')) as {
      labels: string[];
      baseModel: string;
      preprocessing: { width: number; range: [number, number] };
    };
    expect(meta.labels).toEqual(['daisy', 'sunflowers']);
    expect(meta.baseModel).toBe('mobilenet_v1_0.25_224');
    // A second page that knows nothing of the project: plain tfjs, files served from disk.
    const other = await h.context.newPage();
    try {
      await other.route('**/exported/*', (route) =>
        route.fulfill({
          body: readFileSync(join(dir, new URL(route.request().url()).pathname.split('/').pop()!)),
        }),
      );
      await other.goto(`${baseUrl}?backend=webgpu`);
      await waitForEngine(other);
      const probs = await other.evaluate(
        async ({ data, meta }) => {
          const tf = window.ocellus!.tf;
          const model = await tf.loadLayersModel('/exported/model.json');
          const blob = await (await fetch(`data:image/jpeg;base64,${data}`)).blob();
          const bmp = await createImageBitmap(blob);
          const x = tf.tidy(() => {
            const px = tf.browser.fromPixels(bmp).toFloat();
            const [h, w] = px.shape;
            const s = Math.min(h, w);
            const box = [(h - s) / 2 / h, (w - s) / 2 / w, (h + s) / 2 / h, (w + s) / 2 / w];
            const crop = tf.image.cropAndResize(
              px.expandDims(0) as import('@tensorflow/tfjs').Tensor4D,
              [box],
              [0],
              [meta.preprocessing.width, meta.preprocessing.width],
            );
            const [lo, hi] = meta.preprocessing.range;
            return crop.mul((hi - lo) / 255).add(lo);
          });
          const y = model.predict(x) as import('@tensorflow/tfjs').Tensor;
          const out = Array.from(await y.data());
          tf.dispose([x, y]);
          model.dispose();
          return out;
        },
        { data: b64(heldOut), meta },
      );
      expect(probs.length).toBe(2);
      probs.forEach((v, i) => expect(v).toBeCloseTo(appProbs[i], 3));
    } finally {
      await other.close();
    }
  });
});

describe('Teachable Machine import', () => {
  let h: PageHandle;
  beforeAll(async () => {
    requireShared();
    h = await openPage(`${baseUrl}?backend=wasm`, { gpu: 'none' });
    await waitForEngine(h.page);
  });
  afterAll(async () => h?.close());

  it('imports a TM image model export (model.json, weights.bin, metadata.json) and runs it', async () => {
    const p = h.page;
    const photo = flowerPhotos('roses')[0];
    // The fixture in Teachable Machine's layout: a Sequential of a truncated MobileNet (a nested
    // model ending in global pooling) and a dense head, input 224x224x3 in [-1, 1].
    const fixture = await p.evaluate(async (data) => {
      const o = window.ocellus!;
      const tf = o.tf;
      const base = (await o.loadModel('mobilenet_v1_0.25_224'))
        .model as import('@tensorflow/tfjs').LayersModel;
      const trunk = tf.model({
        inputs: base.inputs,
        outputs: base.getLayer('global_average_pooling2d_1')
          .output as import('@tensorflow/tfjs').SymbolicTensor,
        name: 'sequential_1',
      });
      const head = tf.sequential({
        name: 'sequential_3',
        layers: [
          tf.layers.dense({
            inputShape: [256],
            units: 100,
            activation: 'relu',
            kernelInitializer: tf.initializers.glorotUniform({ seed: 1 }),
          }),
          tf.layers.dense({
            units: 3,
            activation: 'softmax',
            useBias: false,
            kernelInitializer: tf.initializers.glorotUniform({ seed: 2 }),
          }),
        ],
      });
      const tm = tf.sequential({ layers: [trunk, head] });
      let art: import('@tensorflow/tfjs').io.ModelArtifacts | null = null;
      await tm.save(
        tf.io.withSaveHandler(
          async (a) => (
            (art = a),
            { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' as const } }
          ),
        ),
      );
      const a = art as unknown as import('@tensorflow/tfjs').io.ModelArtifacts;
      const modelJson = JSON.stringify({
        modelTopology: a.modelTopology,
        weightsManifest: [{ paths: ['weights.bin'], weights: a.weightSpecs }],
        format: 'layers-model',
        generatedBy: 'TensorFlow.js tfjs-layers v1.3.1',
        convertedBy: null,
      });
      const metadata = JSON.stringify({
        tfjsVersion: '1.3.1',
        tmVersion: '2.4.5',
        packageVersion: '0.8.4',
        packageName: '@teachablemachine/image',
        timeStamp: '2024-01-01T00:00:00.000Z',
        userMetadata: {},
        modelName: 'tm-my-image-model',
        labels: ['Cat', 'Dog', 'Rose'],
        imageSize: 224,
      });
      const blob = await (await fetch(`data:image/jpeg;base64,${data}`)).blob();
      const bmp = await createImageBitmap(blob);
      const x = tf.tidy(() =>
        tf.image
          .resizeBilinear(tf.browser.fromPixels(bmp).toFloat(), [224, 224])
          .div(127.5)
          .sub(1)
          .expandDims(0),
      );
      const y = tm.predict(x) as import('@tensorflow/tfjs').Tensor;
      const expected = Array.from(await y.data());
      tf.dispose([x, y]);
      return {
        modelJson,
        metadata,
        weights: Array.from(new Uint8Array(tf.io.CompositeArrayBuffer.join(a.weightData!))),
        expected,
      };
    }, b64(photo));
    const dir = mkdtempSync(join(tmpdir(), 'ocellus-tm-'));
    writeFileSync(join(dir, 'model.json'), fixture.modelJson);
    writeFileSync(join(dir, 'metadata.json'), fixture.metadata);
    writeFileSync(join(dir, 'weights.bin'), Buffer.from(fixture.weights));
    await p.getByRole('tab', { name: 'Train' }).click();
    await p
      .getByTestId('import-model')
      .setInputFiles(['model.json', 'weights.bin', 'metadata.json'].map((f) => join(dir, f)));
    await expect
      .poll(() => p.getByTestId('share-message').textContent(), { timeout: 60_000 })
      .toContain('Cat, Dog, Rose');
    await p.getByTestId('active-model').waitFor();
    const probs = await predictTrained(p, photo);
    probs.forEach((v, i) => expect(v).toBeCloseTo(fixture.expected[i], 3));

    // A metadata.json that does not match the model gets a clear message, and the model stays.
    writeFileSync(
      join(dir, 'metadata.json'),
      JSON.stringify({ labels: ['a', 'b'], imageSize: 224 }),
    );
    await p
      .getByTestId('import-model')
      .setInputFiles(['model.json', 'weights.bin', 'metadata.json'].map((f) => join(dir, f)));
    await expect
      .poll(() => p.getByTestId('share-message').textContent(), { timeout: 60_000 })
      .toMatch(/3 outputs but metadata.json lists 2 labels/);
    expect(await p.getByTestId('active-model').textContent()).toContain('Cat, Dog, Rose');
  });
});
