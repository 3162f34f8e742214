/**
 * The engine: owns the tfjs backend and every loaded model. Models are reached through handles
 * so that after a GPU device loss the engine can re-create the backend, rebuild the models from
 * their verified bytes and hand out the new instances without the app reloading.
 */
import { tf } from './tf';
import {
  initBackend,
  resetBackend,
  simulateDeviceLoss,
  webgpuDeviceDead,
  type BackendPreference,
  type EngineState,
} from './backends';

const WEBGL_LOST = 'WebGL context lost';

export type AnyModel = tf.LayersModel | tf.GraphModel;

export interface ModelHandle<M extends AnyModel = AnyModel> {
  readonly id: string;
  /** The current instance; changes after a recovery, so never cache it across awaits. */
  readonly model: M;
  /** Bumped on every rebuild. */
  readonly generation: number;
}

export type EngineEvent =
  | { type: 'state'; state: EngineState }
  | { type: 'lost'; message: string }
  | { type: 'recovered'; message: string; state: EngineState }
  | { type: 'recovery-failed'; message: string }
  | { type: 'warmup'; modelId: string; done: number; total: number };

interface Registered {
  handle: { id: string; model: AnyModel; generation: number };
  rebuild: () => Promise<AnyModel>;
  warmInput?: number[][];
  warmDtype?: 'float32' | 'int32';
}

export interface MemoryStats {
  numTensors: number;
  numBytes: number;
  numBytesInGPU?: number;
}

class Engine {
  state: EngineState | null = null;
  private preference: BackendPreference = 'auto';
  private models = new Map<string, Registered>();
  private listeners = new Set<(e: EngineEvent) => void>();
  private recovering: Promise<void> | null = null;
  private webglCanvas: HTMLCanvasElement | OffscreenCanvas | null = null;
  private webglContext: WebGLRenderingContext | null = null;
  private losses = 0;

  subscribe(fn: (e: EngineEvent) => void): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  private emit(e: EngineEvent): void {
    for (const fn of this.listeners) fn(e);
  }

  async start(preference: BackendPreference): Promise<EngineState> {
    this.preference = preference;
    const state = await initBackend(preference, { onDeviceLost: (why) => void this.onLost(why) });
    this.state = state;
    this.watchWebGL();
    this.emit({ type: 'state', state });
    return state;
  }

  /** Switches backend at runtime (settings change) and rebuilds every loaded model on it. */
  async switchTo(preference: BackendPreference): Promise<EngineState> {
    await this.recovering;
    const old = this.state?.backend;
    this.disposeModels();
    if (old) resetBackend(old);
    const state = await this.start(preference);
    await this.rebuildAll();
    return state;
  }

  /** Registers a model built by `build`; the engine calls `build` again after a device loss. */
  async register<M extends AnyModel>(
    id: string,
    build: () => Promise<M>,
    warmInput?: number[][],
  ): Promise<ModelHandle<M>> {
    await this.recovering;
    const existing = this.models.get(id);
    if (existing) this.safeDispose(existing.handle.model);
    const model = await build();
    const handle = {
      id,
      model: model as AnyModel,
      generation: (existing?.handle.generation ?? 0) + 1,
    };
    this.models.set(id, { handle, rebuild: build, warmInput });
    return handle as unknown as ModelHandle<M>;
  }

  get(id: string): ModelHandle | undefined {
    return this.models.get(id)?.handle;
  }

  unregister(id: string): void {
    const r = this.models.get(id);
    if (!r) return;
    this.safeDispose(r.handle.model);
    this.models.delete(id);
  }

  loadedIds(): string[] {
    return [...this.models.keys()];
  }

  /**
   * Runs the model on zeros for each shape so the shaders are compiled before the first real
   * frame; reports progress per pass.
   */
  async warmUp(
    id: string,
    shapes?: number[][],
    dtype: 'float32' | 'int32' = 'float32',
  ): Promise<void> {
    const r = this.models.get(id);
    if (!r) throw new Error(`warmUp: ${id} is not loaded`);
    const list = shapes ?? r.warmInput ?? [];
    r.warmInput = list;
    r.warmDtype = dtype;
    let done = 0;
    this.emit({ type: 'warmup', modelId: id, done, total: list.length });
    for (const shape of list) {
      const model = r.handle.model;
      const x = tf.zeros(shape, dtype);
      try {
        const out = model instanceof tf.GraphModel ? await model.executeAsync(x) : model.predict(x);
        const outs: tf.Tensor[] = Array.isArray(out)
          ? out
          : out instanceof tf.Tensor
            ? [out]
            : Object.values(out as tf.NamedTensorMap);
        await Promise.all(outs.map((t) => t.data()));
        tf.dispose(outs);
      } finally {
        x.dispose();
      }
      done++;
      this.emit({ type: 'warmup', modelId: id, done, total: list.length });
    }
  }

