import { useEffect, useId, useRef, useState } from 'react';
import { useApp, selectTagUserModels } from '../../store';
import { addUserModel, deleteUserModel } from '../../tagging/actions';
import { useFocusTrap } from '../a11y/useFocusTrap';

const RANGES: Record<string, [number, number]> = {
  '-1,1': [-1, 1],
  '0,1': [0, 1],
  '0,255': [0, 255],
};

/** Add a classifier of your own: model.json + weights + labels, kept in this browser. */
export function UserModelDialog({ onClose }: { onClose: () => void }) {
  const ids = { files: useId(), range: useId() };
  const userModels = useApp(selectTagUserModels);
  const [range, setRange] = useState('-1,1');
  const [files, setFiles] = useState<File[]>([]);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [done, setDone] = useState<string | null>(null);
  const dialog = useRef<HTMLDivElement>(null);
  useFocusTrap(dialog);

  useEffect(() => {
    dialog.current?.focus();
    const onKey = (e: KeyboardEvent) => {
      if (e.key === 'Escape') onClose();
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [onClose]);

  return (
    <div className="tag-modal-backdrop" onClick={onClose}>
      <div
        className="tag-modal"
        role="dialog"
        aria-modal="true"
        aria-label="Your own classifier"
        tabIndex={-1}
        ref={dialog}
        onClick={(e) => e.stopPropagation()}
      >
        <h3>Your own classifier</h3>
        <p className="muted">
          A TF.js layers or graph model with an [n,h,w,3] input and an [n,K] output: select its
          model.json, all its weight files (.bin) and a labels file (labels.txt, one per line, or
          metadata.json with "labels"). It is kept in this browser only.
        </p>
        <div className="field">
          <label htmlFor={ids.files}>Model files</label>
          <input
            id={ids.files}
            type="file"
            multiple
            data-testid="tag-user-model-input"
            onChange={(e) => setFiles(Array.from(e.target.files ?? []))}
          />
          <small>{files.length ? files.map((f) => f.name).join(', ') : 'none chosen'}</small>
        </div>
        <div className="field">
          <label htmlFor={ids.range}>
            Input value range (used unless metadata.json states one)
          </label>
          <select id={ids.range} value={range} onChange={(e) => setRange(e.target.value)}>
            <option value="-1,1">[-1, 1] (Keras MobileNet, Teachable Machine)</option>
            <option value="0,1">[0, 1] (TF Hub image models)</option>
            <option value="0,255">[0, 255] (raw pixels)</option>
          </select>
        </div>
        {error && (
          <p className="error" role="alert">
            {error}
          </p>
        )}
        {done && <p className="ok">{done}</p>}
        <div className="tag-modal-actions">
          <button
            disabled={!files.length || busy}
            onClick={() => {
              setBusy(true);
              setError(null);
              setDone(null);
              addUserModel(files, RANGES[range])
                .then((id) => setDone(`Added and selected: ${id}`))
                .catch((e: Error) => setError(e.message))
                .finally(() => setBusy(false));
            }}
          >
            {busy ? 'Checking…' : 'Add model'}
          </button>
          <button onClick={onClose}>Close</button>
        </div>
        {userModels.length > 0 && (
          <>
            <h4>Stored models</h4>
            <ul className="tag-user-models">
              {userModels.map((m) => (
                <li key={m.id}>
                  <span>{m.name}</span>{' '}
                  <button
                    onClick={() => void deleteUserModel(m.id)}
                    aria-label={`Delete ${m.name}`}
                  >
                    Delete
                  </button>
                </li>
              ))}
            </ul>
          </>
        )}
      </div>
    </div>
  );
}
