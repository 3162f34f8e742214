/**
 * The inference side of the live pipeline, the same code in the worker and in the main-thread
 * fallback: one upload per frame (`fromPixels` on the transferred VideoFrame or ImageBitmap,
 * which is closed right after), every task on that one tensor, asynchronous readback, every tensor freed.
 * Messages are handled one at a time, in order.
 */
import { tf } from '../engine/tf';
import { engine } from '../engine/engine';
import type { BackendPreference } from '../engine/backendNames';
import { createTask, heldModelKeys, ModelBytesNeeded, type FrameTask } from './tasks';
import { videoFramePixels, type FramePixels } from './videoFrame';
import {
  parseHostMessage,
  type HostMessage,
  type MemorySnapshot,
  type TaskSpec,
  type WorkerMessage,
} from './protocol';

export type Post = (msg: WorkerMessage, transfer?: Transferable[]) => void;

function memory(): MemorySnapshot {
  return engine.memory();
}

function describe(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

export class InferenceCore {
  private chain: Promise<void> = Promise.resolve();
  private tasks: FrameTask[] = [];
  private frames = 0;
  private started = false;

  /**
   * `shared`: on the main thread the app's engine is already running (and its models may be
   * shared with other workspaces), so the core neither starts it nor unloads catalog models.
   */
  constructor(
    private readonly post: Post,
    private readonly shared: boolean,
  ) {
    engine.subscribe((e) => {
      if (e.type === 'lost')
        this.post({ type: 'error', where: 'device', message: e.message, fatal: false });
      if (e.type === 'recovered') this.postReady();
      if (e.type === 'recovery-failed')
        this.post({ type: 'error', where: 'init', message: e.message, fatal: true });
    });
  }

  /** Entry point for raw messages: validates, then handles in arrival order. */
  receive(data: unknown): void {
    const msg = parseHostMessage(data);
    if (!msg) {
      this.post({
        type: 'error',
        where: 'protocol',
        message: `Malformed message ignored: ${JSON.stringify(data)?.slice(0, 120)}`,
        fatal: false,
      });
      // A frame that failed validation may still hold a bitmap or a video frame: release it.
      const held = data as { bitmap?: { close?: unknown }; frame?: { close?: unknown } } | null;
      for (const maybe of [held?.bitmap, held?.frame]) {
        if (maybe && typeof maybe.close === 'function') (maybe.close as () => void).call(maybe);
      }
      return;
    }
    this.chain = this.chain.then(() => this.handle(msg)).catch(() => undefined);
  }

  private postReady(): void {
    const s = engine.state;
    if (!s) return;
    const a = s.adapter;
    this.post({
      type: 'ready',
      backend: s.backend,
      reasons: s.reasons,
      tfjsVersion: s.tfjsVersion,
      adapter: a ? `${a.vendor || 'unknown'} ${a.architecture}`.trim() : undefined,
    });
  }

  private async handle(msg: HostMessage): Promise<void> {
    switch (msg.type) {
      case 'init':
        return this.init(msg.backend);
      case 'tasks':
        return this.setTasks(msg.requestId, msg.tasks, msg.warmUp);
      case 'frame':
        return this.frame(msg.frameId, msg.bitmap, msg.bitmap.width, msg.bitmap.height);
      case 'video-frame':
        return this.frame(msg.frameId, msg.frame, msg.width, msg.height);
      case 'stats':
        this.postStats(msg.requestId);
        return;
      case 'lose-device':
        return this.loseDevice(msg.requestId);
      case 'model-only':
        return this.modelOnly(msg.requestId, msg.bitmaps);
      case 'dispose':
        this.disposeTasks();
        return;
    }
  }

  private postStats(requestId: number): void {
    this.post({
      type: 'stats',
      requestId,
      backend: engine.state?.backend ?? null,
      memory: memory(),
      frames: this.frames,
    });
  }

  /** Loses the device on purpose (tests); the engine rebuilds the models, frames go on after. */
  private async loseDevice(requestId: number): Promise<void> {
    if (!engine.simulateLoss()) {
      const backend = engine.state?.backend ?? 'none';
      this.post({
        type: 'error',
        where: 'frame',
        message: `${backend} has no GPU device to lose`,
        fatal: false,
        requestId,
      });
      return;
    }
    // The loss event arrives asynchronously (late on a busy machine): wait a little for it,
    // then ask the device, which starts the recovery if the event is still on its way.
    const before = engine.lossCount;
    for (let i = 0; i < 20 && engine.lossCount === before; i++) {
      await new Promise((r) => setTimeout(r, 50));
    }
    if (engine.lossCount === before) await engine.confirmLoss();
    await engine.whenReady();
    this.postStats(requestId);
  }

  private async init(backend: BackendPreference): Promise<void> {
    try {
      this.post({ type: 'progress', phase: 'backend', loaded: 0, total: 1, message: backend });
      if (this.shared) await engine.whenReady();
      else if (!this.started) await engine.start(backend);
      this.started = true;
      if (!engine.state) throw new Error('the engine is not running');
      this.postReady();
    } catch (e) {
      this.post({ type: 'error', where: 'init', message: describe(e), fatal: true });
    }
  }

  private disposeTasks(): void {
    for (const t of this.tasks) t.dispose();
    this.tasks = [];
  }

  private async setTasks(requestId: number, specs: TaskSpec[], warmUp: boolean): Promise<void> {
    // The new tasks are built before the old ones go: a model that fails to load (a broken
    // download, a tampered file) leaves the tasks that ran before running.
    const next: FrameTask[] = [];
    try {
      for (const spec of specs) {
        next.push(
          await createTask(spec, {
            warmUp,
            onProgress: (modelId, p) =>
              this.post({
                type: 'progress',
                phase: p.phase,
                modelId,
                loaded: p.loaded,
                total: p.total,
                message: p.file ?? modelId,
              }),
          }),
        );
      }
    } catch (e) {
      for (const t of next) t.dispose();
      this.post({
        type: 'error',
        where: 'tasks',
        message: describe(e),
        fatal: false,
        requestId,
        ...(e instanceof ModelBytesNeeded ? { code: 'model-bytes-needed' as const } : {}),
      });
      return;
    }
    this.disposeTasks();
    this.tasks = next;
    this.post({
      type: 'tasks-ready',
      requestId,
      tasks: next.map((t) => t.id),
      memory: memory(),
      modelKeys: heldModelKeys(),
    });
  }

  /**
   * One frame: an ImageBitmap already at its working size, or a VideoFrame scaled here to
   * `width` x `height`. Either is closed as soon as its pixels are on the backend.
   */
  private async frame(
    frameId: number,
    image: ImageBitmap | VideoFrame,
    width: number,
    height: number,
  ): Promise<void> {
    let frame: tf.Tensor3D | null = null;
    try {
      // After a device loss, frames wait for the rebuilt models instead of failing on dead ones.
      await engine.whenReady();
      const t0 = performance.now();
      let pixels: FramePixels;
      if ('displayWidth' in image) {
        pixels = await videoFramePixels(image, width, height, tf.getBackend());
        image.close();
      } else {
        pixels = image;
      }
      try {
        // The one upload of this frame, shared by every task.
        frame = tf.browser.fromPixels(pixels, 3);
      } finally {
        if ('close' in pixels) pixels.close();
      }
      const t1 = performance.now();
      const shared = frame;
      const results = await Promise.all(this.tasks.map((t) => t.run(shared)));
      const t2 = performance.now();
      frame.dispose();
      frame = null;
      this.frames++;
      this.post({
        type: 'result',
        frameId,
        width,
        height,
        results,
        timing: { uploadMs: t1 - t0, tasksMs: t2 - t1, totalMs: t2 - t0 },
        // Read after the frame is freed: what stays allocated between frames.
        memory: memory(),
      });
    } catch (e) {
      // A frame that fails on a device whose loss is not reported yet starts the recovery.
      await engine.confirmLoss();
      this.post({ type: 'error', where: 'frame', message: describe(e), fatal: false, frameId });
    } finally {
      image.close();
      frame?.dispose();
    }
  }

  /** Model-only timing on given frames: each task alone, upload excluded, for the bench. */
  private async modelOnly(requestId: number, bitmaps: ImageBitmap[]): Promise<void> {
    const uploadMs: number[] = [];
    const modelMs: number[] = [];
    try {
      for (const b of bitmaps) {
        const t0 = performance.now();
        const frame = tf.browser.fromPixels(b, 3);
        b.close();
        // Wait for the upload itself, so it is not billed to the model.
        const probe = tf.max(frame);
        await probe.data();
        probe.dispose();
        uploadMs.push(performance.now() - t0);
        try {
          const t1 = performance.now();
          for (const t of this.tasks) await t.run(frame);
          modelMs.push(performance.now() - t1);
        } finally {
          frame.dispose();
        }
      }
      this.post({ type: 'model-only', requestId, uploadMs, modelMs });
    } catch (e) {
      this.post({ type: 'error', where: 'stats', message: describe(e), fatal: false, requestId });
    } finally {
      for (const b of bitmaps) b.close();
    }
  }
}
