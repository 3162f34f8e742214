import {
  useApp,
  selectEngineState,
  selectEngineStatus,
  selectMemory,
  selectWarmup,
} from '../../store';
import { formatBytes } from './format';

export function StatusBar() {
  const status = useApp(selectEngineStatus);
  const state = useApp(selectEngineState);
  const memory = useApp(selectMemory);
  const warmup = useApp(selectWarmup);
  return (
    <footer className="statusbar" aria-label="Status">
      <span data-testid="engine-status" className={`pill ${status}`}>
        {status === 'ready' ? 'Ready' : status === 'starting' ? 'Starting engine…' : status}
      </span>
      <span data-testid="backend">
        Backend: <strong>{state?.backend ?? '–'}</strong>
        {state?.adapter?.isFallbackAdapter && state.backend === 'webgpu'
          ? ' (software fallback adapter)'
          : ''}
      </span>
      {warmup && (
        <span role="status">
          Warming up {warmup.modelId}: {warmup.done}/{warmup.total}
          <progress value={warmup.done} max={warmup.total} aria-label="Shader warm-up" />
        </span>
      )}
      <span data-testid="memory">
        Tensors: {memory.numTensors} · {formatBytes(memory.numBytes)}
      </span>
      <span className="privacy">All processing stays on this device.</span>
    </footer>
  );
}
