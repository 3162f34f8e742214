/**
 * Backend selection. `auto` prefers WebGPU on a hardware adapter, then WebGL on a hardware
 * renderer, then WASM, then CPU, and records why each step was skipped so the UI can say so.
 */
import { tf } from './tf';
import { WebGPUBackend } from '@tensorflow/tfjs-backend-webgpu';

import { BACKENDS, type BackendName, type BackendPreference } from './backendNames';

export { BACKENDS, isBackendName, type BackendName, type BackendPreference } from './backendNames';

export interface AdapterSummary {
  vendor: string;
  architecture: string;
  device: string;
  description: string;
  isFallbackAdapter: boolean;
  features: string[];
  limits: Record<string, number>;
}

export interface WebGLSummary {
  renderer: string;
  vendor: string;
  software: boolean;
}

export interface EngineState {
  backend: BackendName;
  preference: BackendPreference;
  /** Why the engine runs on this backend, including what was skipped on the way. */
  reasons: string[];
  adapter?: AdapterSummary;
  webgl?: WebGLSummary;
  tfjsVersion: string;
}

const KEY_LIMITS = [
  'maxBufferSize',
  'maxStorageBufferBindingSize',
  'maxComputeWorkgroupStorageSize',
  'maxComputeInvocationsPerWorkgroup',
  'maxComputeWorkgroupSizeX',
  'maxTextureDimension2D',
] as const;

interface WebGPUHandle {
  adapter: GPUAdapter;
  device: GPUDevice;
  summary: AdapterSummary;
}

let webgpu: WebGPUHandle | null = null;

/** The live WebGPU device, for loss detection and zero-copy imports. */
export function currentGPUDevice(): GPUDevice | null {
  return webgpu?.device ?? null;
}

function summariseAdapter(adapter: GPUAdapter): AdapterSummary {
  const info = adapter.info as GPUAdapterInfo & { isFallbackAdapter?: boolean };
  const legacy = adapter as GPUAdapter & { isFallbackAdapter?: boolean };
  const limits: Record<string, number> = {};
  for (const k of KEY_LIMITS) limits[k] = Number(adapter.limits[k]);
  return {
    vendor: info?.vendor ?? '',
    architecture: info?.architecture ?? '',
    device: info?.device ?? '',
    description: info?.description ?? '',
    isFallbackAdapter: Boolean(info?.isFallbackAdapter ?? legacy.isFallbackAdapter),
    features: [...adapter.features].map(String).sort(),
    limits,
  };
}

export async function probeWebGPU(): Promise<{ adapter: GPUAdapter | null; why?: string }> {
  if (typeof navigator === 'undefined' || !('gpu' in navigator) || !navigator.gpu) {
    return { adapter: null, why: 'this browser has no WebGPU (navigator.gpu is missing)' };
  }
  try {
    const adapter = await navigator.gpu.requestAdapter({ powerPreference: 'high-performance' });
    if (!adapter)
      return { adapter: null, why: 'WebGPU found no adapter (GPU blocklisted or disabled)' };
    return { adapter };
  } catch (e) {
    return { adapter: null, why: `WebGPU adapter request failed: ${(e as Error).message}` };
  }
}

/**
 * Registers our own WebGPU backend factory (instead of the package's) so the engine keeps the
 * adapter and device it created: their info feeds the capability panel and `device.lost`
 * drives recovery.
 */
function registerWebGPU(adapter: GPUAdapter, onLost: (info: GPUDeviceLostInfo) => void): void {
  if (tf.findBackend('webgpu') || tf.findBackendFactory('webgpu')) tf.removeBackend('webgpu');
  tf.registerBackend(
    'webgpu',
    async () => {
      const requiredFeatures: GPUFeatureName[] = [];
      if (adapter.features.has('timestamp-query')) requiredFeatures.push('timestamp-query');
      const l = adapter.limits;
      const device = await adapter.requestDevice({
        requiredFeatures,
        requiredLimits: {
          maxComputeWorkgroupStorageSize: l.maxComputeWorkgroupStorageSize,
          maxComputeWorkgroupsPerDimension: l.maxComputeWorkgroupsPerDimension,
          maxStorageBufferBindingSize: l.maxStorageBufferBindingSize,
          maxBufferSize: l.maxBufferSize,
          maxComputeWorkgroupSizeX: l.maxComputeWorkgroupSizeX,
          maxComputeInvocationsPerWorkgroup: l.maxComputeInvocationsPerWorkgroup,
        },
      });
      webgpu = { adapter, device, summary: summariseAdapter(adapter) };
      void device.lost.then((info) => {
        // A deliberate destroy during our own teardown is not a loss worth reporting.
        if (webgpu?.device === device) onLost(info);
      });
      return new WebGPUBackend(device, adapter.info);
    },
    3,
  );
}

