/**
 * WebGPU in Node for unit tests: Dawn from the npm `webgpu` package on SwiftShader's Vulkan
 * driver. navigator.gpu must exist before tfjs-backend-webgpu is imported, so tests import tfjs
 * through `gpuTf()`. Note: no dataSync() on this backend; use await data().
 */
import { create, globals } from 'webgpu';

let installed = false;

export function installNodeWebGPU(): void {
  if (installed) return;
  Object.assign(globalThis, globals);
  const nav = (globalThis as unknown as { navigator?: object }).navigator;
  const gpu = create([]);
  if (nav) Object.defineProperty(nav, 'gpu', { value: gpu, configurable: true });
  else
    Object.defineProperty(globalThis, 'navigator', {
      value: { gpu, userAgent: 'node' },
      configurable: true,
    });
  installed = true;
}

export async function gpuTf() {
  installNodeWebGPU();
  const tf = await import('@tensorflow/tfjs');
  await import('@tensorflow/tfjs-backend-webgpu');
  return tf;
}

/** Runs `fn` on a backend and asserts tfjs really switched (setBackend can fail silently). */
export async function onBackend<T>(
  tf: typeof import('@tensorflow/tfjs'),
  name: 'webgpu' | 'cpu',
  fn: () => Promise<T>,
): Promise<T> {
  await tf.setBackend(name);
  await tf.ready();
  if (tf.getBackend() !== name)
    throw new Error(`backend ${name} did not start (got ${tf.getBackend()})`);
  return fn();
}
