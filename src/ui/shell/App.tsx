import { useEffect } from 'react';
import { useApp, selectWorkspace, selectPanel, WORKSPACES_LABELS } from './appSelectors';
import { StatusBar } from './StatusBar';
import { SettingsPanel } from './SettingsPanel';
import { CapabilityPanel } from './CapabilityPanel';
import { Notices } from './Notices';
import { LiveWorkspace } from '../live/LiveWorkspace';
import { TagWorkspace } from '../tag/TagWorkspace';
import { TrainWorkspace } from '../train/TrainWorkspace';
import type { Workspace } from '../../store/uiSlice';

export function App() {
  const workspace = useApp(selectWorkspace);
  const panel = useApp(selectPanel);
  const setWorkspace = useApp((s) => s.setWorkspace);
  const setPanel = useApp((s) => s.setPanel);

  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (e.key === 'Escape') setPanel('none');
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [setPanel]);

  return (
    <div className="app">
      <header className="topbar">
        <h1 className="brand">
          <img src="/favicon.svg" alt="" width={24} height={24} /> Ocellus
        </h1>
        <nav aria-label="Workspaces" className="tabs" role="tablist">
          {(Object.keys(WORKSPACES_LABELS) as Workspace[]).map((w) => (
            <button
              key={w}
              role="tab"
              id={`tab-${w}`}
              aria-selected={workspace === w}
              aria-controls={`panel-${w}`}
              className={workspace === w ? 'tab active' : 'tab'}
              onClick={() => setWorkspace(w)}
            >
              {WORKSPACES_LABELS[w]}
            </button>
          ))}
        </nav>
        <div className="topbar-actions">
          <button
            aria-expanded={panel === 'capabilities'}
            onClick={() => setPanel(panel === 'capabilities' ? 'none' : 'capabilities')}
          >
            GPU
          </button>
          <button
            aria-expanded={panel === 'settings'}
            onClick={() => setPanel(panel === 'settings' ? 'none' : 'settings')}
          >
            Settings
          </button>
        </div>
      </header>
      <Notices />
      <div className="body">
        <main
          id={`panel-${workspace}`}
          role="tabpanel"
          aria-labelledby={`tab-${workspace}`}
          className="workspace"
        >
          {workspace === 'live' && <LiveWorkspace />}
          {workspace === 'tag' && <TagWorkspace />}
          {workspace === 'train' && <TrainWorkspace />}
        </main>
        {panel === 'settings' && <SettingsPanel />}
        {panel === 'capabilities' && <CapabilityPanel />}
      </div>
      <StatusBar />
    </div>
  );
}
