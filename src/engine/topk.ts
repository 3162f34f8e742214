/**
 * An exact top-k for long rows that does not sort the whole row, installed as the graph
 * executor of TensorFlow's `TopKV2` op.
 *
 * CenterNet's graph takes the top 100 of its 128×128×80 = 1.3M heatmap peaks. tfjs sorts the
 * whole row for that; on WebGPU that is a bitonic network of ~100 passes over 2M elements (on
 * SwiftShader 4.2 s of a 12.5 s frame). Here the row is cut into chunks of 128, only the k chunks
 * with the largest maxima are kept, and top-k runs on those k×128 values. It is exact: every
 * chunk ranked above the chunk of a true top-k element holds an element that beats that
 * element, so fewer than k chunks rank above it. Values come out in the same order as tf.topk's;
 * where several values tie at the k-th place, which of them are kept is not fixed (nor is it in
 * tf.topk's CPU kernel).
 */
import * as tf from '@tensorflow/tfjs';

export const TOPK_CHUNK = 128;

/** Whether the chunked path pays off (and applies) for a row of `n` values and this `k`. */
export function chunkedTopKPays(n: number, k: number, dtype: tf.DataType): boolean {
  return dtype === 'float32' && k >= 1 && n >= 16 * TOPK_CHUNK && k * TOPK_CHUNK * 4 <= n;
}

/**
 * Top `k` along the last axis, like `tf.topk(x, k)`: values in descending order, indices into
 * the last axis. Falls back to tf.topk where chunks do not pay off.
 */
export function chunkedTopK(x: tf.Tensor, k: number): { values: tf.Tensor; indices: tf.Tensor } {
  const shape = x.shape;
  const n = shape[shape.length - 1] ?? 0;
  if (!chunkedTopKPays(n, k, x.dtype)) return tf.topk(x, k);
  const c = TOPK_CHUNK;
  const out = tf.tidy(() => {
    const rows = x.size / n;
    const m = Math.ceil(n / c);
    const flat = x.reshape([rows, n]);
    // Padding with -Infinity at the end: never ahead of a real value, and last among ties.
    const padded = (
      m * c > n
        ? tf.pad(
            flat,
            [
              [0, 0],
              [0, m * c - n],
            ],
            -Infinity,
          )
        : flat
    ).reshape([rows, m, c]);
    const best = tf.topk(tf.max(padded, 2), k).indices; // [rows, k] chunk ids, by max
    // In index order, so that the final top-k breaks ties by the original index.
    // (Cast: wasm's topk returns int32 values as float32.)
    const chunks = tf.cast(tf.neg(tf.topk(tf.neg(best), k).values), 'int32');
    const candidates = tf.gather(padded, chunks, 1, 1).reshape([rows, k * c]);
    const top = tf.topk(candidates, k);
    const size = tf.scalar(c, 'int32'); // a plain number would turn int32 math into float32
    const chunkOf = tf.gather(chunks, tf.floorDiv(top.indices, size), 1, 1);
    const indices = tf.add(tf.mul(chunkOf, size), tf.mod(top.indices, size));
    const outShape = [...shape.slice(0, -1), k];
    return [top.values.reshape(outShape), indices.reshape(outShape)];
  });
  return { values: out[0], indices: out[1] };
}

let registered = false;

/**
 * Makes graph models run `TopKV2` through chunkedTopK. It takes effect for models loaded after
 * the call (ops are bound when a graph is parsed), so the engine calls it at start-up.
 */
export function registerChunkedTopK(): void {
  if (registered) return;
  registered = true;
  tf.registerOp('TopKV2', (node) => {
    const [x, kTensor] = node.inputs;
    // k is a scalar graph constant that tfjs's own TopKV2 executor reads the same way; graph
    // ops must return synchronously for execute().
    // eslint-disable-next-line no-restricted-syntax
    const k = kTensor.dataSync()[0];
    const { values, indices } = chunkedTopK(x, k);
    return [values, indices];
  });
}
