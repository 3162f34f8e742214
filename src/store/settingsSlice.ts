import type { StateCreator } from 'zustand';
import type { AppState } from './index';
import type { BackendPreference } from '../engine/backends';

export interface Settings {
  backend: BackendPreference;
  classifierId: string;
  detectorId: string;
  topK: number;
  minScore: number;
  maxResults: number;
  /** Per-model user-supplied model.json URLs (e.g. a self-hosted COCO-SSD copy). */
  modelUrls: Record<string, string>;
}

export const defaultSettings: Settings = {
  backend: 'auto',
  classifierId: 'mobilenet_v1_0.25_224',
  detectorId: 'centernet-mobilenetv3',
  topK: 3,
  minScore: 0.3,
  maxResults: 20,
  modelUrls: {},
};

export interface SettingsSlice {
  settings: Settings;
  updateSettings: (patch: Partial<Settings>) => void;
}

export const createSettingsSlice: StateCreator<AppState, [], [], SettingsSlice> = (set) => ({
  settings: defaultSettings,
  updateSettings: (patch) => set((s) => ({ settings: { ...s.settings, ...patch } })),
});
