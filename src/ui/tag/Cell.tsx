import { memo } from 'react';
import { useApp, selectTagImage } from '../../store';
import { useThumbUrl } from '../../tagging/thumbs';
import { displayName } from '../../tagging/edits';
import { BoxOverlay } from './BoxOverlay';
import { pct, visibleName } from './format';

interface Props {
  id: string;
  selected: boolean;
  focused: boolean;
  onPointer: (id: string, e: React.MouseEvent) => void;
  onOpen: (id: string) => void;
}

/** One gallery tile. The name is rendered as text (React escapes it), never as markup. */
export const Cell = memo(function Cell({ id, selected, focused, onPointer, onOpen }: Props) {
  const img = useApp(selectTagImage(id));
  const url = useThumbUrl(id, Boolean(img?.hasThumb));
  if (!img) return null;
  const name = visibleName(displayName(img));
  return (
    <div
      id={`tag-cell-${id}`}
      role="option"
      aria-selected={selected}
      className={`tag-cell${selected ? ' selected' : ''}${focused ? ' focused' : ''} ${img.status} review-${img.review}`}
      data-testid="tag-cell"
      data-name={img.name}
      data-status={img.status}
      onClick={(e) => onPointer(id, e)}
      onDoubleClick={() => onOpen(id)}
    >
      <div className="tag-thumb">
        {url ? <img src={url} alt="" draggable={false} /> : <div className="tag-thumb-empty" />}
        {img.boxes && img.width && img.height && (
          <BoxOverlay boxes={img.boxes} width={img.width} height={img.height} labels={false} />
        )}
        {img.review !== 'unreviewed' && (
          <span className={`tag-badge ${img.review}`} title={img.review}>
            {img.review === 'accepted' ? '✓' : '✗'}
          </span>
        )}
      </div>
      <div className="tag-name" title={visibleName(img.path)}>
        {name}
      </div>
      {img.status === 'queued' && <div className="muted">queued…</div>}
      {img.status === 'error' && (
        <div className="tag-error" data-testid="tag-cell-error">
          {img.error?.message ?? 'failed'}
        </div>
      )}
      {img.status === 'done' && (
        <ul className="tag-tags" data-testid="tag-cell-tags">
          {img.tags.slice(0, 3).map((t) => (
            <li key={t.label} className={t.source === 'user' ? 'user' : ''}>
              <span className="label">{t.label.split(',')[0]}</span>
              {t.score !== null && <span className="score">{pct(t.score)}</span>}
            </li>
          ))}
          {img.boxes && img.boxes.length > 0 && <li className="boxes">{img.boxes.length} boxes</li>}
        </ul>
      )}
    </div>
  );
});
