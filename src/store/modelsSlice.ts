import type { StateCreator } from 'zustand';
import type { AppState } from './index';
import type { Availability } from '../models/registry';
import type { LoadProgress } from '../models/loader';

export interface ModelStatus {
  availability?: Availability;
  loading?: LoadProgress;
  loaded?: boolean;
  error?: string;
}

export interface ModelsSlice {
  models: Record<string, ModelStatus>;
  setModelStatus: (id: string, patch: Partial<ModelStatus>) => void;
  setAvailability: (all: Record<string, Availability>) => void;
}

export const createModelsSlice: StateCreator<AppState, [], [], ModelsSlice> = (set) => ({
  models: {},
  setModelStatus: (id, patch) =>
    set((s) => ({ models: { ...s.models, [id]: { ...s.models[id], ...patch } } })),
  setAvailability: (all) =>
    set((s) => {
      const models = { ...s.models };
      for (const [id, availability] of Object.entries(all))
        models[id] = { ...models[id], availability };
      return { models };
    }),
});
