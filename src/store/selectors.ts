import type { AppState } from './index';

export const selectSettings = (s: AppState) => s.settings;
export const selectWorkspace = (s: AppState) => s.workspace;
export const selectPanel = (s: AppState) => s.panel;
export const selectEngineStatus = (s: AppState) => s.engineStatus;
export const selectEngineState = (s: AppState) => s.engineState;
export const selectEngineError = (s: AppState) => s.engineError;
export const selectMemory = (s: AppState) => s.memory;
export const selectWarmup = (s: AppState) => s.warmup;
export const selectNotices = (s: AppState) => s.notices;
export const selectModels = (s: AppState) => s.models;
export const selectModel = (id: string) => (s: AppState) => s.models[id];
