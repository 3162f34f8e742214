/**
 * Device loss on the real WebGPU backend (Dawn on SwiftShader in Node): the device probe that
 * catches a loss whose `lost` promise has not settled yet, and a readback that fails on a
 * destroyed device being redone on the recovered engine with the right answer.
 */
import { describe, expect, it, onTestFinished } from 'vitest';
import { installNodeWebGPU } from '../webgpuNode';

installNodeWebGPU();
const { tf } = await import('../../../src/engine/tf');
const backends = await import('../../../src/engine/backends');
const { engine } = await import('../../../src/engine/engine');
const { surviveDeviceLoss } = await import('../../../src/engine/deviceLoss');

describe('WebGPU device loss', () => {
  it('the device probe says alive for a working device and dead once it is destroyed', async () => {
    let reported = 0;
    const state = await backends.initBackend('webgpu', { onDeviceLost: () => reported++ });
    expect(state.backend).toBe('webgpu');
    expect(tf.getBackend()).toBe('webgpu');
    expect(await backends.webgpuDeviceDead()).toBe(false);
    expect(backends.simulateDeviceLoss()).toBe(true);
    // Asked at once, before anything waits for the `lost` promise.
    expect(await backends.webgpuDeviceDead()).toBe(true);
    backends.resetBackend('webgpu');
    expect(reported).toBeLessThanOrEqual(1);
  });

  it('redoes a readback that failed on a destroyed device whose loss is never reported', async () => {
    // The worst case of a `lost` promise that lags the failed readbacks: it never settles.
    // (Dawn in Node keeps `lost` as a plain property of each device.)
    const adapterProto = (globalThis as unknown as { GPUAdapter: { prototype: GPUAdapter } })
      .GPUAdapter.prototype;
    const requestDevice = adapterProto.requestDevice;
    adapterProto.requestDevice = async function (this: GPUAdapter, desc?: GPUDeviceDescriptor) {
      const device = await requestDevice.call(this, desc);
      Object.defineProperty(device, 'lost', { value: new Promise(() => {}) });
      return device;
    };
    onTestFinished(() => void (adapterProto.requestDevice = requestDevice));
    await engine.start('webgpu');
    expect(tf.getBackend()).toBe('webgpu');
    expect(await engine.confirmLoss()).toBe(false);
    const losses = engine.lossCount;
    let attempts = 0;
    const got = await surviveDeviceLoss(async () => {
      attempts++;
      const x = tf.tensor1d([1, 2, 3, 4]);
      const y = tf.square(x);
      if (attempts === 1) engine.simulateLoss();
      try {
        return Array.from(await y.data());
      } finally {
        x.dispose();
        y.dispose();
      }
    });
    expect(got).toEqual([1, 4, 9, 16]);
    expect(attempts).toBe(2);
    expect(engine.lossCount).toBe(losses + 1);
    expect(tf.getBackend()).toBe('webgpu');
    expect(await engine.confirmLoss()).toBe(false);
  });
});
