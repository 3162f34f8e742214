/**
 * Detection in the Tag workspace: with the Detect toggle on, every photo whose original this tab
 * holds goes through the chosen detector, one at a time; its boxes land in the Tag slice through
 * `setImageBoxes`, so thumbnails, the large view and the JSON/COCO exports all get them.
 *
 * Each photo is detected once at the lowest threshold the UI offers and up to the most boxes it
 * allows; the score threshold, box limit and class filter are then applied to those results, so
 * moving the slider or changing the filter updates every photo at once without running the
 * model again.
 */
import { useApp } from '../../store';
import { classFilterOf, type DetectionPrefs } from '../../store/detectionSlice';
import { originalOf } from '../../tagging/thumbs';
import type { ImageBox } from '../../tagging/types';
import { classMask } from '../../detection/common';
import { createDetector, type CreatedDetector } from '../../detection/factory';
import type { Detection } from '../../detection/types';

/** The lowest score threshold and the most boxes the settings allow (SettingsPanel's ranges). */
export const RAW_MIN_SCORE = 0.05;
export const RAW_MAX_RESULTS = 100;
/** Larger photos are scaled down before upload (boxes are scaled back): detectors see <=1024 px anyway. */
const MAX_SIDE = 2048;

interface RawResult {
  detectorKey: string;
  detections: Detection[];
}

const raw = new Map<string, RawResult>();
const detectors = new Map<string, Promise<CreatedDetector>>();
let running: Promise<void> | null = null;
let started = false;

const state = () => useApp.getState();

function detectorKey(): string {
  const s = state();
  return `${s.settings.detectorId}|${s.detection.cocoSsdPath}|${s.detection.classAwareNms}`;
}

function detectorFor(key: string): Promise<CreatedDetector> {
  let d = detectors.get(key);
  if (!d) {
    const s = state();
    d = createDetector(s.settings.detectorId, {
      cocoSsdPath: s.detection.cocoSsdPath,
      classAwareNms: s.detection.classAwareNms,
    });
    // A failed load is retried on the next run instead of being cached.
    d.catch(() => detectors.delete(key));
    detectors.set(key, d);
  }
  return d;
}

/** Applies the score threshold, box limit and class filter to raw detections (pure). */
export function visibleBoxes(
  detections: readonly Detection[],
  minScore: number,
  maxResults: number,
  prefs: Pick<DetectionPrefs, 'filterMode' | 'classes'>,
): ImageBox[] {
  const allowed = classMask(classFilterOf(prefs));
  return detections
    .filter((d) => d.score > minScore && (!allowed || allowed[d.classId]))
    .slice(0, maxResults)
    .map((d) => ({ ...d.box, label: d.label, classId: d.classId, score: d.score }));
}

function apply(ids: Iterable<string>): void {
  const s = state();
  for (const id of ids) {
    const r = raw.get(id);
    if (!r || !s.tagImages[id]) continue;
    s.setImageBoxes(
      id,
      visibleBoxes(r.detections, s.settings.minScore, s.settings.maxResults, s.detection),
    );
  }
}

async function decode(file: Blob): Promise<{ bitmap: ImageBitmap; scale: number }> {
  const full = await createImageBitmap(file, { imageOrientation: 'from-image' });
  const side = Math.max(full.width, full.height);
  if (side <= MAX_SIDE) return { bitmap: full, scale: 1 };
  const scale = MAX_SIDE / side;
  const bitmap = await createImageBitmap(full, {
    resizeWidth: Math.round(full.width * scale),
    resizeHeight: Math.round(full.height * scale),
    resizeQuality: 'high',
  });
  full.close();
  return { bitmap, scale };
}

/** Detects on one photo; returns its detections in the photo's own pixels. */
export async function detectBlob(detector: CreatedDetector, file: Blob): Promise<Detection[]> {
  const { bitmap, scale } = await decode(file);
  try {
    const dets = await detector.detect(bitmap, {
      minScore: RAW_MIN_SCORE,
      maxResults: RAW_MAX_RESULTS,
    });
    if (scale === 1) return dets;
    return dets.map((d) => ({
      ...d,
      box: {
        x: d.box.x / scale,
        y: d.box.y / scale,
        width: d.box.width / scale,
        height: d.box.height / scale,
      },
    }));
  } finally {
    bitmap.close();
  }
}

/** Photos that still need the current detector: on, original at hand, not yet detected. */
function pending(key: string): string[] {
  const s = state();
  return s.tagOrder.filter(
    (id) => raw.get(id)?.detectorKey !== key && originalOf(id) !== undefined,
  );
}

/** Runs the detector over every pending photo (one run at a time; new photos join it). */
export function detectPending(): Promise<void> {
  // `.finally` runs after the assignment, even when the run ends without awaiting anything.
  running ??= runPending().finally(() => {
    running = null;
  });
  return running;
}

async function runPending(): Promise<void> {
  try {
    for (;;) {
      if (!state().detection.tagDetect) break;
      const key = detectorKey();
      const ids = pending(key);
      if (!ids.length) break;
      const detector = await detectorFor(key);
      let done = 0;
      state().setDetectionRun({ detectorId: detector.id, done, total: ids.length });
      for (const id of ids) {
        // Toggled off or another detector chosen: stop; the outer loop picks up the change.
        if (!state().detection.tagDetect || detectorKey() !== key) break;
        const file = originalOf(id);
        if (file && state().tagImages[id]) {
          try {
            raw.set(id, { detectorKey: key, detections: await detectBlob(detector, file) });
            apply([id]);
          } catch (e) {
            raw.set(id, { detectorKey: key, detections: [] });
            state().notify(
              'error',
              `Detection failed on ${state().tagImages[id]?.name ?? id}: ${(e as Error).message}`,
            );
          }
        }
        state().setDetectionRun({ detectorId: detector.id, done: ++done, total: ids.length });
      }
    }
    state().setDetectionRun(null);
  } catch (e) {
    state().setDetectionRun({
      detectorId: state().settings.detectorId,
      done: 0,
      total: 0,
      error: (e as Error).message,
    });
  }
}

/** Removes the boxes this tab's detector put on photos (the toggle turned off). */
function clearDetected(): void {
  const s = state();
  for (const id of raw.keys()) if (s.tagImages[id]) s.setImageBoxes(id, []);
  raw.clear();
}

/**
 * Wires detection to the store once: the toggle, new photos, the detector choice and the
 * threshold/limit/filter settings. Idempotent.
 */
export function startTagDetection(): void {
  if (started) return;
  started = true;
  useApp.subscribe((s, prev) => {
    const d = s.detection;
    const p = prev.detection;
    if (d.tagDetect !== p.tagDetect) {
      if (d.tagDetect) void detectPending();
      else clearDetected();
      return;
    }
    if (!d.tagDetect) return;
    const sameDetector =
      s.settings.detectorId === prev.settings.detectorId &&
      d.cocoSsdPath === p.cocoSsdPath &&
      d.classAwareNms === p.classAwareNms;
    if (!sameDetector || s.tagOrder !== prev.tagOrder) void detectPending();
    if (
      s.settings.minScore !== prev.settings.minScore ||
      s.settings.maxResults !== prev.settings.maxResults ||
      d.filterMode !== p.filterMode ||
      d.classes !== p.classes
    ) {
      apply(raw.keys());
    }
  });
  // Forget photos removed from the session.
  useApp.subscribe((s, prev) => {
    if (s.tagOrder === prev.tagOrder) return;
    for (const id of raw.keys()) if (!s.tagImages[id]) raw.delete(id);
  });
  if (state().detection.tagDetect) void detectPending();
}
