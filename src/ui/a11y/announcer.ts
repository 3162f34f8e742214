/**
 * What screen readers hear about results, and how often. A live region that changed on every
 * frame would talk over everything else, so announcements are rate-limited: a message is spoken
 * only when its key (e.g. the top label) differs from the last one spoken, and at most once per
 * interval. A change offered during the cool-down is not lost: waitMs() says when to offer it
 * again, and only the latest state is spoken then. Pure: time comes in as an argument.
 */
import type { LiveResult } from '../../pipeline/loop';

export const ANNOUNCE_INTERVAL_MS = 2500;

export class RateLimitedAnnouncer {
  private lastKey: string | null = null;
  private lastAt = -Infinity;

  constructor(readonly intervalMs = ANNOUNCE_INTERVAL_MS) {}

  /**
   * Offers the current state at time `now` (ms). Returns the message to speak now, or null when
   * it is the same as the last one spoken or the cool-down has not passed. `force` skips the
   * cool-down (for final states, e.g. "run finished") but still never repeats the last key.
   */
  offer(key: string | null, message: string, now: number, force = false): string | null {
    if (key === null || key === this.lastKey) return null;
    if (!force && now - this.lastAt < this.intervalMs) return null;
    this.lastKey = key;
    this.lastAt = now;
    return message;
  }

  /** Milliseconds from `now` until the cool-down ends (0 when an offer could be spoken now). */
  waitMs(now: number): number {
    return Math.max(0, this.lastAt + this.intervalMs - now);
  }

  /** Forgets what was spoken: the next offer is spoken whatever it is. */
  reset(): void {
    this.lastKey = null;
    this.lastAt = -Infinity;
  }
}

/** The first name of a label ("tabby, tabby cat" → "tabby"). */
export const shortLabel = (label: string): string => label.split(',')[0].trim();

/**
 * The top prediction of a live result as an announcement: the classifier's top label when
 * classifying, else the highest-scoring detection. The key is the label alone, so a score that
 * moves does not make the region speak again; null when there is nothing to say.
 */
export function liveTopAnnouncement(
  r: Pick<LiveResult, 'labels' | 'boxes'> | null,
): { key: string; message: string } | null {
  if (!r) return null;
  const tasks = Object.entries(r.labels);
  const labels = (tasks.find(([id]) => id === 'classifier') ?? tasks[0])?.[1];
  const top = labels?.[0];
  if (top) {
    const name = shortLabel(top.label);
    return {
      key: `label:${name}`,
      message: `Looks like ${name}, ${Math.round(top.probability * 100)}%`,
    };
  }
  if (r.boxes.length) {
    const best = r.boxes.reduce((a, b) => (b.score > a.score ? b : a));
    const n = r.boxes.filter((b) => b.label === best.label).length;
    const others = r.boxes.length - n;
    return {
      key: `box:${best.label}`,
      message: `Detected ${n > 1 ? `${n} × ` : ''}${best.label}${others ? ` and ${others} other object${others > 1 ? 's' : ''}` : ''}`,
    };
  }
  return null;
}