function probeWebGL(): WebGLSummary | null {
  if (typeof document === 'undefined' && typeof OffscreenCanvas === 'undefined') return null;
  try {
    const canvas =
      typeof OffscreenCanvas !== 'undefined'
        ? new OffscreenCanvas(1, 1)
        : document.createElement('canvas');
    const gl = (canvas as HTMLCanvasElement).getContext('webgl2') as WebGL2RenderingContext | null;
    if (!gl) return null;
    const ext = gl.getExtension('WEBGL_debug_renderer_info');
    const renderer = String(
      ext ? gl.getParameter(ext.UNMASKED_RENDERER_WEBGL) : gl.getParameter(gl.RENDERER),
    );
    const vendor = String(
      ext ? gl.getParameter(ext.UNMASKED_VENDOR_WEBGL) : gl.getParameter(gl.VENDOR),
    );
    gl.getExtension('WEBGL_lose_context')?.loseContext();
    return {
      renderer,
      vendor,
      software: /swiftshader|llvmpipe|softpipe|software|basic render/i.test(renderer),
    };
  } catch {
    return null;
  }
}

async function trySet(name: BackendName): Promise<string | null> {
  try {
    const ok = await tf.setBackend(name);
    await tf.ready();
    // setBackend can resolve false, or silently leave another backend active.
    if (!ok || tf.getBackend() !== name) return `${name} failed to initialise`;
    return null;
  } catch (e) {
    return `${name} failed to initialise: ${(e as Error).message}`;
  }
}

export interface InitOptions {
  onDeviceLost?: (why: string) => void;
}

/** Initialises tfjs on the preferred backend, falling back in order; never resolves silently wrong. */
export async function initBackend(
  preference: BackendPreference,
  opts: InitOptions = {},
): Promise<EngineState> {
  const reasons: string[] = [];
  const state: Omit<EngineState, 'backend'> = { preference, reasons, tfjsVersion: tf.version.tfjs };
  const onLost = (info: GPUDeviceLostInfo) =>
    opts.onDeviceLost?.(`GPU device lost (${info.reason}): ${info.message || 'no detail'}`);

  const order: BackendName[] =
    preference === 'auto'
      ? [...BACKENDS]
      : [preference, ...BACKENDS.filter((b) => b !== preference)];

  for (const name of order) {
    if (name === 'webgpu') {
      const { adapter, why } = await probeWebGPU();
      if (!adapter) {
        reasons.push(`WebGPU skipped: ${why}`);
        continue;
      }
      const summary = summariseAdapter(adapter);
      state.adapter = summary;
      if (preference === 'auto' && summary.isFallbackAdapter) {
        reasons.push(
          'WebGPU skipped: the only adapter is a software fallback (e.g. SwiftShader), far slower than WASM',
        );
        continue;
      }
      registerWebGPU(adapter, onLost);
    }
    if (name === 'webgl') {
      const gl = probeWebGL();
      if (gl) state.webgl = gl;
      if (!gl) {
        reasons.push('WebGL skipped: no WebGL2 context');
        continue;
      }
      if (preference === 'auto' && gl.software) {
        reasons.push(`WebGL skipped: the renderer is software (${gl.renderer}), slower than WASM`);
        continue;
      }
    }
    const failure = await trySet(name);
    if (failure) {
      reasons.push(failure);
      continue;
    }
    if (preference !== 'auto' && name !== preference) {
      reasons.push(`${preference} was requested but is unavailable; using ${name}`);
    } else if (preference === 'auto') {
      reasons.push(`auto picked ${name}`);
    } else {
      reasons.push(`${name} pinned by the user`);
    }
    return { ...state, backend: name };
  }
  throw new Error(`No TensorFlow.js backend could start: ${reasons.join('; ')}`);
}

/** Disposes the current backend's state so a fresh device can be created after a loss. */
export function resetBackend(name: BackendName): void {
  if (name === 'webgpu') webgpu = null;
  // removeBackend also drops the factory; keep it so the backend can be created afresh.
  const factory = tf.findBackendFactory(name) as
    ReturnType<typeof tf.findBackendFactory> | undefined;
  try {
    if (factory) tf.removeBackend(name);
  } catch {
    /* disposing a backend whose device is gone can throw; it is gone either way */
  }
  if (factory && name !== 'webgpu') tf.registerBackend(name, factory, PRIORITY[name]);
}

const PRIORITY: Record<BackendName, number> = { webgpu: 3, webgl: 2, wasm: 2, cpu: 1 };

/** For tests and the fault-injection hooks: destroys the WebGPU device as a driver reset would. */
export function simulateDeviceLoss(): boolean {
  if (!webgpu) return false;
  webgpu.device.destroy();
  return true;
}

/**
 * Whether the current WebGPU device has died without its `lost` promise having settled yet (it
 * can lag well behind the failed readbacks on a busy machine): a lost device rejects every
 * `mapAsync`, a live one maps a fresh buffer once its queue drains.
 */
export async function webgpuDeviceDead(): Promise<boolean> {
  const device = webgpu?.device;
  if (!device) return false;
  let probe: GPUBuffer | undefined;
  try {
    probe = device.createBuffer({ size: 4, usage: GPUBufferUsage.MAP_READ });
    await probe.mapAsync(GPUMapMode.READ);
    return false;
  } catch {
    // Only this device's death counts; a recovery may have replaced it meanwhile.
    return webgpu?.device === device;
  } finally {
    try {
      probe?.destroy();
    } catch {
      /* nothing to free on a dead device */
    }
  }
}

export function webgpuSummary(): AdapterSummary | undefined {
  return webgpu?.summary;
}
