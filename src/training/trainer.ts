/**
 * The training loop: adam, shuffled mini-batches, class-weighted cross-entropy, per-epoch train
 * and validation loss/accuracy, early stopping on validation loss with the best weights restored,
 * and cancellation. It yields to the browser between batches so the UI stays responsive, and
 * reads back only two numbers per epoch, asynchronously.
 */
import { tf } from '../engine/tf';
import { EarlyStopping, rng, shuffle } from './split';
import { yieldToUi } from './images';
import type { EpochLog } from './types';

export interface FitData {
  /** Inputs of the trainable part (embeddings or cut features), rows = views. */
  x: tf.Tensor;
  y: number[];
  xVal?: tf.Tensor;
  yVal?: number[];
}

export interface FitOptions {
  phase: EpochLog['phase'];
  numClasses: number;
  learningRate: number;
  epochs: number;
  batchSize: number;
  patience: number;
  /** Per-class loss weights, or null for uniform. */
  classWeights: number[] | null;
  seed: number;
  forward: (x: tf.Tensor, training: boolean) => tf.Tensor2D;
  variables: tf.Variable[];
  signal?: AbortSignal;
  onEpoch?: (log: EpochLog) => void;
  /** Offset added to epoch numbers (fine-tuning continues the head's chart). */
  epochOffset?: number;
}

export interface FitResult {
  history: EpochLog[];
  bestEpoch: number;
  cancelled: boolean;
}

export class Cancelled extends Error {
  constructor() {
    super('Training cancelled');
    this.name = 'Cancelled';
  }
}

function weightedCe(
  probs: tf.Tensor2D,
  y: tf.Tensor1D,
  k: number,
  weights: tf.Tensor1D | null,
): { loss: tf.Scalar; correct: tf.Scalar } {
  const oh = tf.oneHot(y, k);
  const ce = tf.neg(tf.sum(tf.mul(oh, tf.log(tf.clipByValue(probs, 1e-7, 1))), 1));
  const w = weights ? tf.gather(weights, y) : tf.onesLike(ce);
  const loss = tf.div(tf.sum(tf.mul(ce, w)), tf.sum(w)) as tf.Scalar;
  const correct = tf.sum(tf.cast(tf.equal(tf.argMax(probs, 1), y), 'float32')) as tf.Scalar;
  return { loss, correct };
}

async function evaluateSet(
  x: tf.Tensor,
  y: number[],
  opts: FitOptions,
  cw: tf.Tensor1D | null,
): Promise<{ loss: number; acc: number }> {
  const bs = 256;
  let lossSum = tf.scalar(0);
  let correctSum = tf.scalar(0);
  for (let i = 0; i < y.length; i += bs) {
    const n = Math.min(bs, y.length - i);
    const [l, c] = tf.tidy(() => {
      const xb = tf.slice(x, i, n);
      const yb = tf.tensor1d(y.slice(i, i + n), 'int32');
      const { loss, correct } = weightedCe(opts.forward(xb, false), yb, opts.numClasses, cw);
      return [tf.add(lossSum, tf.mul(loss, n)), tf.add(correctSum, correct)];
    });
    lossSum.dispose();
    correctSum.dispose();
    lossSum = l as tf.Scalar;
    correctSum = c as tf.Scalar;
  }
  const [l, c] = await Promise.all([lossSum.data(), correctSum.data()]);
  tf.dispose([lossSum, correctSum]);
  return { loss: l[0] / y.length, acc: c[0] / y.length };
}

export async function fit(data: FitData, opts: FitOptions): Promise<FitResult> {
  const optimizer = tf.train.adam(opts.learningRate);
  const cw = opts.classWeights ? tf.tensor1d(opts.classWeights) : null;
  const stopper = new EarlyStopping(opts.patience);
  const rand = rng(opts.seed);
  const history: EpochLog[] = [];
  let best: tf.Tensor[] | null = null;
  let cancelled = false;
  const hasVal = Boolean(data.xVal && data.yVal?.length);
  const n = data.y.length;
  const bs = Math.max(1, Math.min(opts.batchSize, n));
  try {
    for (let epoch = 0; epoch < opts.epochs; epoch++) {
      let lossSum = tf.scalar(0);
      let correctSum = tf.scalar(0);
      const order = shuffle(
        Array.from({ length: n }, (_, i) => i),
        rand,
      );
      for (let b = 0; b < n; b += bs) {
        if (opts.signal?.aborted) throw new Cancelled();
        const idx = order.slice(b, b + bs);
        const xb = tf.tidy(() => tf.gather(data.x, tf.tensor1d(idx, 'int32')));
        const yb = tf.tensor1d(
          idx.map((i) => data.y[i]),
          'int32',
        );
        let correct: tf.Scalar | null = null;
        const cost = optimizer.minimize(
          () => {
            const r = weightedCe(opts.forward(xb, true), yb, opts.numClasses, cw);
            correct = tf.keep(r.correct);
            return r.loss;
          },
          true,
          opts.variables,
        );
        const c = correct as tf.Scalar | null;
        const [l2, c2] = tf.tidy(() => [
          tf.add(lossSum, tf.mul(cost!, idx.length)),
          c ? tf.add(correctSum, c) : correctSum.clone(),
        ]);
        tf.dispose([xb, yb, cost!, lossSum, correctSum, ...(c ? [c] : [])]);
        lossSum = l2 as tf.Scalar;
        correctSum = c2 as tf.Scalar;
        await yieldToUi();
      }
      const [l, c] = await Promise.all([lossSum.data(), correctSum.data()]);
      tf.dispose([lossSum, correctSum]);
      const log: EpochLog = {
        epoch: epoch + 1 + (opts.epochOffset ?? 0),
        phase: opts.phase,
        loss: l[0] / n,
        acc: c[0] / n,
      };
      if (hasVal) {
        const v = await evaluateSet(data.xVal!, data.yVal!, opts, cw);
        log.valLoss = v.loss;
        log.valAcc = v.acc;
      }
      history.push(log);
      opts.onEpoch?.(log);
      const { improved, stop } = stopper.update(hasVal ? log.valLoss! : log.loss, epoch);
      if (improved) {
        tf.dispose(best ?? []);
        best = opts.variables.map((v) => tf.keep(v.clone()));
      }
      if (stop) break;
      await tf.nextFrame();
    }
  } catch (e) {
    if (!(e instanceof Cancelled)) throw e;
    cancelled = true;
  } finally {
    if (best && !cancelled) opts.variables.forEach((v, i) => v.assign(best![i]));
    tf.dispose(best ?? []);
    cw?.dispose();
    // Adam's moment estimates are variables too: free them with the optimizer.
    optimizer.dispose();
  }
  return { history, bestEpoch: stopper.state.bestEpoch + 1 + (opts.epochOffset ?? 0), cancelled };
}
