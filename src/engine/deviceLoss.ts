/**
 * Work that must outlive a GPU device loss: anything that computes on the engine's backend
 * (a tagging batch today) runs through `surviveDeviceLoss`, which waits out a recovery and redoes
 * work that failed or finished while the device was dying.
 */
import type { tf } from './tf';
import { engine } from './engine';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A tensor of a backend that died with its device may refuse to be disposed; it is gone anyway. */
export function disposeQuietly(t: tf.Tensor): void {
  try {
    t.dispose();
  } catch {
    /* its backend was torn down by the recovery */
  }
}

/**
 * Whether a failure is down to a device loss: on a GPU backend a destroyed device fails its
 * readbacks (`mapAsync`) before its `lost` promise settles, on a busy machine by many seconds.
 * So wait a little for the loss to be reported, then ask the device itself.
 */
export async function lossFollows(losses: number): Promise<boolean> {
  const gpu = engine.state?.backend === 'webgpu' || engine.state?.backend === 'webgl';
  for (let waited = 0; ; waited += 100) {
    if (engine.lossCount !== losses || engine.isRecovering) return true;
    if (!gpu) return false;
    if (waited >= 1000) return engine.confirmLoss();
    await sleep(100);
  }
}

/**
 * Runs one batch so that a GPU device loss does not lose it: the batch waits for a recovery in
 * progress, and a batch that failed or finished while the device was being lost (a lost WebGL
 * context reads back zeros, not an error) is run again on the recovered engine. The pixels are
 * still in memory, so nothing has to be decoded again.
 */
export async function surviveDeviceLoss<T>(run: () => Promise<T>, maxLosses = 3): Promise<T> {
  for (let attempt = 0; ; attempt++) {
    await engine.whenReady();
    const losses = engine.lossCount;
    let out: T;
    try {
      out = await run();
    } catch (e) {
      if (attempt >= maxLosses || !(await lossFollows(losses))) throw e;
      continue;
    }
    if (engine.lossCount === losses) return out;
    if (attempt >= maxLosses) throw new Error('the GPU device was lost again and again');
  }
}
