/**
 * Frame admission for the live loop: at most one frame in flight, and a frame that arrives while
 * one is in flight is dropped, never queued (a queue only adds latency: by the time it would run,
 * a newer frame exists). When the in-flight frame completes, `complete()` admits the newest
 * frame shown meanwhile, if any, so the loop captures the current frame at once instead of
 * idling until the next video frame.
 */
export interface SchedulerCounts {
  offered: number;
  sent: number;
  dropped: number;
  completed: number;
}

export class FrameScheduler {
  private inFlight: number | null = null;
  private latestSeen = -1;
  private lastSent = -1;
  private counts: SchedulerCounts = { offered: 0, sent: 0, dropped: 0, completed: 0 };

  /** A new video frame (monotonic number); true = capture and send it now. */
  offer(frame: number): boolean {
    this.counts.offered++;
    if (frame > this.latestSeen) this.latestSeen = frame;
    if (this.inFlight !== null || frame <= this.lastSent) {
      this.counts.dropped++;
      return false;
    }
    this.inFlight = frame;
    this.lastSent = frame;
    this.counts.sent++;
    return true;
  }

  /**
   * The in-flight frame finished (result or error). When a newer frame was shown meanwhile (and
   * dropped), it is admitted now and its number returned: the caller captures the current frame
   * at once. Otherwise (or with `admitNext` false) null: the next video frame is admitted by
   * `offer`.
   */
  complete(frame: number, admitNext = true): number | null {
    if (this.inFlight !== frame) return null;
    this.inFlight = null;
    this.counts.completed++;
    // Paused or stopping: nothing is admitted (it would stay "in flight" with nobody to send it).
    if (!admitNext || this.latestSeen <= this.lastSent) return null;
    this.inFlight = this.latestSeen;
    this.lastSent = this.latestSeen;
    this.counts.sent++;
    // It was counted as dropped when it arrived; it is being sent after all.
    this.counts.dropped--;
    return this.latestSeen;
  }

  /** Abandons the in-flight frame (source switched, pipeline restarted). */
  reset(): void {
    this.inFlight = null;
    this.latestSeen = -1;
    this.lastSent = -1;
  }

  get busy(): boolean {
    return this.inFlight !== null;
  }

  get stats(): SchedulerCounts {
    return { ...this.counts };
  }
}
