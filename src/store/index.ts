/**
 * The app's one zustand store, composed of slices. Components read it only through selectors
 * (`useApp(selectX)`), and non-React modules through `useApp.getState()`.
 */
import { create } from 'zustand';
import { persist, createJSONStorage } from 'zustand/middleware';
import { createEngineSlice, type EngineSlice } from './engineSlice';
import { createModelsSlice, type ModelsSlice } from './modelsSlice';
import { createSettingsSlice, defaultSettings, type SettingsSlice } from './settingsSlice';
import { createUiSlice, type UiSlice } from './uiSlice';
import { createTrainSlice, type TrainSlice } from './trainSlice';
import { createTagSlice, type TagSlice } from './tagSlice';
import { createLiveSlice, defaultLivePrefs, type LiveSlice } from './liveSlice';
import { createDetectionSlice, defaultDetectionPrefs, type DetectionSlice } from './detectionSlice';

export type AppState = EngineSlice &
  ModelsSlice &
  SettingsSlice &
  UiSlice &
  TrainSlice &
  TagSlice &
  LiveSlice &
  DetectionSlice;

export const useApp = create<AppState>()(
  persist(
    (...a) => ({
      ...createEngineSlice(...a),
      ...createModelsSlice(...a),
      ...createSettingsSlice(...a),
      ...createUiSlice(...a),
      ...createTrainSlice(...a),
      ...createTagSlice(...a),
      ...createLiveSlice(...a),
      ...createDetectionSlice(...a),
    }),
    {
      name: 'ocellus-settings',
      storage: createJSONStorage(() => localStorage),
      // Only preferences persist here; user data lives in IndexedDB with its own modules.
      partialize: (s) => ({
        settings: s.settings,
        workspace: s.workspace,
        live: s.live,
        detection: s.detection,
      }),
      merge: (persisted, current) => {
        const p = (persisted ?? {}) as Partial<AppState>;
        return {
          ...current,
          ...p,
          settings: { ...defaultSettings, ...(p.settings ?? {}) },
          live: { ...defaultLivePrefs, ...(p.live ?? {}) },
          detection: { ...defaultDetectionPrefs, ...(p.detection ?? {}) },
        };
      },
    },
  ),
);

export * from './selectors';
