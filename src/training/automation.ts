/** The `window.ocellus.train` automation surface (e2e tests, the eval CLI, the benchmark). */
import { tf } from '../engine/tf';
import { useApp } from '../store';
import * as project from './project';
import * as modelio from './modelio';
import { getBackbone } from './backbone';
import { augmentViews, viewParams } from './augment';
import { rng } from './split';
import { buildHead, buildFinetuneModel, forward, trainableVariables } from './head';
import { fit } from './trainer';
import type { TrainSettings } from './types';

export function trainAutomation() {
  // The project loads at startup so Live and Tag see the classes and the trained model.
  void project.initProject();
  return {
    init: project.initProject,
    reset: project.resetProject,
    addClass: async (name: string) => (await project.addClass(name)).id,
    addSamples: (classId: string, blobs: Blob[]) => project.addSamples(classId, blobs, 'file'),
    settings: (patch: Partial<TrainSettings>) => project.updateSettings(patch),
    run: async () => {
      const out = await project.train();
      const t = useApp.getState().train;
      return { ...out, history: t.history, report: t.report, info: t.info };
    },
    cancel: project.cancelTraining,
    /** Class probabilities for each image, in label order. */
    predict: async (blobs: Blob[]) => {
      const out: number[][] = [];
      for (const b of blobs) out.push((await project.predictBlob(b)).probs);
      return out;
    },
    state: () => useApp.getState().train,
    exportModel: async () => {
      const f = await modelio.exportModel();
      return {
        modelJson: f.modelJson,
        metadata: f.metadata,
        weights: Array.from(new Uint8Array(f.weights)),
      };
    },
    importModel: modelio.importModel,
    exportProject: modelio.exportProject,
    importProject: modelio.importProject,
    /**
     * Benchmark kernels on synthetic data of real shapes: embeddings/s of `n` augmented images,
     * seconds per head epoch and per fine-tuning epoch on `n` samples.
     */
    bench: async (baseId: string, kind: 'embed' | 'train-epoch' | 'finetune-epoch', n: number) => {
      const bb = await getBackbone(baseId);
      const rand = rng(7);
      if (kind === 'embed') {
        const px = tf.randomUniform([256, 256, 3], 0, 255, 'float32', 3) as tf.Tensor3D;
        const t0 = performance.now();
        for (let i = 0; i < n; i += 5) {
          const x = augmentViews(px, viewParams(256, 256, 4, rand), bb.entry.input);
          const e = bb.embed(x);
          await e.data();
          tf.dispose([x, e]);
        }
        px.dispose();
        return (Math.ceil(n / 5) * 5) / ((performance.now() - t0) / 1000);
      }
      const k = 5;
      const y = Array.from({ length: n }, (_, i) => i % k);
      const x =
        kind === 'train-epoch'
          ? tf.randomNormal([n, bb.dim], 0, 1, 'float32', 1)
          : tf.randomUniform([n, ...bb.cutShape], 0, 6, 'float32', 1);
      const head = buildHead(bb.dim, k, 128, 0.3);
      const parts = kind === 'train-epoch' ? head : buildFinetuneModel(bb, head.head);
      const t0 = performance.now();
      const r = await fit(
        { x, y },
        {
          phase: 'head',
          numClasses: k,
          learningRate: 1e-3,
          epochs: 3,
          batchSize: 32,
          patience: 100,
          classWeights: null,
          seed: 1,
          forward: (xb, training) => forward(parts, xb, training),
          variables: trainableVariables(parts),
        },
      );
      const s = (performance.now() - t0) / 1000 / r.history.length;
      parts.model.dispose();
      x.dispose();
      return s;
    },
  };
}

export type TrainAutomation = ReturnType<typeof trainAutomation>;
