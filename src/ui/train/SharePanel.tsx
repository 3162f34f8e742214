/** Keep and share: model download, model import (Ocellus or Teachable Machine), project .zip. */
import { useState } from 'react';
import { useApp } from '../../store';
import {
  download,
  downloadModel,
  exportProject,
  importModel,
  importProject,
} from '../../training/modelio';
import { sendTrainedModelToTag } from '../../training/toTag';

export function SharePanel({ canExport, busy }: { canExport: boolean; busy: boolean }) {
  const notify = useApp((s) => s.notify);
  const [msg, setMsg] = useState<{ kind: 'ok' | 'err'; text: string } | null>(null);
  const act = async (fn: () => Promise<string>) => {
    setMsg(null);
    try {
      setMsg({ kind: 'ok', text: await fn() });
    } catch (e) {
      setMsg({ kind: 'err', text: (e as Error).message });
      notify('error', (e as Error).message);
    }
  };
  return (
    <div className="share">
      <button
        disabled={!canExport || busy}
        onClick={() =>
          void act(async () => {
            await downloadModel();
            return 'Downloaded model.json, weights.bin and metadata.json (loads with tf.loadLayersModel; the feature extractor is included).';
          })
        }
      >
        Export model
      </button>
      <button
        disabled={!canExport || busy}
        onClick={() =>
          void act(async () => {
            await sendTrainedModelToTag();
            return 'Added to Tag as one of your models and picked as its classifier.';
          })
        }
      >
        Use in Tag
      </button>
      <label className="filepick button" aria-disabled={busy}>
        Import model…
        <input
          type="file"
          multiple
          accept=".json,.bin,application/json,application/octet-stream"
          aria-label="Import a model: model.json, weights and metadata.json (Ocellus or Teachable Machine)"
          data-testid="import-model"
          disabled={busy}
          onChange={(e) => {
            const files = Array.from(e.target.files ?? []);
            e.target.value = '';
            void act(async () => {
              const info = await importModel(files);
              return `Imported a model with classes ${info.labels.join(', ')}. Try it below.`;
            });
          }}
        />
      </label>
      <button
        disabled={busy}
        onClick={() =>
          void act(async () => {
            const blob = await exportProject();
            download('ocellus-project.zip', blob, 'application/zip');
            return `Exported the project (${(blob.size / 1e6).toFixed(1)} MB).`;
          })
        }
      >
        Export project (.zip)
      </button>
      <label className="filepick button" aria-disabled={busy}>
        Import project…
        <input
          type="file"
          accept=".zip,application/zip"
          aria-label="Import a project .zip"
          data-testid="import-project"
          disabled={busy}
          onChange={(e) => {
            const f = e.target.files?.[0];
            e.target.value = '';
            if (f)
              void act(async () => {
                await importProject(f);
                return 'Project imported. The previous project was kept as a backup in this browser.';
              });
          }}
        />
      </label>
      {msg && (
        <p role="status" className={msg.kind === 'err' ? 'err' : 'ok'} data-testid="share-message">
          {msg.text}
        </p>
      )}
    </div>
  );
}
