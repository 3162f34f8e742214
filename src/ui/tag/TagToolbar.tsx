import { useId, useRef, useState } from 'react';
import {
  useApp,
  selectModels,
  selectTagModelId,
  selectTagOrder,
  selectTagRun,
  selectTagUserModels,
} from '../../store';
import { catalogClassifiers } from '../../tagging/classifiers';
import {
  chooseModel,
  clearAll,
  download,
  exportCocoText,
  exportCsvText,
  exportJsonText,
  importJson,
  retag,
} from '../../tagging/actions';
import { UserModelDialog } from './UserModelDialog';

interface Props {
  onPickFiles: () => void;
  onPickFolder: () => void;
}

const stamp = () => new Date().toISOString().slice(0, 19).replace(/[:T]/g, '-');

export function TagToolbar({ onPickFiles, onPickFolder }: Props) {
  const id = useId();
  const modelId = useApp(selectTagModelId);
  const userModels = useApp(selectTagUserModels);
  const models = useApp(selectModels);
  const run = useApp(selectTagRun);
  const count = useApp(selectTagOrder).length;
  const notify = useApp((s) => s.notify);
  const importInput = useRef<HTMLInputElement>(null);
  const [modelDialog, setModelDialog] = useState(false);
  const running = run?.progress.state === 'running' || run?.progress.state === 'paused';

  const catalogOptions = catalogClassifiers().map((m) => {
    const a = models[m.id]?.availability;
    return { id: m.id, name: m.name, disabled: a?.state === 'unavailable' };
  });

  return (
    <div className="tag-toolbar" role="toolbar" aria-label="Tag actions">
      <label htmlFor={id} className="muted">
        Classifier
      </label>
      <select
        id={id}
        value={modelId}
        disabled={running}
        data-testid="tag-model"
        onChange={(e) => void chooseModel(e.target.value)}
      >
        {catalogOptions.map((o) => (
          <option key={o.id} value={o.id} disabled={o.disabled}>
            {o.name}
            {o.disabled ? ' — unavailable' : ''}
          </option>
        ))}
        {userModels.length > 0 && (
          <optgroup label="Your models">
            {userModels.map((m) => (
              <option key={m.id} value={m.id}>
                {m.name}
              </option>
            ))}
          </optgroup>
        )}
      </select>
      <button onClick={() => setModelDialog(true)}>Your model…</button>
      <button onClick={onPickFiles}>Add photos</button>
      <button onClick={onPickFolder}>Add folder</button>
      <button
        disabled={running || count === 0}
        title="Classify again with the chosen model (photos dropped in this tab)"
        onClick={() =>
          void retag(useApp.getState().tagOrder).then((n) => {
            if (!n)
              notify(
                'info',
                'Nothing to re-tag: the originals of earlier sessions are not kept. Drop them again.',
              );
          })
        }
      >
        Re-tag
      </button>
      <span className="tag-toolbar-sep" />
      <button onClick={() => importInput.current?.click()}>Import JSON</button>
      <input
        ref={importInput}
        type="file"
        accept="application/json,.json"
        className="visually-hidden"
        aria-label="Import a JSON export"
        data-testid="tag-import-input"
        onChange={(e) => {
          const f = e.target.files?.[0];
          e.target.value = '';
          if (f)
            void importJson(f)
              .then((n) => notify('info', `Imported ${n} image record(s) from ${f.name}.`))
              .catch((err: Error) => notify('error', `Import failed: ${err.message}`));
        }}
      />
      <button
        disabled={count === 0}
        data-testid="tag-export-json"
        onClick={() =>
          download(exportJsonText(), `ocellus-tags-${stamp()}.json`, 'application/json')
        }
      >
        Export JSON
      </button>
      <button
        disabled={count === 0}
        onClick={() => download(exportCsvText(), `ocellus-tags-${stamp()}.csv`, 'text/csv')}
      >
        CSV
      </button>
      <button
        disabled={count === 0}
        title="COCO annotations of the detection boxes"
        onClick={() =>
          download(exportCocoText(), `ocellus-coco-${stamp()}.json`, 'application/json')
        }
      >
        COCO
      </button>
      <button
        disabled={count === 0}
        onClick={() => {
          if (confirm(`Remove all ${count} images and their tags from this session?`))
            void clearAll();
        }}
      >
        Clear session
      </button>
      {modelDialog && <UserModelDialog onClose={() => setModelDialog(false)} />}
    </div>
  );
}
