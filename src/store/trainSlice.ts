/** The Train workspace's state; the logic that changes it lives in src/training/project.ts. */
import type { StateCreator } from 'zustand';
import type { AppState } from './index';
import {
  DEFAULT_SETTINGS,
  type EpochLog,
  type EvalReport,
  type SampleSource,
  type TrainClass,
  type TrainedInfo,
  type TrainSettings,
} from '../training/types';

export interface SampleView {
  id: string;
  classId: string;
  source: SampleSource;
  /** Object URL of the stored image (the thumbnail). */
  url: string;
}

export type TrainStatus = 'loading' | 'idle' | 'embedding' | 'training' | 'evaluating';

export interface TrainRun {
  mode: TrainedInfo['kind'];
  baseId: string;
  embedSeconds: number;
  trainSeconds: number;
  epochs: number;
  cancelled: boolean;
}

export interface TrainState {
  ready: boolean;
  classes: TrainClass[];
  samples: SampleView[];
  settings: TrainSettings;
  status: TrainStatus;
  progress: { label: string; done: number; total: number } | null;
  history: EpochLog[];
  info: TrainedInfo | null;
  report: EvalReport | null;
  lastRun: TrainRun | null;
  error: string | null;
  /** Set when the project cannot be saved (storage full or unavailable): it lives in this tab. */
  storage: string | null;
}

export interface TrainSlice {
  train: TrainState;
  setTrain: (patch: Partial<TrainState> | ((t: TrainState) => Partial<TrainState>)) => void;
}

export const initialTrainState: TrainState = {
  ready: false,
  classes: [],
  samples: [],
  settings: DEFAULT_SETTINGS,
  status: 'loading',
  progress: null,
  history: [],
  info: null,
  report: null,
  lastRun: null,
  error: null,
  storage: null,
};

export const createTrainSlice: StateCreator<AppState, [], [], TrainSlice> = (set) => ({
  train: initialTrainState,
  setTrain: (patch) =>
    set((s) => ({
      train: { ...s.train, ...(typeof patch === 'function' ? patch(s.train) : patch) },
    })),
});
