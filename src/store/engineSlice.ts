import type { StateCreator } from 'zustand';
import type { AppState } from './index';
import type { EngineState } from '../engine/backends';
import type { MemoryStats } from '../engine/engine';

export type EngineStatus = 'idle' | 'starting' | 'ready' | 'recovering' | 'error';

export interface Notice {
  id: number;
  level: 'info' | 'warning' | 'error';
  text: string;
  at: number;
}

export interface EngineSlice {
  engineStatus: EngineStatus;
  engineState: EngineState | null;
  engineError: string | null;
  memory: MemoryStats;
  warmup: { modelId: string; done: number; total: number } | null;
  notices: Notice[];
  setEngine: (
    patch: Partial<Pick<EngineSlice, 'engineStatus' | 'engineState' | 'engineError' | 'warmup'>>,
  ) => void;
  setMemory: (m: MemoryStats) => void;
  notify: (level: Notice['level'], text: string) => void;
  dismissNotice: (id: number) => void;
}

let nextNotice = 1;

export const createEngineSlice: StateCreator<AppState, [], [], EngineSlice> = (set) => ({
  engineStatus: 'idle',
  engineState: null,
  engineError: null,
  memory: { numTensors: 0, numBytes: 0 },
  warmup: null,
  notices: [],
  setEngine: (patch) => set(patch),
  setMemory: (memory) => set({ memory }),
  notify: (level, text) =>
    set((s) => ({
      notices: [...s.notices.slice(-7), { id: nextNotice++, level, text, at: Date.now() }],
    })),
  dismissNotice: (id) => set((s) => ({ notices: s.notices.filter((n) => n.id !== id) })),
});
