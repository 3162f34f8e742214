/**
 * The trainable part: a softmax head (optional hidden layer + dropout) on the embedding, or,
 * for fine-tuning, copies of the backbone's top block followed by that head. Weights are
 * (de)serialised by order with a shape check, so a saved model that no longer fits is refused.
 */
import { tf } from '../engine/tf';
import type { Backbone } from './backbone';
import type { SerializedWeight, TrainedInfo } from './types';

export class ShapeMismatchError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ShapeMismatchError';
  }
}

export interface HeadParts {
  model: tf.LayersModel;
  /** Backbone top-block copies (fine-tune only), applied in inference mode (frozen BN stats). */
  top: tf.layers.Layer[];
  head: tf.layers.Layer[];
}

export function headLayers(numClasses: number, hidden: number, dropout: number): tf.layers.Layer[] {
  const out: tf.layers.Layer[] = [];
  if (hidden > 0) {
    out.push(tf.layers.dense({ units: hidden, activation: 'relu', kernelInitializer: 'heNormal' }));
  }
  if (dropout > 0) out.push(tf.layers.dropout({ rate: dropout }));
  out.push(tf.layers.dense({ units: numClasses, activation: 'softmax' }));
  return out;
}

/** Embedding [n, dim] → probabilities. */
export function buildHead(
  dim: number,
  numClasses: number,
  hidden: number,
  dropout: number,
): HeadParts {
  const head = headLayers(numClasses, hidden, dropout);
  const input = tf.input({ shape: [dim] });
  let y: tf.SymbolicTensor = input;
  for (const l of head) y = l.apply(y) as tf.SymbolicTensor;
  return { model: tf.model({ inputs: input, outputs: y }), top: [], head };
}

/** Cut features [n, h, w, c] → (top block copies) → head → probabilities. */
export function buildFinetuneModel(bb: Backbone, head: tf.layers.Layer[]): HeadParts {
  const top = bb.cloneTop();
  const input = tf.input({ shape: bb.cutShape });
  let y: tf.SymbolicTensor = input;
  for (const l of [...top, ...head]) y = l.apply(y) as tf.SymbolicTensor;
  return { model: tf.model({ inputs: input, outputs: y }), top, head };
}

/** Forward pass for training: top block in inference mode, head with dropout when training. */
export function forward(parts: HeadParts, x: tf.Tensor, training: boolean): tf.Tensor2D {
  let y = x;
  for (const l of parts.top) y = l.apply(y, { training: false }) as tf.Tensor;
  for (const l of parts.head) y = l.apply(y, { training }) as tf.Tensor;
  return y as tf.Tensor2D;
}

export function trainableVariables(parts: HeadParts): tf.Variable[] {
  return [...parts.top, ...parts.head].flatMap((l) =>
    l.trainableWeights.map((w) => w.read() as tf.Variable),
  );
}

export async function serializeWeights(model: tf.LayersModel): Promise<SerializedWeight[]> {
  return Promise.all(
    model.weights.map(async (w) => {
      const t = w.read();
      return { name: w.originalName, shape: t.shape, data: (await t.data()) as Float32Array };
    }),
  );
}

export function setWeights(model: tf.LayersModel, weights: SerializedWeight[]): void {
  const vars = model.weights;
  if (vars.length !== weights.length)
    throw new ShapeMismatchError(
      `The saved model has ${weights.length} weight tensors but this architecture needs ${vars.length}.`,
    );
  vars.forEach((v, i) => {
    const want = v.shape.join('x');
    const got = weights[i].shape.join('x');
    if (want !== got)
      throw new ShapeMismatchError(
        `Weight ${weights[i].name} has shape ${got}, but the model needs ${want} (different base or number of classes?).`,
      );
  });
  const ts = weights.map((w) => tf.tensor(w.data, w.shape));
  model.setWeights(ts);
  tf.dispose(ts);
}

/** Rebuilds a trained model from its info and weights (after a reload or a GPU loss). */
export function rebuild(bb: Backbone, info: TrainedInfo, weights: SerializedWeight[]): HeadParts {
  const k = info.labels.length;
  const parts =
    info.kind === 'finetune'
      ? buildFinetuneModel(bb, headLayers(k, info.hidden, info.dropout))
      : buildHead(info.dim, k, info.hidden, info.dropout);
  try {
    setWeights(parts.model, weights);
  } catch (e) {
    parts.model.dispose();
    throw e;
  }
  return parts;
}
