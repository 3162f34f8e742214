/** Rolling latency percentiles and event rates for the HUD and the bench. */

/** Linear-interpolated quantile of unsorted samples (q in [0,1]); NaN when empty. */
export function percentile(samples: readonly number[], q: number): number {
  if (!samples.length) return NaN;
  const s = [...samples].sort((a, b) => a - b);
  const pos = (s.length - 1) * Math.min(1, Math.max(0, q));
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return s[lo] + (s[hi] - s[lo]) * (pos - lo);
}

/** The last `capacity` samples in a ring buffer. */
export class RollingSamples {
  private buf: number[] = [];
  private next = 0;

  constructor(readonly capacity = 120) {}

  push(v: number): void {
    if (!Number.isFinite(v)) return;
    if (this.buf.length < this.capacity) this.buf.push(v);
    else this.buf[this.next] = v;
    this.next = (this.next + 1) % this.capacity;
  }

  /** Samples oldest first (for the sparkline). */
  values(): number[] {
    if (this.buf.length < this.capacity) return [...this.buf];
    return [...this.buf.slice(this.next), ...this.buf.slice(0, this.next)];
  }

  p(q: number): number {
    return percentile(this.buf, q);
  }

  get size(): number {
    return this.buf.length;
  }

  clear(): void {
    this.buf = [];
    this.next = 0;
  }
}

/**
 * Events per second over a sliding time window. Slow streams (one event every few seconds, e.g.
 * a detector on a software GPU) keep their last two events so the rate never reads 0 while
 * results still arrive; a stream that stops decays towards 0.
 */
export class RateMeter {
  private times: number[] = [];

  constructor(private readonly windowMs = 2000) {}

  tick(now: number): void {
    this.times.push(now);
    this.trim(now);
  }

  rate(now: number): number {
    this.trim(now);
    const n = this.times.length;
    if (n < 2) return 0;
    const first = this.times[0];
    const last = this.times[n - 1];
    // The gap since the last event counts once it exceeds the observed span: stalls decay.
    const span = Math.max(last - first, now - last);
    return span > 0 ? ((n - 1) * 1000) / span : 0;
  }

  private trim(now: number): void {
    while (this.times.length > 2 && now - this.times[0] > this.windowMs) this.times.shift();
    // Forget entirely after a silence far longer than the stream's own cadence (a detector on a
    // software GPU may take a minute per frame, and still deserves a nonzero rate).
    // A single event is kept whatever its age: it is the start of the next interval, and a
    // detector that takes 40 s per frame would otherwise never hold two.
    const n = this.times.length;
    if (n < 2) return;
    const cadence = (this.times[n - 1] - this.times[0]) / (n - 1);
    if (now - this.times[n - 1] > Math.max(30_000, 4 * cadence)) this.times = [];
  }

  clear(): void {
    this.times = [];
  }
}
