/**
 * The UI thread's handle on the inference side: a Web Worker when the chosen backend runs in
 * one, otherwise the same core on the main thread (and the capability panel says why).
 * Request/response pairs are matched by frame id or request id.
 */
import type { BackendName, BackendPreference } from '../engine/backendNames';
import { InferenceCore } from './core';
import {
  parseWorkerMessage,
  type HostMessage,
  type MemorySnapshot,
  type ModelTaskSpec,
  type TaskSpec,
  type WorkerMessage,
} from './protocol';

export type PipelineWhere = 'worker' | 'main';

export type ResultMessage = Extract<WorkerMessage, { type: 'result' }>;
export type ProgressMessage = Extract<WorkerMessage, { type: 'progress' }>;
export type ErrorMessage = Extract<WorkerMessage, { type: 'error' }>;
type ReadyMessage = Extract<WorkerMessage, { type: 'ready' }>;
type TasksReadyMessage = Extract<WorkerMessage, { type: 'tasks-ready' }>;

/** A request the inference side answered with an error (`code` says which kind, if known). */
export class PipelineError extends Error {
  constructor(
    message: string,
    readonly code?: ErrorMessage['code'],
  ) {
    super(message);
    this.name = 'PipelineError';
  }
}

/** A 'model' task named by its content key alone. */
function byKeyOnly(t: ModelTaskSpec): ModelTaskSpec {
  const copy = { ...t };
  delete copy.artifacts;
  return copy;
}

export interface PipelineEvent {
  progress?: ProgressMessage;
  error?: ErrorMessage;
  ready?: ReadyMessage;
}

interface Pending<T> {
  resolve: (v: T) => void;
  reject: (e: Error) => void;
}

export interface StartOptions {
  backend: BackendPreference;
  /** The backend the app's main-thread engine runs on, to judge the worker's result. */
  mainBackend: BackendName | null;
  /** false forces the main thread (tests, or a user setting). */
  preferWorker?: boolean;
  onEvent?: (e: PipelineEvent) => void;
  initTimeoutMs?: number;
}

const RANK: Record<BackendName, number> = { webgpu: 3, webgl: 2, wasm: 1, cpu: 0 };

export class PipelineClient {
  backend: BackendName | null = null;
  reasons: string[] = [];
  private frames = new Map<number, Pending<ResultMessage>>();
  private requests = new Map<number, Pending<WorkerMessage>>();
  private nextRequest = 1;
  private readyWaiter: Pending<ReadyMessage> | null = null;
  private disposed = false;
  /** Content keys of the 'model' task models the inference side said (last) that it holds. */
  private heldModelKeys = new Set<string>();
  /** Bytes of 'model' task artifacts sent so far (tests: a settings change sends none). */
  modelBytesSent = 0;

  private constructor(
    readonly where: PipelineWhere,
    readonly whyWhere: string,
    private readonly sendRaw: (m: HostMessage, transfer: Transferable[]) => void,
    private readonly terminate: () => void,
    private readonly onEvent: (e: PipelineEvent) => void,
  ) {}

  /** Starts the worker (or the main-thread fallback) and its backend. */
  static async start(opts: StartOptions): Promise<PipelineClient> {
    const onEvent = opts.onEvent ?? (() => undefined);
    let why = '';
    if (opts.preferWorker !== false && typeof Worker !== 'undefined') {
      let worker: Worker | null = null;
      try {
        worker = new Worker(new URL('./worker.ts', import.meta.url), {
          type: 'module',
          name: 'ocellus-inference',
        });
        const w = worker;
        const client = new PipelineClient(
          'worker',
          'inference runs in a Web Worker, off the UI thread',
          (m, transfer) => w.postMessage(m, transfer),
          () => w.terminate(),
          onEvent,
        );
        w.onmessage = (e) => client.receive(e.data);
        w.onerror = (e) => {
          e.preventDefault();
          client.fail(`the inference worker crashed: ${e.message || 'unknown error'}`);
        };
        const ready = await client.init(opts.backend, opts.initTimeoutMs ?? 120_000);
        // A worker that could only reach a slower backend than the page did is not worth it.
        const main = opts.mainBackend;
        if (main && RANK[ready.backend] < RANK[main]) {
          why = `${main} could not start in a worker (it got ${ready.backend}: ${ready.reasons.join('; ')}), so inference runs on the main thread`;
          client.dispose();
        } else {
          return client;
        }
      } catch (e) {
        worker?.terminate();
        why = `the inference worker could not start (${(e as Error).message}), so inference runs on the main thread`;
      }
    } else {
      why =
        opts.preferWorker === false
          ? 'main thread chosen'
          : 'this browser has no Web Workers, so inference runs on the main thread';
    }
    // Same core, same protocol, on this thread; replies are delivered asynchronously like a worker's.
    const holder: { core: InferenceCore | null } = { core: null };
    const client: PipelineClient = new PipelineClient(
      'main',
      why,
      (m) => holder.core?.receive(m),
      () => undefined,
      onEvent,
    );
    holder.core = new InferenceCore((m) => queueMicrotask(() => client.receive(m)), true);
    await client.init(opts.backend, opts.initTimeoutMs ?? 120_000);
    return client;
  }

