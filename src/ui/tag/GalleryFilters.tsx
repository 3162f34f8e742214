import { useId, useMemo } from 'react';
import { useApp, selectTagImages, selectTagView } from '../../store';
import { needsReview, tagCounts, type ShowKey, type SortKey } from '../../tagging/view';

const SHOWS: { key: ShowKey; label: string }[] = [
  { key: 'all', label: 'All' },
  { key: 'review', label: 'Needs review' },
  { key: 'unreviewed', label: 'Unreviewed' },
  { key: 'accepted', label: 'Accepted' },
  { key: 'rejected', label: 'Rejected' },
  { key: 'errors', label: 'Errors' },
];

export function GalleryFilters() {
  const ids = { search: useId(), tag: useId(), sort: useId(), below: useId() };
  const images = useApp(selectTagImages);
  const view = useApp(selectTagView);
  const setView = useApp((s) => s.tagSetView);
  const facets = useMemo(() => tagCounts(images), [images]);
  const counts = useMemo(() => {
    const all = Object.values(images);
    return {
      all: all.length,
      review: all.filter((i) => needsReview(i, view.reviewBelow)).length,
      unreviewed: all.filter((i) => i.status === 'done' && i.review === 'unreviewed').length,
      accepted: all.filter((i) => i.status === 'done' && i.review === 'accepted').length,
      rejected: all.filter((i) => i.status === 'done' && i.review === 'rejected').length,
      errors: all.filter((i) => i.status === 'error').length,
      queued: all.filter((i) => i.status === 'queued').length,
    } satisfies Record<ShowKey, number>;
  }, [images, view.reviewBelow]);

  return (
    <div className="tag-filters">
      <div className="tag-shows" role="radiogroup" aria-label="Show">
        {SHOWS.map((s) => (
          <button
            key={s.key}
            role="radio"
            aria-checked={view.show === s.key}
            className={view.show === s.key ? 'on' : ''}
            data-testid={`tag-show-${s.key}`}
            onClick={() => setView({ show: s.key })}
          >
            {s.label} <span className="count">{counts[s.key]}</span>
          </button>
        ))}
      </div>
      <label htmlFor={ids.search} className="visually-hidden">
        Search names and tags
      </label>
      <input
        id={ids.search}
        type="search"
        placeholder="Search names and tags"
        value={view.search}
        data-testid="tag-search"
        onChange={(e) => setView({ search: e.target.value })}
      />
      <label htmlFor={ids.tag} className="visually-hidden">
        Filter by tag
      </label>
      <select
        id={ids.tag}
        value={view.tag ?? ''}
        data-testid="tag-filter"
        onChange={(e) => setView({ tag: e.target.value || null })}
      >
        <option value="">All tags ({facets.length})</option>
        {facets.slice(0, 500).map((f) => (
          <option key={f.label} value={f.label}>
            {f.label} ({f.count})
          </option>
        ))}
      </select>
      <label htmlFor={ids.sort} className="visually-hidden">
        Sort
      </label>
      <select
        id={ids.sort}
        value={view.sort}
        data-testid="tag-sort"
        onChange={(e) => setView({ sort: e.target.value as SortKey })}
      >
        <option value="added">Sort: order added</option>
        <option value="name">Sort: name</option>
        <option value="confidence-desc">Sort: confidence, high first</option>
        <option value="confidence-asc">Sort: confidence, low first</option>
      </select>
      <label htmlFor={ids.below} className="muted">
        Review below {Math.round(view.reviewBelow * 100)}%
      </label>
      <input
        id={ids.below}
        type="range"
        min={0.1}
        max={0.95}
        step={0.05}
        value={view.reviewBelow}
        onChange={(e) => setView({ reviewBelow: Number(e.target.value) })}
      />
    </div>
  );
}
