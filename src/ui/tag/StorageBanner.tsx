import { useApp, selectTagStorage } from '../../store';

export function StorageBanner() {
  const storage = useApp(selectTagStorage);
  if (storage.state === 'ok') return null;
  return (
    <p className="tag-banner error" role="alert" data-testid="tag-storage">
      {storage.message}
    </p>
  );
}
