import { useEffect, useState } from 'react';
import { RateLimitedAnnouncer, ANNOUNCE_INTERVAL_MS } from './announcer';

/**
 * The text a polite live region should hold for a changing state, rate-limited by
 * RateLimitedAnnouncer: a change during the cool-down is offered again when it ends.
 */
export function useAnnouncement(
  key: string | null,
  message: string,
  {
    intervalMs = ANNOUNCE_INTERVAL_MS,
    force = false,
  }: { intervalMs?: number; force?: boolean } = {},
): string {
  const [announcer] = useState(() => new RateLimitedAnnouncer(intervalMs));
  const [said, setSaid] = useState('');
  useEffect(() => {
    const offer = () => {
      const s = announcer.offer(key, message, performance.now(), force);
      if (s !== null) setSaid(s);
      return s;
    };
    if (key === null || offer() !== null) return;
    const wait = announcer.waitMs(performance.now());
    if (wait <= 0) return;
    const t = setTimeout(offer, wait + 10);
    return () => clearTimeout(t);
  }, [announcer, key, message, force]);
  return said;
}

/** A visually hidden polite live region: what screen readers hear, without moving focus. */
export function Announcer({ text, testId }: { text: string; testId?: string }) {
  return (
    <div
      className="visually-hidden"
      role="status"
      aria-live="polite"
      aria-atomic="true"
      data-testid={testId}
    >
      {text}
    </div>
  );
}
