import { useId } from 'react';
import { useApp, selectSettings, selectEngineState, selectDetection } from '../../store';
import { BACKENDS, type BackendPreference } from '../../engine/backends';
import { switchBackend, refreshAvailability } from '../../store/engineActions';
import { catalog } from '../../models/catalog';
import { clearModelCache } from '../../models/weightCache';
import { cocoSsdLibraryBlocked } from '../../detection/factory';
import { ModelPicker } from './ModelPicker';

export function SettingsPanel() {
  const settings = useApp(selectSettings);
  const engineState = useApp(selectEngineState);
  const update = useApp((s) => s.updateSettings);
  const detection = useApp(selectDetection);
  const setDetection = useApp((s) => s.setDetection);
  const ids = { backend: useId(), topk: useId(), score: useId(), max: useId(), ssd: useId() };
  const cocoSsd = catalog.models.filter((m) => m.family === 'coco-ssd');
  const libraryBlocked = cocoSsdLibraryBlocked(engineState?.backend ?? null);
  // The stored choice is kept for backends that can run it; what runs now is what the controls
  // below must follow.
  const runningPath = detection.cocoSsdPath === 'library' && !libraryBlocked ? 'library' : 'fast';
  return (
    <aside className="panel" aria-label="Settings" data-testid="settings" tabIndex={-1}>
      <h2>Settings</h2>
      <div className="field">
        <label htmlFor={ids.backend}>Backend</label>
        <select
          id={ids.backend}
          value={settings.backend}
          onChange={(e) => void switchBackend(e.target.value as BackendPreference)}
        >
          <option value="auto">auto (fastest available)</option>
          {BACKENDS.map((b) => (
            <option key={b} value={b}>
              {b}
            </option>
          ))}
        </select>
        <small>
          In use: {engineState?.backend ?? '–'}. A link can pin one with
          ?backend=webgpu|webgl|wasm|cpu.
        </small>
      </div>
      <ModelPicker
        task="classify"
        label="Classifier"
        value={settings.classifierId}
        onChange={(classifierId) => update({ classifierId })}
      />
      <ModelPicker
        task="detect"
        label="Detector"
        value={settings.detectorId}
        onChange={(detectorId) => update({ detectorId })}
      />
      <div className="field">
        <label htmlFor={ids.ssd}>COCO-SSD post-processing</label>
        <select
          id={ids.ssd}
          value={detection.cocoSsdPath}
          onChange={(e) => setDetection({ cocoSsdPath: e.target.value as 'fast' | 'library' })}
        >
          <option value="fast">fast (GPU max/argmax, async readback)</option>
          <option value="library" disabled={libraryBlocked !== null}>
            @tensorflow-models/coco-ssd detect()
          </option>
        </select>
        {libraryBlocked && (
          <small data-testid="coco-ssd-library-blocked">
            coco-ssd detect() is off on WebGPU: {libraryBlocked}
            {detection.cocoSsdPath === 'library' ? ', so the fast path runs.' : '.'}
          </small>
        )}
        <label>
          <input
            type="checkbox"
            checked={detection.classAwareNms}
            disabled={runningPath !== 'fast'}
            onChange={(e) => setDetection({ classAwareNms: e.target.checked })}
          />{' '}
          class-aware NMS
        </label>
      </div>
      <div className="field">
        <label htmlFor={ids.topk}>Top-k labels</label>
        <input
          id={ids.topk}
          type="number"
          min={1}
          max={10}
          value={settings.topK}
          onChange={(e) => update({ topK: Math.max(1, Math.min(10, Number(e.target.value) || 1)) })}
        />
      </div>
      <div className="field">
        <label htmlFor={ids.score}>Minimum detection score: {settings.minScore.toFixed(2)}</label>
        <input
          id={ids.score}
          type="range"
          min={0.05}
          max={0.95}
          step={0.05}
          value={settings.minScore}
          onChange={(e) => update({ minScore: Number(e.target.value) })}
        />
      </div>
      <div className="field">
        <label htmlFor={ids.max}>Maximum boxes</label>
        <input
          id={ids.max}
          type="number"
          min={1}
          max={100}
          value={settings.maxResults}
          onChange={(e) =>
            update({ maxResults: Math.max(1, Math.min(100, Number(e.target.value) || 1)) })
          }
        />
      </div>
      <fieldset>
        <legend>Self-hosted COCO-SSD weights (optional model.json URL)</legend>
        {cocoSsd.map((m) => (
          <div className="field" key={m.id}>
            <label htmlFor={`url-${m.id}`}>{m.name}</label>
            <input
              id={`url-${m.id}`}
              type="url"
              placeholder="https://your.host/ssd/model.json"
              defaultValue={settings.modelUrls[m.id] ?? ''}
              onBlur={(e) => {
                const modelUrls = { ...settings.modelUrls };
                if (e.target.value.trim()) modelUrls[m.id] = e.target.value.trim();
                else delete modelUrls[m.id];
                update({ modelUrls });
                void refreshAvailability();
              }}
            />
          </div>
        ))}
      </fieldset>
      <div className="field">
        <button
          onClick={() =>
            void clearModelCache().then(() => {
              void refreshAvailability();
            })
          }
        >
          Clear cached model weights
        </button>
      </div>
    </aside>
  );
}
