import { describe, expect, it } from 'vitest';
import { parseHostMessage, parseWorkerMessage } from '../../../src/pipeline/protocol';

const fakeBitmap = () => ({ width: 4, height: 3, close: () => undefined });
const fakeVideoFrame = () => ({ displayWidth: 640, displayHeight: 480, close: () => undefined });

describe('pipeline protocol validation', () => {
  it('accepts well-formed host messages', () => {
    expect(parseHostMessage({ type: 'init', backend: 'webgpu' })).not.toBeNull();
    expect(parseHostMessage({ type: 'frame', frameId: 3, bitmap: fakeBitmap() })).not.toBeNull();
    expect(
      parseHostMessage({
        type: 'video-frame',
        frameId: 4,
        frame: fakeVideoFrame(),
        width: 299,
        height: 224,
      }),
    ).not.toBeNull();
    expect(
      parseHostMessage({
        type: 'tasks',
        requestId: 1,
        warmUp: true,
        tasks: [
          { kind: 'classify', id: 'c', modelId: 'mobilenet_v1_0.25_224', topK: 3 },
          {
            kind: 'detect',
            id: 'd',
            modelId: 'centernet-mobilenetv3',
            minScore: 0.3,
            maxResults: 20,
          },
        ],
      }),
    ).not.toBeNull();
    expect(parseHostMessage({ type: 'dispose' })).toEqual({ type: 'dispose' });
  });

  it('rejects malformed host messages', () => {
    expect(parseHostMessage(null)).toBeNull();
    expect(parseHostMessage({ type: 'nope' })).toBeNull();
    expect(parseHostMessage({ type: 'frame', frameId: '3', bitmap: fakeBitmap() })).toBeNull();
    expect(parseHostMessage({ type: 'frame', frameId: 3, bitmap: {} })).toBeNull();
    // A video frame needs a real frame and a working size of at least 1x1.
    const vf = {
      type: 'video-frame',
      frameId: 4,
      frame: fakeVideoFrame(),
      width: 299,
      height: 224,
    };
    expect(parseHostMessage({ ...vf, frame: fakeBitmap() })).toBeNull();
    expect(parseHostMessage({ ...vf, width: 0 })).toBeNull();
    expect(parseHostMessage({ ...vf, height: Number.NaN })).toBeNull();
    expect(
      parseHostMessage({
        type: 'tasks',
        requestId: 1,
        warmUp: true,
        tasks: [{ kind: 'classify', id: 'c', modelId: 'm', topK: 0 }],
      }),
    ).toBeNull();
    expect(
      parseHostMessage({
        type: 'tasks',
        requestId: 1,
        warmUp: true,
        tasks: [{ kind: 'segment', id: 's' }],
      }),
    ).toBeNull();
  });

  it('accepts results and errors from the worker and rejects broken ones', () => {
    const memory = { numTensors: 10, numBytes: 100 };
    const result = {
      type: 'result',
      frameId: 1,
      width: 640,
      height: 480,
      results: [
        { id: 'c', kind: 'classify', predictions: [], ms: 3 },
        { id: 'd', kind: 'detect', detections: [], ms: 9 },
      ],
      timing: { uploadMs: 1, tasksMs: 9, totalMs: 10 },
      memory,
    };
    expect(parseWorkerMessage(result)).not.toBeNull();
    expect(parseWorkerMessage({ ...result, memory: {} })).toBeNull();
    expect(
      parseWorkerMessage({ ...result, results: [{ id: 'x', kind: 'what', ms: 1 }] }),
    ).toBeNull();
    expect(
      parseWorkerMessage({
        type: 'error',
        where: 'frame',
        message: 'boom',
        fatal: false,
        frameId: 1,
      }),
    ).not.toBeNull();
    expect(parseWorkerMessage({ type: 'error', message: 'boom' })).toBeNull();
    expect(
      parseWorkerMessage({ type: 'stats', requestId: 2, memory, frames: 3, backend: 'wasm' }),
    ).not.toBeNull();
  });

  it("takes a 'model' task by its key, with or without its bytes, and tasks-ready with the keys held", () => {
    const model = {
      kind: 'model',
      id: 'Your model',
      format: 'layers',
      key: 'abc:def',
      artifacts: { modelTopology: {}, weightSpecs: [], weightData: new ArrayBuffer(8) },
      input: { name: 'image', width: 224, height: 224, range: [0, 1] },
      labels: ['a', 'b'],
      outputKind: 'probabilities',
      topK: 2,
    };
    const tasks = (t: object) => ({ type: 'tasks', requestId: 1, warmUp: true, tasks: [t] });
    expect(parseHostMessage(tasks(model))).not.toBeNull();
    const keyOnly: Record<string, unknown> = { ...model };
    delete keyOnly.artifacts;
    expect(parseHostMessage(tasks(keyOnly))).not.toBeNull();
    // Without a key the inference side could not tell which model it is.
    expect(parseHostMessage(tasks({ ...model, key: '' }))).toBeNull();
    expect(parseHostMessage(tasks({ ...keyOnly, key: undefined }))).toBeNull();
    expect(
      parseHostMessage(tasks({ ...model, artifacts: { ...model.artifacts, weightData: [1] } })),
    ).toBeNull();

    const memory = { numTensors: 10, numBytes: 100 };
    const ready = { type: 'tasks-ready', requestId: 1, tasks: ['Your model'], memory };
    expect(parseWorkerMessage({ ...ready, modelKeys: ['abc:def'] })).not.toBeNull();
    expect(parseWorkerMessage(ready)).toBeNull();
    expect(parseWorkerMessage({ ...ready, modelKeys: [3] })).toBeNull();
  });
});
