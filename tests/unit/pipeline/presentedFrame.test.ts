import { describe, expect, it } from 'vitest';
import { presentedFrame, type FrameSource } from '../../../src/sources/video';

/** A <video> stand-in: an EventTarget with a readyState and a frame callback the test fires. */
function fakeVideo(readyState: number, withFrameCallback = true) {
  const target = new EventTarget();
  const frameCallbacks: (() => void)[] = [];
  const video = {
    readyState,
    paused: false,
    addEventListener: target.addEventListener.bind(target),
    ...(withFrameCallback && {
      requestVideoFrameCallback: (cb: () => void) => frameCallbacks.push(cb),
    }),
  } as unknown as FrameSource;
  const presentFrame = () => frameCallbacks.splice(0).forEach((cb) => cb());
  return { video, target, presentFrame, pendingFrames: () => frameCallbacks.length };
}

/** Whether `p` has settled after the microtask queue drains and `ms` more. */
async function settledWithin(p: Promise<unknown>, ms = 20): Promise<boolean> {
  let done = false;
  void p.then(() => (done = true));
  await new Promise((r) => setTimeout(r, ms));
  return done;
}

describe('presentedFrame: a snapshot waits for a frame the element really shows', () => {
  it('a stream with a size but no data waits for loadeddata, then for a presented frame', async () => {
    const v = fakeVideo(1);
    const p = presentedFrame(v.video, 5000);
    expect(await settledWithin(p)).toBe(false);
    v.target.dispatchEvent(new Event('loadeddata'));
    expect(await settledWithin(p)).toBe(false);
    expect(v.pendingFrames()).toBe(1);
    v.presentFrame();
    expect(await settledWithin(p)).toBe(true);
  });

  it('a playing element with data still waits for its next presented frame', async () => {
    const v = fakeVideo(4);
    const p = presentedFrame(v.video, 5000);
    expect(await settledWithin(p)).toBe(false);
    v.presentFrame();
    expect(await settledWithin(p)).toBe(true);
  });

  it('a paused element or a browser without the frame callback draws what it has', async () => {
    const paused = fakeVideo(4);
    (paused.video as { paused: boolean }).paused = true;
    expect(await settledWithin(presentedFrame(paused.video, 5000))).toBe(true);
    expect(await settledWithin(presentedFrame(fakeVideo(4, false).video, 5000))).toBe(true);
  });

  it('gives up after the timeout when no frame comes, instead of hanging the snapshot', async () => {
    const v = fakeVideo(1);
    const p = presentedFrame(v.video, 30);
    expect(await settledWithin(p, 150)).toBe(true);
  });
});
