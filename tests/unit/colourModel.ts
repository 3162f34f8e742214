/** A tiny real classifier for tests that are about model plumbing, not accuracy. */
import type * as tfjs from '@tensorflow/tfjs';

/**
 * Mean colour of an 8x8 RGB image -> dense softmax: output 0 is "red", 1 is "green"
 * (`swap` exchanges them, as a retrained model would).
 */
export function colourModel(tf: typeof tfjs, swap = false): tfjs.Sequential {
  const model = tf.sequential({
    layers: [
      tf.layers.globalAveragePooling2d({ inputShape: [8, 8, 3] }),
      tf.layers.dense({ units: 2, activation: 'softmax' }),
    ],
  });
  const k = swap ? [-4, 4, 4, -4, 0, 0] : [4, -4, -4, 4, 0, 0];
  const w = [tf.tensor2d(k, [3, 2]), tf.zeros([2])];
  model.layers[1].setWeights(w);
  tf.dispose(w);
  return model;
}
