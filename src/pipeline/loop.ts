/**
 * The live loop on the UI thread. Two clocks:
 *  - video frames (`requestVideoFrameCallback`, or a currentTime check per animation frame where
 *    it is missing) admit frames through the scheduler: one in flight, stale ones dropped; a
 *    frame is handed over as a VideoFrame (no pixel copy here; createImageBitmap where WebCodecs
 *    is missing) and transferred to the inference side;
 *  - animation frames redraw the overlay at display rate, boxes interpolated between results.
 * End-to-end latency is measured from the video-frame callback to the first overlay draw that
 * shows its result.
 */
import type { BackendName } from '../engine/backendNames';
import type { PipelineClient, PipelineWhere, ResultMessage } from './client';
import { drawOverlay } from './overlay';
import type { MemorySnapshot } from './protocol';
import { FrameScheduler, type SchedulerCounts } from './scheduler';
import { LabelSmoother, type LabelScore } from './smoothing';
import { RateMeter, RollingSamples } from './stats';
import { BoxTracker, type TrackInput } from './tracks';
import { currentVideoFrame } from '../sources/video';

export interface LiveResult {
  frameId: number;
  width: number;
  height: number;
  /** Smoothed labels per classification task id. */
  labels: Record<string, LabelScore[]>;
  /** The latest detections (unsmoothed positions, as returned). */
  boxes: TrackInput[];
  modelMs: number;
}

export interface HudSnapshot {
  displayFps: number;
  cameraFps: number;
  inferenceFps: number;
  latencyP50: number;
  latencyP95: number;
  /** Inference-side time per frame (upload + tasks + readback), p50. */
  workP50: number;
  sparkline: number[];
  backend: BackendName | null;
  where: PipelineWhere;
  memory: MemorySnapshot | null;
  results: number;
  counts: SchedulerCounts;
  /** How the last frame left the UI thread. */
  capture: CaptureMode | null;
}

export interface LiveLoopOptions {
  client: PipelineClient;
  video: HTMLVideoElement;
  canvas: HTMLCanvasElement;
  smoothing: number;
  mirror: boolean;
  topK: number;
  onResult?: (r: LiveResult) => void;
  onError?: (message: string) => void;
  /**
   * The largest input side any task needs: frames bigger than that are downscaled by
   * createImageBitmap (in the browser's image pipeline) before they cross to the worker, so the
   * upload and the crop/resize there handle a fraction of the pixels. 0 = full size.
   */
  uploadShortSide?: number;
  /**
   * How a frame leaves the UI thread: `video-frame` (default where the browser has WebCodecs)
   * hands `new VideoFrame(video)` over without copying pixels, and the inference side scales
   * it; `bitmap` scales and copies it here with createImageBitmap (the fallback).
   */
  capture?: CaptureMode;
}

export type CaptureMode = 'video-frame' | 'bitmap';

/** A VideoFrame of what the video shows now, or null where WebCodecs is missing or refuses. */
/** The bitmap size a `w`x`h` frame is captured at so its shorter side is `shortSide` (never up). */
export function captureSize(
  w: number,
  h: number,
  shortSide: number,
): { width: number; height: number } {
  const s = shortSide > 0 ? shortSide / Math.min(w, h) : 1;
  if (!(s < 1)) return { width: w, height: h };
  return { width: Math.max(1, Math.round(w * s)), height: Math.max(1, Math.round(h * s)) };
}

/** A result on a downscaled bitmap, with its boxes and size back in video pixels. */
export function scaleResult(
  res: ResultMessage,
  factor: number,
  videoWidth: number,
  videoHeight: number,
): ResultMessage {
  if (factor === 1) return res;
  return {
    ...res,
    width: videoWidth,
    height: videoHeight,
    results: res.results.map((r) =>
      r.kind === 'detect'
        ? {
            ...r,
            detections: r.detections.map((d) => ({
              ...d,
              box: {
                x: d.box.x * factor,
                y: d.box.y * factor,
                width: d.box.width * factor,
                height: d.box.height * factor,
              },
            })),
          }
        : r,
    ),
  };
}

type FrameCallbackMethods = 'requestVideoFrameCallback' | 'cancelVideoFrameCallback';
/** The DOM lib declares requestVideoFrameCallback always present; some browsers still lack it. */
type VideoWithFrames = Omit<HTMLVideoElement, FrameCallbackMethods> &
  Partial<Pick<HTMLVideoElement, FrameCallbackMethods>>;

const HISTORY_CAP = 20_000;

/** Ids of tasks that left, or whose signature (kind and model) changed, between two task sets. */
export function staleTasks(
  before: Readonly<Record<string, string>>,
  after: Readonly<Record<string, string>>,
): string[] {
  return Object.keys(before).filter((id) => after[id] !== before[id]);
}

