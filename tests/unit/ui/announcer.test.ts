import { describe, expect, it } from 'vitest';
import {
  RateLimitedAnnouncer,
  liveTopAnnouncement,
  shortLabel,
} from '../../../src/ui/a11y/announcer';

describe('RateLimitedAnnouncer', () => {
  it('speaks the first state, then only a changed key, and at most once per interval', () => {
    const a = new RateLimitedAnnouncer(2500);
    expect(a.offer('cat', 'Looks like cat', 0)).toBe('Looks like cat');
    // The same key never repeats, whatever the time.
    expect(a.offer('cat', 'Looks like cat', 100)).toBeNull();
    expect(a.offer('cat', 'Looks like cat', 60_000)).toBeNull();
  });

  it('holds a change back during the cool-down and says how long to wait', () => {
    const a = new RateLimitedAnnouncer(2500);
    a.offer('cat', 'cat', 1000);
    expect(a.offer('dog', 'dog', 2000)).toBeNull();
    expect(a.waitMs(2000)).toBe(1500);
    expect(a.offer('dog', 'dog', 3499)).toBeNull();
    expect(a.offer('dog', 'dog', 3500)).toBe('dog');
    expect(a.waitMs(3500)).toBe(2500);
    expect(a.waitMs(10_000)).toBe(0);
  });

  it('speaks at most one message per interval over a flickering stream of frames', () => {
    const a = new RateLimitedAnnouncer(2500);
    const spoken: { t: number; msg: string }[] = [];
    // 30 fps for 10 s, the top label flipping between two classes every 5 frames.
    for (let f = 0; f < 300; f++) {
      const t = (f * 1000) / 30;
      const key = Math.floor(f / 5) % 2 ? 'dog' : 'cat';
      const s = a.offer(key, key, t);
      if (s) spoken.push({ t, msg: s });
    }
    expect(spoken.length).toBeGreaterThan(1);
    expect(spoken.length).toBeLessThanOrEqual(Math.ceil(10_000 / 2500));
    for (let i = 1; i < spoken.length; i++) {
      expect(spoken[i].t - spoken[i - 1].t).toBeGreaterThanOrEqual(2500);
      expect(spoken[i].msg).not.toBe(spoken[i - 1].msg);
    }
  });

  it('lets a forced (final) message skip the cool-down but not repeat itself', () => {
    const a = new RateLimitedAnnouncer(3000);
    a.offer('3/10', '3 of 10', 0);
    expect(a.offer('5/10', '5 of 10', 500)).toBeNull();
    expect(a.offer('done', '10 of 10 done', 600, true)).toBe('10 of 10 done');
    expect(a.offer('done', '10 of 10 done', 700, true)).toBeNull();
  });

  it('reset() makes the next offer speak even with the last key', () => {
    const a = new RateLimitedAnnouncer(2500);
    a.offer('cat', 'cat', 0);
    a.reset();
    expect(a.offer('cat', 'cat', 10)).toBe('cat');
  });

  it('ignores a null key (nothing to say)', () => {
    const a = new RateLimitedAnnouncer(2500);
    expect(a.offer(null, '', 0)).toBeNull();
    expect(a.offer('cat', 'cat', 1)).toBe('cat');
  });
});

describe('liveTopAnnouncement', () => {
  const box = (label: string, score: number) => ({
    label,
    score,
    classId: 0,
    box: { x: 0, y: 0, width: 1, height: 1 },
  });

  it("announces the classifier's top label by its first name, keyed by label only", () => {
    const a = liveTopAnnouncement({
      labels: {
        other: [{ label: 'dog', probability: 0.9 }],
        classifier: [
          { label: 'tabby, tabby cat', probability: 0.614 },
          { label: 'tiger cat', probability: 0.2 },
        ],
      },
      boxes: [box('person', 0.99)],
    });
    expect(a).toEqual({ key: 'label:tabby', message: 'Looks like tabby, 61%' });
    const b = liveTopAnnouncement({
      labels: { classifier: [{ label: 'tabby, tabby cat', probability: 0.3 }] },
      boxes: [],
    });
    expect(b?.key).toBe(a?.key);
  });

  it('falls back to the best detection, counting its class and the rest', () => {
    expect(
      liveTopAnnouncement({
        labels: {},
        boxes: [box('umbrella', 0.7), box('person', 0.95), box('person', 0.8)],
      }),
    ).toEqual({ key: 'box:person', message: 'Detected 2 × person and 1 other object' });
    expect(liveTopAnnouncement({ labels: {}, boxes: [box('cup', 0.5)] })?.message).toBe(
      'Detected cup',
    );
  });

  it('has nothing to say without a result or predictions', () => {
    expect(liveTopAnnouncement(null)).toBeNull();
    expect(liveTopAnnouncement({ labels: { classifier: [] }, boxes: [] })).toBeNull();
  });

  it('shortLabel keeps the first name', () => {
    expect(shortLabel('umbrella')).toBe('umbrella');
    expect(shortLabel(' tabby , tabby cat')).toBe('tabby');
  });
});
