import { describe, expect, it } from 'vitest';
import { FrameScheduler } from '../../../src/pipeline/scheduler';

describe('FrameScheduler', () => {
  it('admits one frame at a time and drops frames that arrive while one is in flight', () => {
    const s = new FrameScheduler();
    expect(s.offer(1)).toBe(true);
    expect(s.busy).toBe(true);
    expect(s.offer(2)).toBe(false);
    expect(s.offer(3)).toBe(false);
    expect(s.stats).toMatchObject({ offered: 3, sent: 1, dropped: 2 });
  });

  it('on completion admits only the newest frame seen meanwhile, never a queue of stale ones', () => {
    const s = new FrameScheduler();
    s.offer(1);
    s.offer(2);
    s.offer(3);
    s.offer(4);
    expect(s.complete(1)).toBe(4);
    expect(s.busy).toBe(true);
    // Frames 2 and 3 are gone for good; 4 was sent after all.
    expect(s.stats).toMatchObject({ sent: 2, dropped: 2, completed: 1 });
    expect(s.complete(4)).toBeNull();
    expect(s.busy).toBe(false);
  });

  it('idles after completion when no newer frame exists, then admits the next one', () => {
    const s = new FrameScheduler();
    s.offer(5);
    expect(s.complete(5)).toBeNull();
    expect(s.offer(5)).toBe(false); // the same frame twice is not new
    expect(s.offer(6)).toBe(true);
  });

  it('ignores completion of a frame that is not in flight and recovers after reset', () => {
    const s = new FrameScheduler();
    s.offer(1);
    expect(s.complete(7)).toBeNull();
    expect(s.busy).toBe(true);
    s.reset();
    expect(s.busy).toBe(false);
    expect(s.offer(1)).toBe(true); // a new source restarts numbering
  });

  it('never has more than one frame in flight over a long random run', () => {
    const s = new FrameScheduler();
    let inFlight: number | null = null;
    let frame = 0;
    let seed = 42;
    const rnd = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
    for (let i = 0; i < 5000; i++) {
      if (rnd() < 0.6) {
        frame++;
        if (s.offer(frame)) {
          expect(inFlight).toBeNull();
          inFlight = frame;
        }
      } else if (inFlight !== null) {
        const next = s.complete(inFlight);
        inFlight = next;
        if (next !== null) expect(next).toBe(frame);
      }
    }
    const st = s.stats;
    expect(st.sent + st.dropped).toBe(st.offered);
  });
});

describe('FrameScheduler while paused', () => {
  it('admits nothing on completion when the caller cannot send (paused), and resumes cleanly', () => {
    const s = new FrameScheduler();
    s.offer(1);
    s.offer(2);
    expect(s.complete(1, false)).toBeNull();
    expect(s.busy).toBe(false);
    expect(s.stats.sent).toBe(s.stats.completed);
    expect(s.offer(3)).toBe(true);
  });
});
