import { useState } from 'react';
import { download, exportProject } from '../../training/modelio';

/** Storage full or unavailable: the project lives in this tab; the .zip export is offered here. */
export function StorageWarning({ message }: { message: string }) {
  const [busy, setBusy] = useState(false);
  const [done, setDone] = useState<string | null>(null);
  return (
    <div className="err" role="alert" data-testid="train-storage">
      <span>{message}</span>{' '}
      <button
        disabled={busy}
        data-testid="train-storage-export"
        onClick={() => {
          setBusy(true);
          void exportProject()
            .then((blob) => {
              download('ocellus-project.zip', blob, 'application/zip');
              setDone(`Exported (${(blob.size / 1e6).toFixed(1)} MB).`);
            })
            .catch((e: Error) => setDone(`Export failed: ${e.message}`))
            .finally(() => setBusy(false));
        }}
      >
        Export project (.zip)
      </button>
      {done && <span> {done}</span>}
    </div>
  );
}
