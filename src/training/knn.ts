/**
 * K-nearest-neighbours on L2-normalised embeddings (cosine similarity): instant, no training.
 * The similarity matrix is one matMul on the engine's backend; only top-k values come back.
 */
import { tf } from '../engine/tf';

/** Pure vote: similarity-weighted counts of the k nearest labels → class probabilities. */
export function knnVote(
  sims: ArrayLike<number>,
  labels: ArrayLike<number>,
  numClasses: number,
): number[] {
  const votes = new Array<number>(numClasses).fill(0);
  for (let i = 0; i < sims.length; i++) votes[labels[i]] += Math.max(0, sims[i]) + 1e-6;
  const sum = votes.reduce((a, b) => a + b, 0);
  return votes.map((v) => (sum ? v / sum : 1 / numClasses));
}

export class KnnIndex {
  private keys: tf.Tensor2D;
  private labels: Int32Array;
  constructor(
    embeddings: tf.Tensor2D,
    labels: ArrayLike<number>,
    readonly numClasses: number,
    readonly k: number,
  ) {
    this.keys = tf.tidy(() => normalise(embeddings));
    this.labels = Int32Array.from(labels);
  }

  get size(): number {
    return this.labels.length;
  }

  /** Probabilities [n, K] for query embeddings [n, C]. */
  async predict(queries: tf.Tensor2D): Promise<Float32Array> {
    const k = Math.min(this.k, this.size);
    const { values, indices } = tf.tidy(() => {
      const sims = tf.matMul(normalise(queries), this.keys, false, true);
      return tf.topk(sims, k);
    });
    try {
      const [v, i] = await Promise.all([values.data(), indices.data()]);
      const n = queries.shape[0];
      const out = new Float32Array(n * this.numClasses);
      for (let r = 0; r < n; r++) {
        const lab = Array.from(i.subarray(r * k, r * k + k), (j) => this.labels[j]);
        out.set(knnVote(v.subarray(r * k, r * k + k), lab, this.numClasses), r * this.numClasses);
      }
      return out;
    } finally {
      values.dispose();
      indices.dispose();
    }
  }

  dispose(): void {
    this.keys.dispose();
  }
}

function normalise(x: tf.Tensor2D): tf.Tensor2D {
  return tf.div(x, tf.add(tf.norm(x, 'euclidean', 1, true), 1e-8));
}
