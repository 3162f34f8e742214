/**
 * The trained model as a classifier other workspaces can run: Live runs `predict` on each frame
 * (or `probabilities` inside its own tidy), Tag lists it next to the catalog classifiers.
 *
 *   const c = await loadTrainedClassifier();   // null when nothing is trained or imported
 *   const preds = await c.predict(frame);       // frame: [h, w, 3] pixels 0..255 (not disposed)
 *
 * It always reflects the current active model (after retraining, import or a GPU-loss rebuild).
 */
import { tf } from '../engine/tf';
import { useApp } from '../store';
import { activeInfo, initProject, predictFrame, probabilitiesFor } from './project';
import { getBackbone } from './backbone';

export interface TrainedPrediction {
  index: number;
  label: string;
  probability: number;
  color: string;
}

export interface TrainedClassifier {
  id: 'train:active';
  name: string;
  labels: string[];
  colors: string[];
  kind: 'head' | 'finetune' | 'knn' | 'imported';
  /** Every class, most probable first. Reads back K numbers asynchronously. */
  predict: (frame: tf.Tensor3D) => Promise<TrainedPrediction[]>;
  /**
   * [1, K] probabilities on the device, synchronous (for a pipeline's own tidy); null for KNN
   * models, whose vote needs a readback (use predict).
   */
  probabilities: (frame: tf.Tensor3D) => tf.Tensor2D | null;
}

function make(): TrainedClassifier | null {
  const info = activeInfo();
  if (!info) return null;
  return {
    id: 'train:active',
    name: `Trained: ${info.labels.join(' / ')}`,
    labels: info.labels,
    colors: info.colors,
    kind: info.kind,
    predict: async (frame) => {
      const probs = await predictFrame(frame);
      return Array.from(probs, (p, i) => ({
        index: i,
        label: info.labels[i],
        probability: p,
        color: info.colors[i],
      })).sort((a, b) => b.probability - a.probability);
    },
    probabilities: (frame) => probabilitiesFor(frame),
  };
}

/** The current trained classifier, or null (synchronous; call loadTrainedClassifier first once). */
export function getTrainedClassifier(): TrainedClassifier | null {
  return make();
}

/** Restores the saved project if needed and loads the base so `probabilities` works synchronously. */
export async function loadTrainedClassifier(): Promise<TrainedClassifier | null> {
  await initProject();
  const info = activeInfo();
  if (info && info.kind !== 'imported') await getBackbone(info.baseId);
  return make();
}

/** Calls `fn` whenever the trained model changes (trained, imported, cleared). */
export function onTrainedClassifierChange(fn: (c: TrainedClassifier | null) => void): () => void {
  return useApp.subscribe((s, prev) => {
    if (s.train.info !== prev.train.info) fn(make());
  });
}
