import { useCallback, useEffect, useLayoutEffect, useMemo, useRef, useState } from 'react';
import {
  useApp,
  selectTagFocus,
  selectTagImages,
  selectTagOrder,
  selectTagSelection,
  selectTagView,
} from '../../store';
import { visibleIds } from '../../tagging/view';
import { acceptImages, rejectImages, removeImages } from '../../tagging/actions';
import { Cell } from './Cell';

const CELL_W = 196;
const CELL_H = 262;
const OVERSCAN_ROWS = 2;

/**
 * The virtualised gallery: only the rows on screen (plus a margin) are rendered, so 1,000 or
 * 10,000 images cost the same. Keyboard: arrows/Home/End/PageUp/PageDown move, Shift extends the
 * selection, Space toggles, Ctrl+A selects all, Enter opens, A accepts, R rejects, Delete removes.
 */
export function Gallery() {
  const images = useApp(selectTagImages);
  const order = useApp(selectTagOrder);
  const view = useApp(selectTagView);
  const selection = useApp(selectTagSelection);
  const focus = useApp(selectTagFocus);
  const setSelection = useApp((s) => s.tagSetSelection);
  const setFocus = useApp((s) => s.tagSetFocus);
  const setLarge = useApp((s) => s.tagSetLarge);
  const ids = useMemo(() => visibleIds(images, order, view), [images, order, view]);
  const box = useRef<HTMLDivElement>(null);
  const [size, setSize] = useState({ width: 800, height: 600 });
  const [scrollTop, setScrollTop] = useState(0);
  const anchor = useRef<string | null>(null);

  useLayoutEffect(() => {
    const el = box.current;
    if (!el) return;
    const ro = new ResizeObserver(() =>
      setSize({ width: el.clientWidth, height: el.clientHeight }),
    );
    ro.observe(el);
    setSize({ width: el.clientWidth, height: el.clientHeight });
    return () => ro.disconnect();
  }, []);

  const cols = Math.max(1, Math.floor(size.width / CELL_W));
  const rows = Math.ceil(ids.length / cols);
  const first = Math.max(0, Math.floor(scrollTop / CELL_H) - OVERSCAN_ROWS);
  const last = Math.min(rows, Math.ceil((scrollTop + size.height) / CELL_H) + OVERSCAN_ROWS);
  const shown = ids.slice(first * cols, last * cols);
  const selected = useMemo(() => new Set(selection), [selection]);

  const focusIndex = focus ? ids.indexOf(focus) : -1;

  // Keep the focused tile on screen.
  useEffect(() => {
    const el = box.current;
    if (!el || focusIndex < 0) return;
    const top = Math.floor(focusIndex / cols) * CELL_H;
    if (top < el.scrollTop) el.scrollTop = top;
    else if (top + CELL_H > el.scrollTop + el.clientHeight)
      el.scrollTop = top + CELL_H - el.clientHeight;
  }, [focusIndex, cols]);

  const rangeBetween = useCallback(
    (a: string, b: string) => {
      const i = ids.indexOf(a);
      const j = ids.indexOf(b);
      if (i < 0 || j < 0) return [b];
      return ids.slice(Math.min(i, j), Math.max(i, j) + 1);
    },
    [ids],
  );

  const onPointer = useCallback(
    (id: string, e: React.MouseEvent) => {
      box.current?.focus({ preventScroll: true });
      setFocus(id);
      const current = useApp.getState().tagSelection;
      if (e.shiftKey && anchor.current) setSelection(rangeBetween(anchor.current, id));
      else if (e.ctrlKey || e.metaKey) {
        anchor.current = id;
        setSelection(current.includes(id) ? current.filter((x) => x !== id) : [...current, id]);
      } else {
        anchor.current = id;
        setSelection([id]);
      }
    },
    [rangeBetween, setFocus, setSelection],
  );

  const onOpen = useCallback((id: string) => setLarge(id), [setLarge]);

  const onKey = (e: React.KeyboardEvent) => {
    if (!ids.length) return;
    const at = focusIndex < 0 ? 0 : focusIndex;
    const pageRows = Math.max(1, Math.floor(size.height / CELL_H));
    const moves: Record<string, number> = {
      ArrowRight: at + 1,
      ArrowLeft: at - 1,
      ArrowDown: at + cols,
      ArrowUp: at - cols,
      Home: 0,
      End: ids.length - 1,
      PageDown: at + pageRows * cols,
      PageUp: at - pageRows * cols,
    };
    const targets = () => (selection.length ? selection : focus ? [focus] : []);
    if (e.key in moves) {
      e.preventDefault();
      const next = ids[Math.max(0, Math.min(ids.length - 1, focusIndex < 0 ? 0 : moves[e.key]))];
      setFocus(next);
      if (e.shiftKey) {
        anchor.current ??= ids[at];
        setSelection(rangeBetween(anchor.current, next));
      } else if (!e.ctrlKey && !e.metaKey) anchor.current = next;
      return;
    }
    const key = e.key.length === 1 ? e.key.toLowerCase() : e.key;
    if (key === ' ' && focus) {
      e.preventDefault();
      anchor.current = focus;
      setSelection(
        selected.has(focus) ? selection.filter((x) => x !== focus) : [...selection, focus],
      );
    } else if (key === 'a' && (e.ctrlKey || e.metaKey)) {
      e.preventDefault();
      setSelection(ids);
    } else if (key === 'Enter' && focus) {
      e.preventDefault();
      setLarge(focus);
    } else if (key === 'Escape' && selection.length) {
      e.stopPropagation();
      setSelection([]);
    } else if (key === 'a' && !e.ctrlKey && !e.metaKey) acceptImages(targets());
    else if (key === 'r' && !e.ctrlKey && !e.metaKey) rejectImages(targets());
    else if (key === 'Delete' && targets().length) removeImages(targets());
  };

  return (
    <div
      ref={box}
      className="tag-gallery"
      role="listbox"
      aria-label={`Images (${ids.length} shown)`}
      aria-multiselectable="true"
      aria-activedescendant={focus && focusIndex >= 0 ? `tag-cell-${focus}` : undefined}
      tabIndex={0}
      data-testid="tag-gallery"
      onScroll={(e) => setScrollTop(e.currentTarget.scrollTop)}
      onKeyDown={onKey}
      onFocus={() => {
        if (!focus && ids.length) setFocus(ids[0]);
      }}
    >
      {ids.length === 0 && <p className="muted tag-none">No image matches this view.</p>}
      <div style={{ height: rows * CELL_H, position: 'relative' }}>
        <div
          className="tag-grid"
          style={{
            transform: `translateY(${first * CELL_H}px)`,
            gridTemplateColumns: `repeat(${cols}, ${CELL_W - 12}px)`,
            gridAutoRows: `${CELL_H - 12}px`,
          }}
        >
          {shown.map((id) => (
            <Cell
              key={id}
              id={id}
              selected={selected.has(id)}
              focused={id === focus}
              onPointer={onPointer}
              onOpen={onOpen}
            />
          ))}
        </div>
      </div>
    </div>
  );
}
