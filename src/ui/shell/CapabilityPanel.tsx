import { useApp, selectEngineState, selectMemory, selectLiveRuntime } from '../../store';
import { formatBytes } from './format';

const KEY_FEATURES = [
  'shader-f16',
  'timestamp-query',
  'subgroups',
  'bgra8unorm-storage',
  'float32-filterable',
];

export function CapabilityPanel() {
  const state = useApp(selectEngineState);
  const memory = useApp(selectMemory);
  const live = useApp(selectLiveRuntime);
  const a = state?.adapter;
  return (
    <aside className="panel" aria-label="GPU capabilities" data-testid="capabilities" tabIndex={-1}>
      <h2>GPU and engine</h2>
      <dl className="kv">
        <dt>Backend in use</dt>
        <dd data-testid="cap-backend">{state?.backend ?? '–'}</dd>
        <dt>Requested</dt>
        <dd>{state?.preference ?? '–'}</dd>
        <dt>Why</dt>
        <dd data-testid="cap-reasons">
          <ul>
            {(state?.reasons ?? []).map((r) => (
              <li key={r}>{r}</li>
            ))}
          </ul>
        </dd>
        <dt>WebGPU adapter</dt>
        <dd data-testid="cap-adapter">
          {a
            ? `${a.vendor || 'unknown vendor'} · ${a.architecture || 'unknown architecture'}${a.description ? ` · ${a.description}` : ''}`
            : 'none'}
        </dd>
        <dt>Fallback adapter</dt>
        <dd data-testid="cap-fallback">
          {a ? (a.isFallbackAdapter ? 'yes (software, e.g. SwiftShader)' : 'no (hardware)') : '–'}
        </dd>
        {a && (
          <>
            <dt>Features</dt>
            <dd>
              {KEY_FEATURES.map((f) => (
                <span key={f} className={a.features.includes(f) ? 'chip on' : 'chip off'}>
                  {f}: {a.features.includes(f) ? 'yes' : 'no'}
                </span>
              ))}
            </dd>
            <dt>Limits</dt>
            <dd>
              <ul>
                {Object.entries(a.limits).map(([k, v]) => (
                  <li key={k}>
                    {k}: {k.includes('Size') && v > 65536 ? formatBytes(v) : v}
                  </li>
                ))}
              </ul>
            </dd>
          </>
        )}
        {state?.webgl && (
          <>
            <dt>WebGL renderer</dt>
            <dd>
              {state.webgl.renderer} {state.webgl.software ? '(software)' : ''}
            </dd>
          </>
        )}
        <dt>Live inference runs</dt>
        <dd data-testid="cap-live-where">
          {live.where === null
            ? 'not started (starts with the Live tab)'
            : `${live.where === 'worker' ? 'in a Web Worker' : 'on the main thread'} on ${live.backend ?? '…'}: ${live.why}`}
        </dd>
        <dt>TensorFlow.js</dt>
        <dd data-testid="cap-tfjs">{state?.tfjsVersion ?? __TFJS_VERSION__}</dd>
        <dt>Memory</dt>
        <dd data-testid="cap-memory">
          {memory.numTensors} tensors · {formatBytes(memory.numBytes)}
          {memory.numBytesInGPU !== undefined ? ` · GPU ${formatBytes(memory.numBytesInGPU)}` : ''}
        </dd>
      </dl>
    </aside>
  );
}
