import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './ui/shell/App';
import { startEngine } from './store/engineActions';
import { installAutomation } from './ui/automation';
import { installTagInbox } from './tagging/inbox';
import './ui/styles.css';

installAutomation();
installTagInbox();
void startEngine();

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <App />
  </StrictMode>,
);
