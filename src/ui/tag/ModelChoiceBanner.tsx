import { useApp, selectTagModelChoice, selectTagModelId, selectTagUserModels } from '../../store';
import { catalog } from '../../models/catalog';
import { chooseModel } from '../../tagging/actions';

/** The classifier being switched to: loading, or failed with a Retry (the one in use stays). */
export function ModelChoiceBanner() {
  const choice = useApp(selectTagModelChoice);
  const inUse = useApp(selectTagModelId);
  const userModels = useApp(selectTagUserModels);
  const dismiss = useApp((s) => s.tagSetModelChoice);
  if (!choice) return null;
  const name = (id: string) =>
    catalog.models.find((m) => m.id === id)?.name ??
    userModels.find((m) => m.id === id)?.name ??
    id;
  if (!choice.error) {
    return (
      <p className="tag-banner" role="status" data-testid="tag-model-loading">
        Loading {name(choice.id)}… tagging goes on with {name(inUse)} until it is ready.
      </p>
    );
  }
  return (
    <div className="tag-banner error" role="alert" data-testid="tag-model-error">
      <span>
        Could not switch to {name(choice.id)}: {choice.error} Still tagging with {name(inUse)}.
      </span>{' '}
      <button onClick={() => void chooseModel(choice.id)}>Retry</button>{' '}
      <button onClick={() => dismiss(null)}>Keep {name(inUse)}</button>
    </div>
  );
}
