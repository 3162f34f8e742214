/** Pure gallery view: filter by tag, search, status, sort — and the tag facets with counts. */
import { displayName } from './edits';
import type { TagImage } from './types';

export type SortKey = 'added' | 'name' | 'confidence-desc' | 'confidence-asc';
export type ShowKey =
  'all' | 'review' | 'unreviewed' | 'accepted' | 'rejected' | 'errors' | 'queued';

export interface TagView {
  search: string;
  tag: string | null;
  sort: SortKey;
  show: ShowKey;
  /** Model confidence below which an unreviewed image "needs review". */
  reviewBelow: number;
}

export const defaultView: TagView = {
  search: '',
  tag: null,
  sort: 'added',
  show: 'all',
  reviewBelow: 0.5,
};

/** The confidence shown and sorted on: the best model score among the current tags. */
export function confidence(img: TagImage): number {
  let best = 0;
  for (const t of img.tags)
    if (t.source === 'model' && t.score !== null && t.score > best) best = t.score;
  return best;
}

export function needsReview(img: TagImage, below: number): boolean {
  return (
    img.status === 'done' &&
    img.review === 'unreviewed' &&
    !img.tags.some((t) => t.source === 'user') &&
    confidence(img) < below
  );
}

function matchesShow(img: TagImage, v: TagView): boolean {
  switch (v.show) {
    case 'all':
      return true;
    case 'review':
      return needsReview(img, v.reviewBelow);
    case 'errors':
      return img.status === 'error';
    case 'queued':
      return img.status === 'queued';
    default:
      return img.status === 'done' && img.review === v.show;
  }
}

const collator = new Intl.Collator(undefined, { numeric: true, sensitivity: 'base' });

export function visibleIds(
  images: Readonly<Record<string, TagImage>>,
  order: readonly string[],
  v: TagView,
): string[] {
  const q = v.search.trim().toLowerCase();
  const list: TagImage[] = [];
  for (const id of order) {
    const img = images[id];
    if (!img || !matchesShow(img, v)) continue;
    if (v.tag && !primaryTags(img).includes(v.tag)) continue;
    if (
      q &&
      !displayName(img).toLowerCase().includes(q) &&
      !img.path.toLowerCase().includes(q) &&
      !img.tags.some((t) => t.label.toLowerCase().includes(q))
    )
      continue;
    list.push(img);
  }
  if (v.sort === 'name') list.sort((a, b) => collator.compare(displayName(a), displayName(b)));
  else if (v.sort === 'confidence-desc') list.sort((a, b) => confidence(b) - confidence(a));
  else if (v.sort === 'confidence-asc') list.sort((a, b) => confidence(a) - confidence(b));
  return list.map((i) => i.id);
}

/**
 * The tags an image is filed under: the user's own tags and the model's best remaining tag (the
 * runners-up of the top-k are shown, but filing every image under three labels drowns the facets).
 */
export function primaryTags(img: TagImage): string[] {
  const out = img.tags.filter((t) => t.source === 'user').map((t) => t.label);
  const model = img.tags.find((t) => t.source === 'model');
  if (model && img.review !== 'rejected') out.push(model.label);
  return out;
}

/** Every tag with how many images carry it, most frequent first. */
export function tagCounts(
  images: Readonly<Record<string, TagImage>>,
): { label: string; count: number }[] {
  const counts = new Map<string, number>();
  for (const img of Object.values(images))
    for (const label of primaryTags(img)) counts.set(label, (counts.get(label) ?? 0) + 1);
  return [...counts]
    .map(([label, count]) => ({ label, count }))
    .sort((a, b) => b.count - a.count || collator.compare(a.label, b.label));
}
