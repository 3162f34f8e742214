/**
 * The batch queue behind the Tag pipeline, free of browser APIs so its scheduling is unit-tested:
 * items are decoded with bounded parallelism ahead of inference, decoded items are grouped into
 * batches, and up to `inferConcurrency` batches run at once (a GPU batch's readback overlaps the
 * next batch's submission). Pause stops starting new work; cancel drops what has not started.
 */

export interface QueueProgress {
  total: number;
  done: number;
  failed: number;
  /** Items per second over the recent window (0 until measurable). */
  rate: number;
  /** Seconds left at the current rate, or null when unknown. */
  etaSeconds: number | null;
  paused: boolean;
  state: 'running' | 'paused' | 'cancelled' | 'finished';
}

export type DecodeResult<D> = { ok: true; value: D } | { ok: false; error: string; code?: string };

export interface QueueOptions<I, D, R> {
  decode: (item: I) => Promise<DecodeResult<D>>;
  /** Runs one batch; must return one result per decoded item, in order. */
  infer: (batch: D[], items: I[]) => Promise<R[]>;
  batchSize: number;
  /** Files decoded at once (the decode pool's size is a good value). */
  decodeConcurrency: number;
  /** Decoded items allowed to wait for inference: bounds memory. */
  maxBuffered: number;
  inferConcurrency?: number;
  onDecoded?: (item: I, value: D) => void;
  onResult: (item: I, result: R) => void;
  onError: (item: I, error: string, code?: string) => void;
  /** Called after every result or error, and on pause/resume/finish. */
  onProgress?: (p: QueueProgress) => void;
  /** Releases a decoded value that will never be inferred (cancel). */
  release?: (value: D) => void;
  now?: () => number;
}

/** Rate over the last `windowMs` of completions (a sliding window reacts to slow-downs). */
export class RateMeter {
  private stamps: number[] = [];
  constructor(private readonly windowMs = 5000) {}
  add(t: number, n = 1): void {
    for (let i = 0; i < n; i++) this.stamps.push(t);
    const cutoff = t - this.windowMs;
    while (this.stamps.length > 2 && this.stamps[0] < cutoff) this.stamps.shift();
  }
  /** Resets the window (after a pause, idle time must not count). */
  reset(): void {
    this.stamps = [];
  }
  rate(t: number): number {
    if (this.stamps.length < 2) return 0;
    const span = (t - this.stamps[0]) / 1000;
    return span > 0 ? (this.stamps.length - 1) / span : 0;
  }
}

export function eta(remaining: number, rate: number): number | null {
  if (remaining <= 0) return 0;
  return rate > 0 ? remaining / rate : null;
}

export class BatchQueue<I, D, R> {
  private pending: I[] = [];
  private buffered: { item: I; value: D }[] = [];
  private decoding = 0;
  private inferring = 0;
  private total = 0;
  private done = 0;
  private failed = 0;
  private paused = false;
  private cancelled = false;
  private meter = new RateMeter();
  private readonly now: () => number;
  private resolveIdle: (() => void) | null = null;
  private idle: Promise<void> = Promise.resolve();

  constructor(private readonly opts: QueueOptions<I, D, R>) {
    this.now = opts.now ?? (() => performance.now());
  }

  /** Adds items (also while running); resolves when everything queued so far is done. */
  add(items: I[]): Promise<void> {
    if (this.cancelled) return Promise.resolve();
    if (!items.length) return this.idle;
    if (this.isIdle()) {
      this.idle = new Promise((r) => (this.resolveIdle = r));
      this.meter.reset();
    }
    this.pending.push(...items);
    this.total += items.length;
    this.pump();
    this.emit();
    return this.idle;
  }

  pause(): void {
    if (this.paused || this.cancelled) return;
    this.paused = true;
    this.emit();
  }

  resume(): void {
    if (!this.paused || this.cancelled) return;
    this.paused = false;
    this.meter.reset();
    this.pump();
    this.emit();
  }

  /** Drops everything not yet started; running batches finish and report. */
  cancel(): void {
    if (this.cancelled) return;
    this.cancelled = true;
    this.pending = [];
    for (const b of this.buffered) this.opts.release?.(b.value);
    this.buffered = [];
    this.settle();
    this.emit();
  }

  get isCancelled(): boolean {
    return this.cancelled;
  }

  progress(): QueueProgress {
    const t = this.now();
    const rate = this.meter.rate(t);
    const finished = this.isIdle();
    return {
      total: this.total,
      done: this.done,
      failed: this.failed,
      rate,
      etaSeconds: this.paused ? null : eta(this.total - this.done - this.failed, rate),
      paused: this.paused,
      state: this.cancelled
        ? 'cancelled'
        : finished
          ? 'finished'
          : this.paused
            ? 'paused'
            : 'running',
    };
  }

  private isIdle(): boolean {
    return (
      this.decoding === 0 &&
      this.inferring === 0 &&
      this.buffered.length === 0 &&
      (this.pending.length === 0 || this.cancelled)
    );
  }

  private emit(): void {
    this.opts.onProgress?.(this.progress());
  }

  private settle(): void {
    if (this.isIdle() && this.resolveIdle) {
      const r = this.resolveIdle;
      this.resolveIdle = null;
      r();
    }
  }

  private pump(): void {
    if (this.cancelled) return this.settle();
    if (!this.paused) {
      const maxInfer = this.opts.inferConcurrency ?? 1;
      // A full batch, or a partial one when nothing more can arrive for it.
      while (
        this.inferring < maxInfer &&
        (this.buffered.length >= this.opts.batchSize ||
          (this.buffered.length > 0 && this.pending.length === 0 && this.decoding === 0))
      ) {
        void this.runBatch(this.buffered.splice(0, this.opts.batchSize));
      }
      while (
        this.pending.length &&
        this.decoding < this.opts.decodeConcurrency &&
        this.buffered.length + this.decoding < this.opts.maxBuffered
      ) {
        void this.runDecode(this.pending.shift()!);
      }
    }
    this.settle();
  }

  private async runDecode(item: I): Promise<void> {
    this.decoding++;
    let r: DecodeResult<D>;
    try {
      r = await this.opts.decode(item);
    } catch (e) {
      r = { ok: false, error: (e as Error).message || 'decode failed' };
    }
    this.decoding--;
    if (r.ok) {
      if (this.cancelled) this.opts.release?.(r.value);
      else {
        this.opts.onDecoded?.(item, r.value);
        this.buffered.push({ item, value: r.value });
      }
    } else {
      this.failed++;
      this.opts.onError(item, r.error, r.code);
      this.meter.add(this.now());
      this.emit();
    }
    this.pump();
  }

  private async runBatch(batch: { item: I; value: D }[]): Promise<void> {
    this.inferring++;
    const items = batch.map((b) => b.item);
    try {
      const results = await this.opts.infer(
        batch.map((b) => b.value),
        items,
      );
      items.forEach((item, i) => this.opts.onResult(item, results[i]));
      this.done += items.length;
    } catch (e) {
      const msg = `model: ${(e as Error).message || 'inference failed'}`;
      for (const item of items) this.opts.onError(item, msg, 'model');
      this.failed += items.length;
    }
    this.inferring--;
    this.meter.add(this.now(), items.length);
    this.emit();
    this.pump();
  }
}
