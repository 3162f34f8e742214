import { useEffect, useRef } from 'react';
import { useApp, selectWorkspace, selectPanel, WORKSPACES_LABELS } from './appSelectors';
import { StatusBar } from './StatusBar';
import { SettingsPanel } from './SettingsPanel';
import { CapabilityPanel } from './CapabilityPanel';
import { Notices } from './Notices';
import { LiveWorkspace } from '../live/LiveWorkspace';
import { TagWorkspace } from '../tag/TagWorkspace';
import { TrainWorkspace } from '../train/TrainWorkspace';
import type { Workspace } from '../../store/uiSlice';

const WORKSPACES = Object.keys(WORKSPACES_LABELS) as Workspace[];

export function App() {
  const workspace = useApp(selectWorkspace);
  const panel = useApp(selectPanel);
  const setWorkspace = useApp((s) => s.setWorkspace);
  const setPanel = useApp((s) => s.setPanel);

  // Keyboard users land in a side panel they open, and back on its button when Escape closes it.
  const capButton = useRef<HTMLButtonElement>(null);
  const settingsButton = useRef<HTMLButtonElement>(null);
  const focusPanel = useRef(false);
  const togglePanel = (p: 'capabilities' | 'settings') => {
    focusPanel.current = panel !== p;
    setPanel(panel === p ? 'none' : p);
  };
  useEffect(() => {
    if (panel === 'none' || !focusPanel.current) return;
    focusPanel.current = false;
    document.querySelector<HTMLElement>('.body > .panel')?.focus();
  }, [panel]);

  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (e.key !== 'Escape') return;
      const inPanel = Boolean(document.activeElement?.closest('.body > .panel'));
      setPanel('none');
      const button =
        panel === 'capabilities' ? capButton : panel === 'settings' ? settingsButton : null;
      if (inPanel) button?.current?.focus();
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [setPanel, panel, capButton, settingsButton]);

  const onTabKey = (e: React.KeyboardEvent) => {
    const at = WORKSPACES.indexOf(workspace);
    const next = {
      ArrowRight: WORKSPACES[(at + 1) % WORKSPACES.length],
      ArrowLeft: WORKSPACES[(at - 1 + WORKSPACES.length) % WORKSPACES.length],
      Home: WORKSPACES[0],
      End: WORKSPACES[WORKSPACES.length - 1],
    }[e.key];
    if (!next) return;
    e.preventDefault();
    setWorkspace(next);
    document.getElementById(`tab-${next}`)?.focus();
  };

  return (
    <div className="app">
      <header className="topbar">
        <h1 className="brand">
          <img src="/favicon.svg" alt="" width={24} height={24} /> Ocellus
        </h1>
        <nav aria-label="Workspaces">
          {/* The tab pattern: one Tab stop (the active tab); the arrow keys, Home and End move. */}
          <div className="tabs" role="tablist" aria-label="Workspaces" onKeyDown={onTabKey}>
            {WORKSPACES.map((w) => (
              <button
                key={w}
                role="tab"
                id={`tab-${w}`}
                aria-selected={workspace === w}
                aria-controls={workspace === w ? `panel-${w}` : undefined}
                tabIndex={workspace === w ? 0 : -1}
                className={workspace === w ? 'tab active' : 'tab'}
                onClick={() => setWorkspace(w)}
              >
                {WORKSPACES_LABELS[w]}
              </button>
            ))}
          </div>
        </nav>
        <div className="topbar-actions">
          <button
            ref={capButton}
            aria-expanded={panel === 'capabilities'}
            onClick={() => togglePanel('capabilities')}
          >
            GPU
          </button>
          <button
            ref={settingsButton}
            aria-expanded={panel === 'settings'}
            onClick={() => togglePanel('settings')}
          >
            Settings
          </button>
        </div>
      </header>
      <Notices />
      <div className="body">
        <main className="workspace">
          <div id={`panel-${workspace}`} role="tabpanel" aria-labelledby={`tab-${workspace}`}>
            {workspace === 'live' && <LiveWorkspace />}
            {workspace === 'tag' && <TagWorkspace />}
            {workspace === 'train' && <TrainWorkspace />}
          </div>
        </main>
        {panel === 'settings' && <SettingsPanel />}
        {panel === 'capabilities' && <CapabilityPanel />}
      </div>
      <StatusBar />
    </div>
  );
}
