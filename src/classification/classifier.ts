/**
 * Classification on a loaded catalog (or custom) model: batched forward pass, softmax for logit
 * models, background class of 1001-way models removed, top-k taken on the GPU so only k values
 * per image are read back, asynchronously.
 */
import { tf } from '../engine/tf';
import type { ModelHandle } from '../engine/engine';
import type { CatalogEntry } from '../models/catalog';
import { IMAGENET_NAMES } from './labels';

export interface Prediction {
  /** Index in the label list (background already removed). */
  index: number;
  label: string;
  probability: number;
}

export interface ClassifierSpec {
  output: CatalogEntry['output'];
  labels: readonly string[];
}

export function labelsFor(entry: CatalogEntry, custom?: readonly string[]): readonly string[] {
  if (entry.labels === 'imagenet-1000' || entry.labels === 'imagenet-1001') return IMAGENET_NAMES;
  return custom ?? [];
}

/** Pure top-k over one row of probabilities (used by tests and the CPU path). */
export function topK(probs: ArrayLike<number>, k: number, labels: readonly string[]): Prediction[] {
  const idx = Array.from({ length: probs.length }, (_, i) => i);
  idx.sort((a, b) => probs[b] - probs[a]);
  return idx
    .slice(0, k)
    .map((i) => ({ index: i, label: labels[i] ?? `class ${i}`, probability: probs[i] }));
}

/** Runs the model and returns per-image probabilities as a [n, K] tensor (caller disposes). */
export function probabilities(
  handle: ModelHandle,
  spec: ClassifierSpec,
  input: tf.Tensor4D,
): tf.Tensor2D {
  return tf.tidy(() => {
    const model = handle.model;
    const raw = (
      model instanceof tf.GraphModel ? model.predict(input) : model.predict(input)
    ) as tf.Tensor;
    let out = raw.rank > 2 ? tf.reshape(raw, [raw.shape[0], -1]) : raw;
    if (spec.output.kind === 'logits') out = tf.softmax(out);
    if (spec.output.background) {
      // 1001-way TF Hub models put "background" at index 0; drop it and renormalise.
      const fg = tf.slice(out, [0, 1], [-1, -1]);
      out = tf.div(fg, tf.sum(fg, 1, true));
    }
    return out as tf.Tensor2D;
  });
}

/** Top-k predictions per image; reads back only k values and indices per image. */
export async function classifyBatch(
  handle: ModelHandle,
  spec: ClassifierSpec,
  input: tf.Tensor4D,
  k: number,
): Promise<Prediction[][]> {
  const probs = probabilities(handle, spec, input);
  const { values, indices } = tf.topk(probs, Math.min(k, probs.shape[1]));
  probs.dispose();
  try {
    const [v, i] = await Promise.all([values.data(), indices.data()]);
    const n = input.shape[0];
    const kk = values.shape[1];
    return Array.from({ length: n }, (_, r) =>
      Array.from({ length: kk }, (_, c) => {
        const index = i[r * kk + c];
        return { index, label: spec.labels[index] ?? `class ${index}`, probability: v[r * kk + c] };
      }),
    );
  } finally {
    values.dispose();
    indices.dispose();
  }
}