/**
 * Per-result samples kept for the bench. `latency` (frame → drawn) splits into `capture`
 * (frame → bitmap ready to send), `transit` (messages and queueing, both ways), `work` (the
 * inference side: upload, tasks, readback; `model` is its tasks part) and `drawWait` (result
 * in → the next display frame that draws it).
 */
export const HISTORY_KEYS = ['latency', 'work', 'model', 'capture', 'transit', 'drawWait'] as const;
export type HistoryKey = (typeof HISTORY_KEYS)[number];
export type LoopHistory = Record<HistoryKey, number[]>;

export class LiveLoop {
  private readonly scheduler = new FrameScheduler();
  private readonly tracker = new BoxTracker();
  private smoothers = new Map<string, LabelSmoother>();
  private taskSignatures: Readonly<Record<string, string>> = {};
  private labels: Record<string, LabelScore[]> = {};
  private readonly latency = new RollingSamples(120);
  private readonly work = new RollingSamples(120);
  private readonly displayRate = new RateMeter();
  private readonly cameraRate = new RateMeter();
  private readonly inferRate = new RateMeter();
  /** Full history for the bench (capped). */
  readonly history: LoopHistory = {
    latency: [],
    work: [],
    model: [],
    capture: [],
    transit: [],
    drawWait: [],
  };
  private running = false;
  private paused = false;
  private rafId = 0;
  private vfcId = 0;
  private fallbackFrame = 0;
  private lastTime = -1;
  private pendingDraw: { capturedAt: number; appliedAt: number } | null = null;
  private memory: MemorySnapshot | null = null;
  private results = 0;
  private generation = 0;
  private videoSize = { width: 0, height: 0 };
  private lastCapture: CaptureMode | null = null;

  constructor(private opts: LiveLoopOptions) {}

  get client(): PipelineClient {
    return this.opts.client;
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.requestVideoFrame();
    this.rafId = requestAnimationFrame(this.draw);
  }

  stop(): void {
    this.running = false;
    cancelAnimationFrame(this.rafId);
    const v = this.opts.video as VideoWithFrames;
    if (this.vfcId) v.cancelVideoFrameCallback?.(this.vfcId);
    this.vfcId = 0;
  }

  setPaused(p: boolean): void {
    this.paused = p;
  }

  setSmoothing(s: number): void {
    this.opts.smoothing = s;
    for (const sm of this.smoothers.values()) sm.setStrength(s);
  }

  setMirror(m: boolean): void {
    this.opts.mirror = m;
  }

  setTopK(k: number): void {
    this.opts.topK = k;
  }

  setUploadShortSide(side: number): void {
    this.opts.uploadShortSide = side;
  }

  setCapture(mode: CaptureMode): void {
    this.opts.capture = mode;
  }

  /** A new source (camera, file): forget tracks and smoothing, abandon the frame in flight. */
  resetSource(): void {
    this.generation++;
    this.scheduler.reset();
    this.tracker.clear();
    this.smoothers.clear();
    this.labels = {};
    this.lastTime = -1;
    this.pendingDraw = null;
    if (this.running) {
      const v = this.opts.video as VideoWithFrames;
      if (this.vfcId) v.cancelVideoFrameCallback?.(this.vfcId);
      this.vfcId = 0;
      this.requestVideoFrame();
    }
  }

  /**
   * Tasks changed (`signatures`: each task's id → `taskSignature`). Labels and boxes of a task
   * that left or now runs another model go; a task that only had a setting changed (top-k, score
   * threshold, class filter) keeps them, so moving a slider does not make every label dip and
   * every box fade in again. Boxes the new settings drop fade out as usual.
   */
  tasksChanged(signatures: Readonly<Record<string, string>>): void {
    const stale = staleTasks(this.taskSignatures, signatures);
    for (const id of stale) {
      this.smoothers.delete(id);
      delete this.labels[id];
    }
    if (stale.some((id) => this.taskSignatures[id]?.startsWith('detect:'))) this.tracker.clear();
    this.taskSignatures = { ...signatures };
  }

  private requestVideoFrame(): void {
    const v = this.opts.video as VideoWithFrames;
    if (!this.running || !v.requestVideoFrameCallback) return;
    this.vfcId = v.requestVideoFrameCallback((now, meta) => {
      this.vfcId = 0;
      this.onVideoFrame(now, meta.presentedFrames);
      this.requestVideoFrame();
    });
  }

  private onVideoFrame(now: number, frameNo: number): void {
    if (!this.running) return;
    this.cameraRate.tick(now);
    const v = this.opts.video;
    if (this.paused || v.readyState < 2 || !v.videoWidth) return;
    if (this.scheduler.offer(frameNo)) void this.capture(frameNo, this.generation);
  }

