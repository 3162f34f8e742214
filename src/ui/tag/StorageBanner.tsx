import { useApp, selectTagStorage } from '../../store';
import { download, exportJsonText } from '../../tagging/actions';

const stamp = () => new Date().toISOString().slice(0, 19).replace(/[:T]/g, '-');

/** Storage full or unavailable: the session lives in this tab; the export is one click away. */
export function StorageBanner() {
  const storage = useApp(selectTagStorage);
  if (storage.state === 'ok') return null;
  return (
    <div className="tag-banner error" role="alert" data-testid="tag-storage">
      <span>{storage.message}</span>{' '}
      <button
        data-testid="tag-storage-export"
        onClick={() =>
          download(exportJsonText(), `ocellus-tags-${stamp()}.json`, 'application/json')
        }
      >
        Export JSON now
      </button>
    </div>
  );
}