  memory(): MemoryStats {
    const m = tf.memory() as tf.MemoryInfo & {
      numBytesInGPU?: number;
      numBytesInGPUAllocated?: number;
    };
    return {
      numTensors: m.numTensors,
      numBytes: m.numBytes,
      numBytesInGPU: m.numBytesInGPU ?? m.numBytesInGPUAllocated,
    };
  }

  /** Fault injection for tests and the settings panel's "simulate GPU loss" button. */
  simulateLoss(): boolean {
    if (this.state?.backend === 'webgpu') return simulateDeviceLoss();
    if (this.state?.backend === 'webgl' && this.webglCanvas) {
      const gl = (this.webglCanvas as HTMLCanvasElement).getContext('webgl2');
      const ext = gl?.getExtension('WEBGL_lose_context');
      if (ext) {
        ext.loseContext();
        return true;
      }
    }
    return false;
  }

  /** Resolves once no recovery is in progress. */
  async whenReady(): Promise<void> {
    // A context marked lost whose event is still on its way: recover now, not after more work.
    if (!this.recovering && this.webglContext?.isContextLost()) void this.onLost(WEBGL_LOST);
    await this.recovering;
  }

  get isRecovering(): boolean {
    return this.recovering !== null;
  }

  /**
   * Bumped on every device loss, already when a WebGL context is marked lost but its event has
   * not been delivered yet (reads from a lost context return zeros, not errors). Work that spans
   * a change of this number ran on a dying device: its results must be thrown away and redone.
   */
  get lossCount(): number {
    const unreported = !this.recovering && Boolean(this.webglContext?.isContextLost());
    return this.losses + (unreported ? 1 : 0);
  }

  /**
   * Asks the device itself whether it is lost, for work that failed before any loss was
   * reported; starts the recovery when it is. True when a loss is (now) known.
   */
  async confirmLoss(): Promise<boolean> {
    if (this.recovering) return true;
    if (this.webglContext?.isContextLost()) {
      void this.onLost(WEBGL_LOST);
      return true;
    }
    if (this.state?.backend !== 'webgpu') return false;
    const losses = this.losses;
    if (!(await webgpuDeviceDead())) return this.losses !== losses || this.recovering !== null;
    void this.onLost('GPU device lost: it stopped answering (a readback failed)');
    return true;
  }

  private watchWebGL(): void {
    this.webglContext = null;
    this.webglCanvas = null;
    if (this.state?.backend !== 'webgl') return;
    const backend = tf.backend() as unknown as { gpgpu?: { gl?: WebGLRenderingContext } };
    const canvas = backend.gpgpu?.gl?.canvas ?? null;
    this.webglCanvas = canvas;
    this.webglContext = backend.gpgpu?.gl ?? null;
    canvas?.addEventListener(
      'webglcontextlost',
      (ev: Event) => {
        ev.preventDefault();
        // Late events of a context already recovered from (see whenReady) are not a new loss.
        if (this.webglCanvas === canvas) void this.onLost(WEBGL_LOST);
      },
      { once: true },
    );
  }

  private safeDispose(m: AnyModel): void {
    try {
      m.dispose();
    } catch {
      /* its tensors died with the device */
    }
  }

  private disposeModels(): void {
    for (const r of this.models.values()) this.safeDispose(r.handle.model);
  }

  private async rebuildAll(): Promise<void> {
    for (const [id, r] of this.models) {
      r.handle.model = await r.rebuild();
      r.handle.generation++;
      if (r.warmInput?.length) await this.warmUp(id, r.warmInput, r.warmDtype);
    }
  }

  private onLost(why: string): Promise<void> {
    if (this.recovering) return this.recovering;
    this.losses++;
    this.webglContext = null; // counted in `losses` from now on
    this.emit({ type: 'lost', message: why });
    this.recovering = (async () => {
      const old = this.state?.backend;
      try {
        this.disposeModels();
        if (old) resetBackend(old);
        // The same preference first (a fresh device usually works); initBackend falls back otherwise.
        const state = await initBackend(this.preference === 'auto' ? 'auto' : this.preference, {
          onDeviceLost: (w) => void this.onLost(w),
        });
        this.state = state;
        this.watchWebGL();
        await this.rebuildAll();
        this.emit({
          type: 'recovered',
          message: `${why}. Recovered on ${state.backend}; ${this.models.size} model(s) reloaded.`,
          state,
        });
      } catch (e) {
        this.emit({
          type: 'recovery-failed',
          message: `${why}. Recovery failed: ${(e as Error).message}`,
        });
      } finally {
        this.recovering = null;
      }
    })();
    return this.recovering;
  }
}

/** The app's single engine. */
export const engine = new Engine();
export type { Engine };