  private async capture(frameNo: number, gen: number): Promise<void> {
    const capturedAt = performance.now();
    try {
      const v = this.opts.video;
      const size = captureSize(v.videoWidth, v.videoHeight, this.opts.uploadShortSide ?? 0);
      const vf = this.opts.capture === 'bitmap' ? null : currentVideoFrame(v);
      let image: ImageBitmap | VideoFrame;
      if (vf) {
        image = vf;
      } else if (size.width === v.videoWidth) {
        image = await createImageBitmap(v);
      } else {
        image = await createImageBitmap(v, {
          resizeWidth: size.width,
          resizeHeight: size.height,
          resizeQuality: 'medium',
        });
      }
      this.lastCapture = vf ? 'video-frame' : 'bitmap';
      const sentAt = performance.now();
      const res = await this.opts.client.infer(frameNo, image, size);
      if (gen === this.generation) {
        this.pushHistory('capture', sentAt - capturedAt);
        this.pushHistory('transit', performance.now() - sentAt - res.timing.totalMs);
        this.apply(
          scaleResult(res, v.videoWidth / size.width, v.videoWidth, v.videoHeight),
          capturedAt,
        );
      }
    } catch (e) {
      if (this.running) this.opts.onError?.((e as Error).message);
    }
    if (gen !== this.generation) return;
    const next = this.scheduler.complete(frameNo, this.running && !this.paused);
    if (next !== null) void this.capture(next, gen);
  }

  private apply(res: ResultMessage, capturedAt: number): void {
    const now = performance.now();
    this.videoSize = { width: res.width, height: res.height };
    let boxes: TrackInput[] = [];
    let modelMs = 0;
    const interval = this.inferRate.rate(now) > 0 ? 1000 / this.inferRate.rate(now) : 200;
    const seen = new Set<string>();
    for (const r of res.results) {
      modelMs += r.ms;
      if (r.kind === 'classify') {
        seen.add(r.id);
        let sm = this.smoothers.get(r.id);
        if (!sm) {
          sm = new LabelSmoother(this.opts.smoothing);
          this.smoothers.set(r.id, sm);
        }
        this.labels[r.id] = sm.update(
          r.predictions.map((p) => ({ label: p.label, probability: p.probability })),
          this.opts.topK,
        );
      } else {
        boxes = r.detections;
        this.tracker.update(r.detections, now, interval);
      }
    }
    if (!res.results.some((r) => r.kind === 'detect')) this.tracker.clear();
    for (const id of Object.keys(this.labels)) if (!seen.has(id)) delete this.labels[id];
    this.inferRate.tick(now);
    this.work.push(res.timing.totalMs);
    this.memory = res.memory;
    this.results++;
    this.pendingDraw = { capturedAt, appliedAt: now };
    this.pushHistory('work', res.timing.totalMs);
    this.pushHistory('model', modelMs);
    this.opts.onResult?.({
      frameId: res.frameId,
      width: res.width,
      height: res.height,
      labels: { ...this.labels },
      boxes,
      modelMs,
    });
  }

  private pushHistory(key: HistoryKey, v: number): void {
    const h = this.history[key];
    if (h.length < HISTORY_CAP) h.push(v);
  }

  private draw = (now: number): void => {
    if (!this.running) return;
    const v = this.opts.video as VideoWithFrames;
    // Browsers without requestVideoFrameCallback: a new frame is a changed currentTime.
    if (!v.requestVideoFrameCallback && v.currentTime !== this.lastTime) {
      this.lastTime = v.currentTime;
      this.onVideoFrame(now, ++this.fallbackFrame);
    }
    const labels = Object.entries(this.labels).flatMap(([id, ls], i) =>
      i === 0 ? ls : ls.map((l) => ({ ...l, label: `${id}: ${l.label}` })),
    );
    drawOverlay(this.opts.canvas, {
      videoWidth: this.videoSize.width || v.videoWidth,
      videoHeight: this.videoSize.height || v.videoHeight,
      boxes: this.tracker.at(now),
      labels,
      mirror: this.opts.mirror,
    });
    if (this.pendingDraw !== null) {
      const drawnAt = performance.now();
      const lat = drawnAt - this.pendingDraw.capturedAt;
      this.latency.push(lat);
      this.pushHistory('latency', lat);
      this.pushHistory('drawWait', drawnAt - this.pendingDraw.appliedAt);
      this.pendingDraw = null;
    }
    this.displayRate.tick(now);
    this.rafId = requestAnimationFrame(this.draw);
  };

  hud(): HudSnapshot {
    const now = performance.now();
    return {
      displayFps: this.displayRate.rate(now),
      cameraFps: this.cameraRate.rate(now),
      inferenceFps: this.inferRate.rate(now),
      latencyP50: this.latency.p(0.5),
      latencyP95: this.latency.p(0.95),
      workP50: this.work.p(0.5),
      sparkline: this.latency.values(),
      backend: this.opts.client.backend,
      where: this.opts.client.where,
      memory: this.memory,
      results: this.results,
      counts: this.scheduler.stats,
      capture: this.lastCapture,
    };
  }
}