  private init(backend: BackendPreference, timeoutMs: number): Promise<ReadyMessage> {
    return new Promise<ReadyMessage>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`no answer within ${Math.round(timeoutMs / 1000)} s`)),
        timeoutMs,
      );
      this.readyWaiter = {
        resolve: (m) => {
          clearTimeout(timer);
          resolve(m);
        },
        reject: (e) => {
          clearTimeout(timer);
          reject(e);
        },
      };
      this.send({ type: 'init', backend });
    });
  }

  private send(m: HostMessage, transfer: Transferable[] = []): void {
    if (this.disposed) throw new Error('the pipeline has been stopped');
    this.sendRaw(m, transfer);
  }

  private receive(data: unknown): void {
    const msg = parseWorkerMessage(data);
    if (!msg) {
      this.onEvent({
        error: { type: 'error', where: 'protocol', message: 'malformed reply', fatal: false },
      });
      return;
    }
    switch (msg.type) {
      case 'ready':
        this.backend = msg.backend;
        this.reasons = msg.reasons;
        this.readyWaiter?.resolve(msg);
        this.readyWaiter = null;
        this.onEvent({ ready: msg });
        return;
      case 'progress':
        this.onEvent({ progress: msg });
        return;
      case 'result': {
        const p = this.frames.get(msg.frameId);
        this.frames.delete(msg.frameId);
        p?.resolve(msg);
        return;
      }
      case 'tasks-ready':
      case 'stats':
      case 'model-only': {
        const p = this.requests.get(msg.requestId);
        this.requests.delete(msg.requestId);
        p?.resolve(msg);
        return;
      }
      case 'error': {
        const err = new PipelineError(msg.message, msg.code);
        if (msg.frameId !== undefined) {
          this.frames.get(msg.frameId)?.reject(err);
          this.frames.delete(msg.frameId);
        } else if (msg.requestId !== undefined) {
          const pending = this.requests.get(msg.requestId);
          this.requests.delete(msg.requestId);
          pending?.reject(err);
          // setTasks sends the bytes and tries again: nothing for the user to see.
          if (pending && msg.code === 'model-bytes-needed') return;
        } else if (msg.where === 'init' && this.readyWaiter) {
          this.readyWaiter.reject(err);
          this.readyWaiter = null;
        }
        this.onEvent({ error: msg });
        if (msg.fatal) this.fail(msg.message);
        return;
      }
    }
  }

  /** Rejects everything pending (worker crash, fatal error). */
  private fail(message: string): void {
    const err = new Error(message);
    this.readyWaiter?.reject(err);
    this.readyWaiter = null;
    for (const p of this.frames.values()) p.reject(err);
    for (const p of this.requests.values()) p.reject(err);
    this.frames.clear();
    this.requests.clear();
    this.onEvent({ error: { type: 'error', where: 'init', message, fatal: true } });
  }

  private request<T extends WorkerMessage>(
    build: (id: number) => HostMessage,
    transfer: Transferable[] = [],
  ): Promise<T> {
    const id = this.nextRequest++;
    return new Promise<T>((resolve, reject) => {
      this.requests.set(id, { resolve: (m) => resolve(m as T), reject });
      try {
        this.send(build(id), transfer);
      } catch (e) {
        this.requests.delete(id);
        reject(e as Error);
      }
    });
  }

  /**
   * Replaces the tasks run on every frame; resolves once their models are loaded (and warm). A
   * 'model' task whose model the inference side holds goes by its key alone: every settings
   * change re-sends the tasks, and a trained model with its backbone is megabytes to clone and
   * hash. Should the inference side have let it go meanwhile, the bytes follow on a second try.
   */
  async setTasks(tasks: TaskSpec[], warmUp = true): Promise<MemorySnapshot> {
    const slim = tasks.map((t) =>
      t.kind === 'model' && this.heldModelKeys.has(t.key) ? byKeyOnly(t) : t,
    );
    let r: TasksReadyMessage;
    try {
      r = await this.sendTasks(slim, warmUp);
    } catch (e) {
      if (!(e instanceof PipelineError && e.code === 'model-bytes-needed')) throw e;
      r = await this.sendTasks(tasks, warmUp);
    }
    this.heldModelKeys = new Set(r.modelKeys);
    return r.memory;
  }

  private sendTasks(tasks: TaskSpec[], warmUp: boolean): Promise<TasksReadyMessage> {
    for (const t of tasks) {
      if (t.kind === 'model' && t.artifacts)
        this.modelBytesSent += t.artifacts.weightData.byteLength;
    }
    return this.request<TasksReadyMessage>((requestId) => ({
      type: 'tasks',
      requestId,
      tasks,
      warmUp,
    }));
  }

  /**
   * Sends one frame, transferred (and closed by the receiver): an ImageBitmap at its working
   * size, or a VideoFrame that the inference side scales to `size`.
   */
  infer(
    frameId: number,
    image: ImageBitmap | VideoFrame,
    size?: { width: number; height: number },
  ): Promise<ResultMessage> {
    return new Promise<ResultMessage>((resolve, reject) => {
      this.frames.set(frameId, { resolve, reject });
      try {
        if ('displayWidth' in image) {
          const { width, height } = size ?? {
            width: image.displayWidth,
            height: image.displayHeight,
          };
          this.send({ type: 'video-frame', frameId, frame: image, width, height }, [image]);
        } else {
          this.send({ type: 'frame', frameId, bitmap: image }, [image]);
        }
      } catch (e) {
        this.frames.delete(frameId);
        image.close();
        reject(e as Error);
      }
    });
  }

  /** The inference side's own tf.memory() (the worker's tf, not the page's). */
  async stats(): Promise<{ memory: MemorySnapshot; frames: number; backend: BackendName | null }> {
    const r = await this.request<Extract<WorkerMessage, { type: 'stats' }>>((requestId) => ({
      type: 'stats',
      requestId,
    }));
    return { memory: r.memory, frames: r.frames, backend: r.backend };
  }

  /** Tests: loses the inference side's GPU device and resolves once it has recovered. */
  async loseDevice(): Promise<{
    memory: MemorySnapshot;
    frames: number;
    backend: BackendName | null;
  }> {
    const r = await this.request<Extract<WorkerMessage, { type: 'stats' }>>((requestId) => ({
      type: 'lose-device',
      requestId,
    }));
    return { memory: r.memory, frames: r.frames, backend: r.backend };
  }

  /** Model-only timing of the current tasks on these frames (bench). */
  async modelOnly(bitmaps: ImageBitmap[]): Promise<{ uploadMs: number[]; modelMs: number[] }> {
    const r = await this.request<Extract<WorkerMessage, { type: 'model-only' }>>(
      (requestId) => ({ type: 'model-only', requestId, bitmaps }),
      bitmaps,
    );
    return { uploadMs: r.uploadMs, modelMs: r.modelMs };
  }

  dispose(): void {
    if (this.disposed) return;
    try {
      this.send({ type: 'dispose' });
    } catch {
      /* already gone */
    }
    this.disposed = true;
    this.terminate();
    const err = new Error('the pipeline has been stopped');
    for (const p of this.frames.values()) p.reject(err);
    for (const p of this.requests.values()) p.reject(err);
    this.frames.clear();
    this.requests.clear();
  }
}
