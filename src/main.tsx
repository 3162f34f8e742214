import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './ui/shell/App';
import { startEngine } from './store/engineActions';
import { installAutomation } from './ui/automation';
import './ui/styles.css';

installAutomation();
void startEngine();

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <App />
  </StrictMode>,
);
