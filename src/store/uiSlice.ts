import type { StateCreator } from 'zustand';
import type { AppState } from './index';

export type Workspace = 'live' | 'tag' | 'train';
export const WORKSPACES: Workspace[] = ['live', 'tag', 'train'];

export interface UiSlice {
  workspace: Workspace;
  panel: 'none' | 'settings' | 'capabilities';
  setWorkspace: (w: Workspace) => void;
  setPanel: (p: UiSlice['panel']) => void;
}

export const createUiSlice: StateCreator<AppState, [], [], UiSlice> = (set) => ({
  workspace: 'tag',
  panel: 'none',
  setWorkspace: (workspace) => set({ workspace }),
  setPanel: (panel) => set({ panel }),
});
