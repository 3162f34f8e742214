import { useId } from 'react';
import { useApp, selectModels } from '../../store';
import { catalog, totalBytes, type Task } from '../../models/catalog';
import { loadModel } from '../../store/engineActions';
import { formatBytes, percent } from './format';

interface Props {
  task: Task;
  value: string;
  onChange: (id: string) => void;
  label: string;
}

/** A catalog model picker showing each model as ready, downloadable or unavailable, with load progress. */
export function ModelPicker({ task, value, onChange, label }: Props) {
  const id = useId();
  const models = useApp(selectModels);
  const entries = catalog.models.filter((m) => m.task === task);
  const status = models[value];
  const avail = status?.availability;
  const loading = status?.loading;
  return (
    <div className="model-picker" data-testid={`picker-${task}`}>
      <label htmlFor={id}>{label}</label>
      <select id={id} value={value} onChange={(e) => onChange(e.target.value)}>
        {entries.map((m) => {
          const a = models[m.id]?.availability;
          const tag = !a
            ? ''
            : a.state === 'ready'
              ? 'ready'
              : a.state === 'downloadable'
                ? 'download'
                : 'unavailable';
          return (
            <option key={m.id} value={m.id}>
              {m.name} — {tag}
            </option>
          );
        })}
      </select>
      <div className="model-status" data-testid="model-status">
        {avail?.state === 'ready' && (
          <span className="ok">
            Ready ({avail.where === 'cache' ? 'cached offline' : 'self-hosted'})
          </span>
        )}
        {avail?.state === 'downloadable' && (
          <span>
            Downloads from {avail.where === 'custom' ? 'your URL' : 'the official host'} (only model
            files; no image leaves this device)
          </span>
        )}
        {avail?.state === 'unavailable' && <span className="warn">Unavailable: {avail.why}</span>}
        {status?.loaded && <span className="ok"> · loaded</span>}
      </div>
      {loading && (
        <div className="progress-row">
          <progress
            aria-label={`Loading ${value}`}
            value={loading.phase === 'download' ? loading.loaded : undefined}
            max={loading.total || totalBytes(catalog.models.find((m) => m.id === value)!) || 1}
          />
          <span>
            {loading.phase} {formatBytes(loading.loaded)}
            {loading.total
              ? ` / ${formatBytes(loading.total)} (${percent(loading.loaded, loading.total)}%)`
              : ''}
          </span>
        </div>
      )}
      {status?.error && (
        <p className="error" role="alert" data-testid="model-error">
          {status.error}
        </p>
      )}
      {avail && avail.state !== 'unavailable' && !status?.loaded && !loading && (
        <button onClick={() => void loadModel(value).catch(() => undefined)}>
          {status?.error ? `Retry loading ${value}` : `Load ${value}`}
        </button>
      )}
    </div>
  );
}
