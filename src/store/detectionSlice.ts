/**
 * Detection preferences shared by Live and Tag: the class filter (include/exclude COCO names),
 * which COCO-SSD post-processing to use, and whether Tag runs the detector on its photos. The
 * score threshold and box limit stay in settings (minScore, maxResults) next to the detector.
 */
import type { StateCreator } from 'zustand';
import type { AppState } from './index';
import type { ClassFilter } from '../detection/types';

export type ClassFilterMode = 'all' | 'include' | 'exclude';

export interface DetectionPrefs {
  /** 'include': keep only `classes`; 'exclude': drop them; 'all': no filter. */
  filterMode: ClassFilterMode;
  /** COCO80 class names the filter names. */
  classes: string[];
  /** COCO-SSD: our fast post-processing (default) or @tensorflow-models/coco-ssd's detect(). */
  cocoSsdPath: 'fast' | 'library';
  /** COCO-SSD fast path only: NMS per class instead of coco-ssd's class-agnostic NMS. */
  classAwareNms: boolean;
  /** Tag: run the detector on photos (and draw their boxes). */
  tagDetect: boolean;
}

export const defaultDetectionPrefs: DetectionPrefs = {
  filterMode: 'all',
  classes: [],
  cocoSsdPath: 'fast',
  classAwareNms: false,
  tagDetect: false,
};

/** Progress of a Tag detection run. */
export interface DetectionRun {
  detectorId: string;
  done: number;
  total: number;
  error?: string;
}

export interface DetectionSlice {
  detection: DetectionPrefs;
  detectionRun: DetectionRun | null;
  setDetection: (patch: Partial<DetectionPrefs>) => void;
  setDetectionRun: (run: DetectionRun | null) => void;
}

/** The filter in the detector interface's terms (undefined = every class). */
export function classFilterOf(
  p: Pick<DetectionPrefs, 'filterMode' | 'classes'>,
): ClassFilter | undefined {
  if (p.filterMode === 'all' || p.classes.length === 0) return undefined;
  return p.filterMode === 'include' ? { include: [...p.classes] } : { exclude: [...p.classes] };
}

export const createDetectionSlice: StateCreator<AppState, [], [], DetectionSlice> = (set) => ({
  detection: defaultDetectionPrefs,
  detectionRun: null,
  setDetection: (patch) => set((s) => ({ detection: { ...s.detection, ...patch } })),
  setDetectionRun: (detectionRun) => set({ detectionRun }),
});
