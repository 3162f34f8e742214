import type { Workspace } from '../../store/uiSlice';
export { useApp, selectWorkspace, selectPanel } from '../../store';

export const WORKSPACES_LABELS: Record<Workspace, string> = {
  live: 'Live',
  tag: 'Tag',
  train: 'Train',
};
