/**
 * The Live workspace's automation surface (window.ocellus.live), for e2e tests and the bench:
 * it reads the same loop the HUD reads, and asks the inference side for its own memory figures.
 */
import {
  HISTORY_KEYS,
  type CaptureMode,
  type HistoryKey,
  type HudSnapshot,
  type LiveLoop,
  type LiveResult,
  type LoopHistory,
} from '../../pipeline/loop';
import type { MemorySnapshot } from '../../pipeline/protocol';
// Static, not lazy: a rebuilt dist/ would orphan a lazy chunk in the middle of a bench run.
import { runNaiveLoop, uploadProbe, type NaiveRun, type UploadProbe } from '../../pipeline/naive';
import { openCamera } from '../../sources/camera';

let active: { loop: LiveLoop; video: HTMLVideoElement } | null = null;
let last: LiveResult | null = null;
let tasksReady = 0;

export function setActiveLoop(a: { loop: LiveLoop; video: HTMLVideoElement } | null): void {
  active = a;
}

export function recordResult(r: LiveResult): void {
  last = r;
}

export function markTasksReady(): void {
  tasksReady++;
}

export interface LiveAutomation {
  hud: () => HudSnapshot | null;
  lastResult: () => LiveResult | null;
  /** Bumped each time the tasks finished loading (after a settings change). */
  tasksGeneration: () => number;
  /** Bytes of model tasks' weights sent to the inference side so far (a trained model's). */
  modelBytesSent: () => number | null;
  /** The inference side's tf.memory() (the worker's own tf), and frames processed there. */
  stats: () => Promise<{ memory: MemorySnapshot; frames: number; backend: string | null }>;
  history: () => LoopHistory | null;
  /** Loses the inference side's GPU device (device.destroy / WEBGL_lose_context); resolves after recovery. */
  loseDevice: () => Promise<{ memory: MemorySnapshot; frames: number; backend: string | null }>;
  /** Model-only time of the current tasks on `n` fresh frames of the same video. */
  modelOnly: (n: number) => Promise<{ uploadMs: number[]; modelMs: number[] }>;
  /** Watches the running loop until `frames` more results (or `maxMs`), counting long tasks. */
  measure: (frames: number, maxMs: number) => Promise<LiveMeasure>;
  /** The bench's naive main-thread reference on its own camera stream (see pipeline/naive.ts). */
  naive: (opts: {
    classifierUrl: string;
    detect: boolean;
    durationMs: number;
    maxFrames: number;
  }) => Promise<NaiveRun>;
  /** Main-thread upload paths of a video frame, timed (WebGPU external-texture evaluation). */
  uploadProbe: (n: number) => Promise<UploadProbe>;
  /** Bench: how frames leave the UI thread from now on (VideoFrame hand-over or ImageBitmap copy). */
  setCapture: (mode: CaptureMode) => void;
}

export interface LiveMeasure extends LoopHistory {
  results: number;
  seconds: number;
  longTasks: number;
  longTaskMs: number;
  /** What ran in the long animation frames (Long Animation Frames API), worst first. */
  longFrameScripts: LongFrameScript[];
  dropped: number;
}

export interface LongFrameScript {
  /** `invoker` and function of a script entry, e.g. "MessagePort.onmessage apply". */
  what: string;
  /** Long animation frames it ran in, and its total time there. */
  frames: number;
  ms: number;
}

/** The part of a `long-animation-frame` entry read here (not in TypeScript's DOM lib yet). */
interface LongAnimationFrameEntry extends PerformanceEntry {
  blockingDuration: number;
  scripts: { invoker: string; sourceFunctionName: string; duration: number }[];
}

/**
 * Attributes main-thread blocking to scripts while it runs: returns a stop function giving the
 * worst offenders. Empty where the browser lacks the Long Animation Frames API.
 */
function watchLongFrames(): () => LongFrameScript[] {
  if (!PerformanceObserver.supportedEntryTypes.includes('long-animation-frame')) return () => [];
  const by = new Map<string, LongFrameScript>();
  const obs = new PerformanceObserver((list) => {
    for (const e of list.getEntries() as LongAnimationFrameEntry[]) {
      if (!(e.blockingDuration > 0)) continue;
      for (const s of e.scripts) {
        const what = `${s.invoker} ${s.sourceFunctionName || '(anonymous)'}`.trim();
        const row = by.get(what) ?? { what, frames: 0, ms: 0 };
        row.frames++;
        row.ms += s.duration;
        by.set(what, row);
      }
    }
  });
  obs.observe({ type: 'long-animation-frame', buffered: false });
  return () => {
    obs.disconnect();
    return [...by.values()].sort((a, b) => b.ms - a.ms).slice(0, 8);
  };
}

