/**
 * A small pool of decode workers. Each worker decodes one file at a time, so the pool size is
 * the decode parallelism; a worker that crashes or hangs is replaced and only its file fails.
 */
import { decodeImage, type DecodeOutcome, type DecodeRequest } from './decodeCore';
import type { WorkerJob, WorkerReply } from './decodeWorker';

interface Pending {
  jobId: number;
  blob: Blob;
  req: DecodeRequest;
  resolve: (o: DecodeOutcome) => void;
}

interface Slot {
  worker: Worker;
  busy: Pending | null;
  timer: ReturnType<typeof setTimeout> | null;
}

/** A decode that takes longer than this is treated as a hang (a pathological file). */
const JOB_TIMEOUT_MS = 60_000;

export function defaultDecodeWorkers(): number {
  const cores = globalThis.navigator?.hardwareConcurrency ?? 2;
  return Math.max(1, Math.min(4, cores - 1));
}

export class DecodePool {
  private slots: Slot[] = [];
  private queue: Pending[] = [];
  private nextId = 1;
  private readonly useWorkers: boolean;

  constructor(readonly size = defaultDecodeWorkers()) {
    this.useWorkers = typeof Worker !== 'undefined' && typeof OffscreenCanvas !== 'undefined';
  }

  decode(blob: Blob, req: DecodeRequest): Promise<DecodeOutcome> {
    if (!this.useWorkers) return decodeImage(blob, req);
    return new Promise((resolve) => {
      this.queue.push({ jobId: this.nextId++, blob, req, resolve });
      this.pump();
    });
  }

  /** Jobs waiting or running. */
  get load(): number {
    return this.queue.length + this.slots.filter((s) => s.busy).length;
  }

  dispose(): void {
    for (const s of this.slots) s.worker.terminate();
    this.slots = [];
    for (const p of this.queue) p.resolve({ ok: false, code: 'corrupt', message: 'cancelled' });
    this.queue = [];
  }

  private spawn(): Slot {
    const worker = new Worker(new URL('./decodeWorker.ts', import.meta.url), { type: 'module' });
    const slot: Slot = { worker, busy: null, timer: null };
    worker.onmessage = (ev: MessageEvent<WorkerReply>) => {
      const job = slot.busy;
      if (!job || job.jobId !== ev.data.jobId) return;
      this.finish(slot, ev.data.outcome);
    };
    worker.onerror = (ev) => {
      ev.preventDefault();
      this.replace(slot, `corrupt: the decoder crashed (${ev.message || 'worker error'})`);
    };
    return slot;
  }

  private finish(slot: Slot, outcome: DecodeOutcome): void {
    if (slot.timer) clearTimeout(slot.timer);
    const job = slot.busy;
    slot.busy = null;
    slot.timer = null;
    job?.resolve(outcome);
    this.pump();
  }

  private replace(slot: Slot, message: string): void {
    slot.worker.terminate();
    const i = this.slots.indexOf(slot);
    const fresh = this.spawn();
    if (i >= 0) this.slots[i] = fresh;
    if (slot.timer) clearTimeout(slot.timer);
    slot.busy?.resolve({ ok: false, code: 'corrupt', message });
    slot.busy = null;
    this.pump();
  }

  private pump(): void {
    while (this.queue.length) {
      let slot = this.slots.find((s) => !s.busy);
      if (!slot && this.slots.length < this.size) {
        slot = this.spawn();
        this.slots.push(slot);
      }
      if (!slot) return;
      const job = this.queue.shift()!;
      slot.busy = job;
      const s = slot;
      s.timer = setTimeout(
        () => this.replace(s, 'corrupt: decoding took too long'),
        JOB_TIMEOUT_MS,
      );
      s.worker.postMessage({ jobId: job.jobId, blob: job.blob, req: job.req } satisfies WorkerJob);
    }
  }
}
