/**
 * The live pipeline's 'model' task (a trained model handed to the worker): re-sending the same
 * model, as every settings change does, reuses the one already built and warmed; a different
 * model gets its own; two updates in flight together share one build; the last task to go frees it.
 * On tfjs's CPU backend in Node.
 */
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { tf } from '../../../src/engine/tf';
import { engine } from '../../../src/engine/engine';
import {
  createTask,
  heldModelKeys,
  ModelBytesNeeded,
  modelTaskEngineIds,
  type FrameTask,
} from '../../../src/pipeline/tasks';
import type { ModelTaskSpec } from '../../../src/pipeline/protocol';
import { colourModelTaskSpec } from './colourModelTask';

/** A structured-clone copy, as a spec arrives in the worker after postMessage. */
function posted(spec: ModelTaskSpec): ModelTaskSpec {
  return structuredClone(spec);
}

/** The spec as the host sends it once the worker holds its model: the key, no bytes. */
function keyOnly(spec: ModelTaskSpec): ModelTaskSpec {
  const copy = posted(spec);
  delete copy.artifacts;
  return copy;
}

const liveTaskIds = () => engine.loadedIds().filter((id) => id.startsWith('live-task:'));

describe('live model task: one built model per distinct trained model', () => {
  let frame: tf.Tensor3D;
  let baseline = 0;
  const builds: string[] = [];
  const ctx = {
    warmUp: true,
    onProgress: (id: string, p: { phase: string }) => p.phase === 'build' && builds.push(id),
  };
  const top = async (t: FrameTask) => {
    const r = await t.run(frame);
    return r.kind === 'classify' ? r.predictions[0].label : null;
  };

  beforeAll(async () => {
    await engine.start('cpu');
    expect(tf.getBackend()).toBe('cpu');
    // A red 16x12 frame, int32 0..255 like the live upload.
    frame = tf.tidy(() =>
      tf.mul(tf.ones([12, 16, 3], 'int32'), tf.tensor1d([255, 0, 0], 'int32')),
    ) as tf.Tensor3D;
  });
  afterAll(() => frame?.dispose());

  it('reuses the built, warmed model when the same one is sent again, and frees it after the last task', async () => {
    const spec = await colourModelTaskSpec(false);
    const swapped = await colourModelTaskSpec(true);
    baseline = tf.memory().numTensors;
    const first = await createTask(posted(spec), ctx);
    // A settings change: the same model again, built before the old task is disposed.
    const second = await createTask(posted(spec), ctx);
    expect(liveTaskIds()).toHaveLength(1);
    expect(modelTaskEngineIds()).toEqual(liveTaskIds());
    expect(builds).toHaveLength(1); // warmed once
    expect(await top(first)).toBe('red');
    first.dispose();
    first.dispose(); // twice is harmless
    expect(liveTaskIds()).toHaveLength(1);
    expect(await top(second)).toBe('red');

    // Retrained: different weights, its own model next to the old one until that goes.
    const retrained = await createTask(posted(swapped), ctx);
    expect(liveTaskIds()).toHaveLength(2);
    expect(builds).toHaveLength(2);
    expect(await top(retrained)).toBe('green');
    second.dispose();
    expect(liveTaskIds()).toEqual(modelTaskEngineIds());
    expect(liveTaskIds()).toHaveLength(1);
    retrained.dispose();
    expect(liveTaskIds()).toEqual([]);
    expect(modelTaskEngineIds()).toEqual([]);
    expect(tf.memory().numTensors).toBe(baseline);
  });

  it('builds and warms once when two updates with the same model are in flight together', async () => {
    const spec = await colourModelTaskSpec(false);
    baseline = tf.memory().numTensors;
    builds.length = 0;
    // Building and warming take seconds on a slow GPU; on the cpu they finish before the second
    // update has hashed its model, so they are slowed down here.
    const slow =
      <A extends unknown[], R>(f: (...a: A) => Promise<R>) =>
      async (...a: A): Promise<R> => {
        await new Promise((r) => setTimeout(r, 100));
        return f(...a);
      };
    const slowRegister = slow(engine.register.bind(engine));
    const slowWarmUp = slow(engine.warmUp.bind(engine));
    const register = vi.spyOn(engine, 'register').mockImplementation(slowRegister);
    const warmUp = vi.spyOn(engine, 'warmUp').mockImplementation(slowWarmUp);
    // Two settings changes in quick succession: neither waits for the other's build.
    let a: FrameTask, b: FrameTask;
    try {
      [a, b] = await Promise.all([createTask(posted(spec), ctx), createTask(posted(spec), ctx)]);
      expect(register).toHaveBeenCalledTimes(1);
      expect(warmUp).toHaveBeenCalledTimes(1);
    } finally {
      register.mockRestore();
      warmUp.mockRestore();
    }
    expect(liveTaskIds()).toHaveLength(1);
    expect(builds).toHaveLength(1);
    expect([await top(a), await top(b)]).toEqual(['red', 'red']);
    // The next update still finds that one model after the first task goes.
    a.dispose();
    const c = await createTask(posted(spec), ctx);
    expect(liveTaskIds()).toHaveLength(1);
    expect(modelTaskEngineIds()).toEqual(liveTaskIds());
    expect(builds).toHaveLength(1);
    expect(await top(c)).toBe('red');
    b.dispose();
    c.dispose();
    expect(liveTaskIds()).toEqual([]);
    expect(modelTaskEngineIds()).toEqual([]);
    expect(tf.memory().numTensors).toBe(baseline);
  });

  it('runs a held model named by its key alone, asks for the bytes once it is gone, and refuses a key that does not match the bytes', async () => {
    const spec = await colourModelTaskSpec(false);
    const swapped = await colourModelTaskSpec(true);
    baseline = tf.memory().numTensors;
    builds.length = 0;
    const first = await createTask(posted(spec), ctx);
    expect(heldModelKeys()).toEqual([spec.key]);
    // A settings change: the host sends the key only, and the held model runs.
    const second = await createTask(keyOnly(spec), ctx);
    expect(builds).toHaveLength(1);
    expect(await top(second)).toBe('red');
    first.dispose();
    second.dispose();
    expect(heldModelKeys()).toEqual([]);
    // Gone: the key alone is not enough, and nothing is left behind by the refusal.
    await expect(createTask(keyOnly(spec), ctx)).rejects.toBeInstanceOf(ModelBytesNeeded);
    expect(liveTaskIds()).toEqual([]);
    // Bytes under another model's key would run the wrong model under this name.
    await expect(createTask({ ...posted(swapped), key: spec.key }, ctx)).rejects.toThrow(
      'does not match',
    );
    expect(liveTaskIds()).toEqual([]);
    expect(heldModelKeys()).toEqual([]);
    expect(tf.memory().numTensors).toBe(baseline);
  });
});