/** A camera stream in a detached <video>, for measurements outside the Live tab. */
async function withCameraVideo<T>(fn: (v: HTMLVideoElement) => Promise<T>): Promise<T> {
  const cam = await openCamera({ width: 640, height: 480 });
  const v = document.createElement('video');
  v.muted = true;
  v.playsInline = true;
  v.srcObject = cam.stream;
  await v.play();
  while (v.readyState < 2 || !v.videoWidth) await new Promise((r) => setTimeout(r, 20));
  try {
    return await fn(v);
  } finally {
    cam.stop();
    v.srcObject = null;
  }
}

async function nextFrames(video: HTMLVideoElement, n: number): Promise<ImageBitmap[]> {
  const out: ImageBitmap[] = [];
  let lastT = -1;
  while (out.length < n) {
    await new Promise((r) => requestAnimationFrame(r));
    if (video.currentTime === lastT) continue;
    lastT = video.currentTime;
    out.push(await createImageBitmap(video));
  }
  return out;
}

function lengths(loop: LiveLoop): Record<HistoryKey, number> {
  const h = loop.history;
  return Object.fromEntries(HISTORY_KEYS.map((k) => [k, h[k].length])) as Record<
    HistoryKey,
    number
  >;
}

function since(loop: LiveLoop, len: Record<HistoryKey, number>): LoopHistory {
  const h = loop.history;
  return Object.fromEntries(HISTORY_KEYS.map((k) => [k, h[k].slice(len[k])])) as LoopHistory;
}

export const liveAutomation: LiveAutomation = {
  measure: async (frames, maxMs) => {
    if (!active) throw new Error('the Live workspace is not running');
    const { loop } = active;
    const long = { n: 0, ms: 0 };
    const obs = new PerformanceObserver((list) => {
      for (const e of list.getEntries()) {
        long.n++;
        long.ms += e.duration;
      }
    });
    obs.observe({ type: 'longtask', buffered: false });
    const stopLongFrames = watchLongFrames();
    const h0 = { ...loop.hud(), len: { ...lengths(loop) } };
    const t0 = performance.now();
    while (loop.hud().results - h0.results < frames && performance.now() - t0 < maxMs) {
      await new Promise((r) => setTimeout(r, 100));
    }
    const seconds = (performance.now() - t0) / 1000;
    obs.disconnect();
    const longFrameScripts = stopLongFrames();
    const h1 = loop.hud();
    return {
      results: h1.results - h0.results,
      seconds,
      ...since(loop, h0.len),
      longTasks: long.n,
      longTaskMs: long.ms,
      longFrameScripts,
      dropped: h1.counts.dropped - h0.counts.dropped,
    };
  },
  naive: async (opts) => {
    return withCameraVideo((v) => runNaiveLoop(v, opts));
  },
  uploadProbe: async (n) => {
    return withCameraVideo((v) => uploadProbe(v, n));
  },
  setCapture: (mode) => {
    if (!active) throw new Error('the Live workspace is not running');
    active.loop.setCapture(mode);
  },
  hud: () => active?.loop.hud() ?? null,
  lastResult: () => last,
  tasksGeneration: () => tasksReady,
  modelBytesSent: () => active?.loop.client.modelBytesSent ?? null,
  stats: async () => {
    if (!active) throw new Error('the Live workspace is not running');
    return active.loop.client.stats();
  },
  history: () => active?.loop.history ?? null,
  loseDevice: async () => {
    if (!active) throw new Error('the Live workspace is not running');
    return active.loop.client.loseDevice();
  },
  modelOnly: async (n) => {
    if (!active) throw new Error('the Live workspace is not running');
    const { loop, video } = active;
    loop.setPaused(true);
    try {
      // Let the in-flight frame finish so model-only runs alone.
      await new Promise((r) => setTimeout(r, 50));
      while (loop.hud().counts.sent > loop.hud().counts.completed) {
        await new Promise((r) => setTimeout(r, 20));
      }
      return await loop.client.modelOnly(await nextFrames(video, n));
    } finally {
      loop.setPaused(false);
    }
  },
};
