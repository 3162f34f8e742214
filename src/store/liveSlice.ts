import type { StateCreator } from 'zustand';
import type { AppState } from './index';
import type { BackendName } from '../engine/backendNames';

/** Live workspace preferences; persisted, so the camera and its options survive a reload. */
export interface LivePrefs {
  /** The chosen camera's deviceId ('' = the browser's default). */
  cameraId: string;
  /** One of RESOLUTIONS' ids in src/sources/camera.ts. */
  resolution: string;
  mirror: boolean;
  /** Label smoothing strength, 0 (off) .. 0.95 (EMA weight of the past). */
  smoothing: number;
  classify: boolean;
  detect: boolean;
  /** Also run the model trained in the Train workspace on every frame. */
  trained: boolean;
}

export const defaultLivePrefs: LivePrefs = {
  cameraId: '',
  resolution: '640x480',
  mirror: true,
  smoothing: 0.6,
  classify: true,
  detect: true,
  trained: false,
};

/** Where live inference runs, for the capability panel (not persisted). */
export interface LiveRuntime {
  where: 'worker' | 'main' | null;
  why: string;
  backend: BackendName | null;
}

export interface LiveSlice {
  live: LivePrefs;
  liveRuntime: LiveRuntime;
  updateLive: (patch: Partial<LivePrefs>) => void;
  setLiveRuntime: (r: LiveRuntime) => void;
}

export const createLiveSlice: StateCreator<AppState, [], [], LiveSlice> = (set) => ({
  live: defaultLivePrefs,
  liveRuntime: { where: null, why: '', backend: null },
  updateLive: (patch) => set((s) => ({ live: { ...s.live, ...patch } })),
  setLiveRuntime: (liveRuntime) => set({ liveRuntime }),
});
