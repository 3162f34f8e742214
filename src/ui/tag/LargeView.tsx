import { useEffect, useId, useMemo, useRef, useState } from 'react';
import {
  useApp,
  selectTagImages,
  selectTagLarge,
  selectTagOrder,
  selectTagView,
} from '../../store';
import { useLargeUrl } from '../../tagging/thumbs';
import { displayName } from '../../tagging/edits';
import { visibleIds } from '../../tagging/view';
import {
  acceptImages,
  addTagTo,
  rejectImages,
  removeTagFrom,
  renameImage,
  unreviewImages,
} from '../../tagging/actions';
import { BoxOverlay } from './BoxOverlay';
import { useFocusTrap } from '../a11y/useFocusTrap';
import { pct, visibleName } from './format';
import { formatBytes } from '../shell/format';

/** The large view of one image: its tags and boxes, edits, and ←/→ through the current view. */
export function LargeView() {
  const id = useApp(selectTagLarge);
  const images = useApp(selectTagImages);
  const order = useApp(selectTagOrder);
  const view = useApp(selectTagView);
  const setLarge = useApp((s) => s.tagSetLarge);
  const setFocus = useApp((s) => s.tagSetFocus);
  const img = id ? images[id] : undefined;
  const ids = useMemo(() => (id ? visibleIds(images, order, view) : []), [id, images, order, view]);
  const { url, original } = useLargeUrl(id ?? '', Boolean(img?.hasThumb));
  const dialog = useRef<HTMLDivElement>(null);
  useFocusTrap(dialog, Boolean(id && img));
  const inputId = useId();
  const [tag, setTag] = useState('');
  const [name, setName] = useState<string | null>(null);

  useEffect(() => {
    if (id) dialog.current?.focus();
  }, [id]);

  if (!id || !img) return null;
  const at = ids.indexOf(id);
  const go = (d: number) => {
    const next = ids[at + d];
    if (next) {
      setLarge(next);
      setFocus(next);
      setName(null);
    }
  };
  const close = () => {
    setFocus(id);
    setLarge(null);
    document.querySelector<HTMLElement>('.tag-gallery')?.focus();
  };

  return (
    <div className="tag-modal-backdrop" onClick={close}>
      <div
        ref={dialog}
        className="tag-large"
        role="dialog"
        aria-modal="true"
        aria-label={`Image ${visibleName(displayName(img))}`}
        tabIndex={-1}
        data-testid="tag-large"
        onClick={(e) => e.stopPropagation()}
        onKeyDown={(e) => {
          const typing = (e.target as HTMLElement).tagName === 'INPUT';
          if (e.key === 'Escape') {
            e.stopPropagation();
            close();
          } else if (typing) return;
          else if (e.key === 'ArrowRight') go(1);
          else if (e.key === 'ArrowLeft') go(-1);
          else if (e.key.toLowerCase() === 'a') acceptImages([id]);
          else if (e.key.toLowerCase() === 'r') rejectImages([id]);
        }}
      >
        <div className="tag-large-image">
          {url && <img src={url} alt={visibleName(displayName(img))} />}
          {img.boxes && img.width && img.height && (
            <BoxOverlay boxes={img.boxes} width={img.width} height={img.height} />
          )}
        </div>
        <aside className="tag-large-side">
          {name === null ? (
            <h3 className="tag-large-name">{visibleName(displayName(img))}</h3>
          ) : (
            <form
              onSubmit={(e) => {
                e.preventDefault();
                renameImage(id, name);
                setName(null);
              }}
            >
              <input
                aria-label="New name"
                value={name}
                autoFocus
                onChange={(e) => setName(e.target.value)}
              />
              <button type="submit">Save</button>
            </form>
          )}
          <p className="muted">
            {visibleName(img.path)} · {formatBytes(img.size)}
            {img.width ? ` · ${img.width}×${img.height}` : ''}
            {!original && img.hasThumb
              ? ' · thumbnail (the original is not kept after a reload)'
              : ''}
          </p>
          {img.error && <p className="error">{img.error.message}</p>}
          <ul className="tag-large-tags">
            {img.tags.map((t) => (
              <li key={t.label} className={t.source}>
                <span>{t.label}</span>
                <span className="score">{t.score === null ? 'by hand' : pct(t.score)}</span>
                <button
                  aria-label={`Remove tag ${t.label}`}
                  onClick={() => removeTagFrom([id], t.label)}
                >
                  ×
                </button>
              </li>
            ))}
          </ul>
          {img.boxes && img.boxes.length > 0 && (
            <p className="muted">
              Boxes: {img.boxes.map((b) => `${b.label} ${pct(b.score)}`).join(', ')}
            </p>
          )}
          <form
            className="inline"
            onSubmit={(e) => {
              e.preventDefault();
              addTagTo([id], tag);
              setTag('');
            }}
          >
            <label htmlFor={inputId} className="visually-hidden">
              Add a tag
            </label>
            <input
              id={inputId}
              value={tag}
              placeholder="Add tag…"
              onChange={(e) => setTag(e.target.value)}
            />
            <button type="submit" disabled={!tag.trim()}>
              Add
            </button>
          </form>
          <div className="tag-large-actions">
            <button
              aria-pressed={img.review === 'accepted'}
              onClick={() =>
                img.review === 'accepted' ? unreviewImages([id]) : acceptImages([id])
              }
            >
              Accept (A)
            </button>
            <button
              aria-pressed={img.review === 'rejected'}
              onClick={() =>
                img.review === 'rejected' ? unreviewImages([id]) : rejectImages([id])
              }
            >
              Reject (R)
            </button>
            <button onClick={() => setName(displayName(img))}>Rename</button>
          </div>
          <div className="tag-large-nav">
            <button disabled={at <= 0} onClick={() => go(-1)} aria-label="Previous image">
              ←
            </button>
            <span className="muted">
              {at + 1} / {ids.length}
            </span>
            <button
              disabled={at < 0 || at >= ids.length - 1}
              onClick={() => go(1)}
              aria-label="Next image"
            >
              →
            </button>
            <button onClick={close}>Close</button>
          </div>
          {img.model && (
            <p className="muted small">
              {img.model.id} @ {img.model.version}
            </p>
          )}
        </aside>
      </div>
    </div>
  );
}
