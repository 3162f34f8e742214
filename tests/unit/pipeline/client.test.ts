/**
 * The live pipeline's host side and its inference core (here the main-thread fallback, the same
 * core and protocol the worker runs) with a trained model as a 'model' task: the model's bytes
 * cross once, later settings changes name it by its content key only, and when the inference
 * side has let the model go the host sends the bytes again without the user seeing an error.
 * On tfjs's CPU backend in Node, with a small real model.
 */
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { tf } from '../../../src/engine/tf';
import { engine } from '../../../src/engine/engine';
import { InferenceCore } from '../../../src/pipeline/core';
import { PipelineClient, type PipelineEvent } from '../../../src/pipeline/client';
import { modelTaskEngineIds } from '../../../src/pipeline/tasks';
import type { HostMessage } from '../../../src/pipeline/protocol';
import { colourModelTaskSpec } from './colourModelTask';

describe('live pipeline client: a trained model crosses to the inference side once', () => {
  let client: PipelineClient;
  const events: PipelineEvent[] = [];
  const sent: HostMessage[] = [];
  // Every message the host hands the core, as the worker would receive it.
  const realReceive = InferenceCore.prototype.receive;
  const receive = vi.spyOn(InferenceCore.prototype, 'receive').mockImplementation(function (
    this: InferenceCore,
    data: unknown,
  ) {
    sent.push(data as HostMessage);
    realReceive.call(this, data);
  });

  beforeAll(async () => {
    await engine.start('cpu');
    expect(tf.getBackend()).toBe('cpu');
    client = await PipelineClient.start({
      backend: 'cpu',
      mainBackend: 'cpu',
      preferWorker: false,
      onEvent: (e) => events.push(e),
    });
    expect(client.where).toBe('main');
  });
  afterAll(() => {
    client?.dispose();
    receive.mockRestore();
  });

  const modelSpecsSent = () =>
    sent.flatMap((m) => (m.type === 'tasks' ? m.tasks : [])).filter((t) => t.kind === 'model');

  it('sends the bytes once, then the key only, and sends them again once the model was let go', async () => {
    const spec = await colourModelTaskSpec();
    const bytes = spec.artifacts!.weightData.byteLength;
    await client.setTasks([spec]);
    expect(client.modelBytesSent).toBe(bytes);
    expect(modelTaskEngineIds()).toHaveLength(1);

    // A settings change (top-k): the same model goes by its key, nothing is rebuilt.
    await client.setTasks([{ ...spec, topK: 1 }]);
    expect(client.modelBytesSent).toBe(bytes);
    expect(modelSpecsSent().map((t) => t.kind === 'model' && t.artifacts !== undefined)).toEqual([
      true,
      false,
    ]);
    expect(modelTaskEngineIds()).toHaveLength(1);

    // The model is dropped behind the host's back (as a failed GPU recovery would): the key alone
    // is refused, the bytes follow, and the user sees no error.
    engine.unregister(modelTaskEngineIds()[0]);
    await client.setTasks([spec]);
    expect(client.modelBytesSent).toBe(2 * bytes);
    expect(modelSpecsSent().map((t) => t.kind === 'model' && t.artifacts !== undefined)).toEqual([
      true,
      false,
      false,
      true,
    ]);
    expect(engine.get(modelTaskEngineIds().at(-1)!)).toBeTruthy();

    // Switched off, then on again: the inference side let it go, so the bytes are sent at once.
    await client.setTasks([]);
    expect(modelTaskEngineIds()).toEqual([]);
    await client.setTasks([spec]);
    expect(client.modelBytesSent).toBe(3 * bytes);
    expect(modelSpecsSent().at(-1)).toHaveProperty('artifacts');
    expect(events.filter((e) => e.error)).toEqual([]);
  });
});
