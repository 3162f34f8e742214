/** Pure edits of an image's tags and review state; every edit is also logged on the record. */
import type { EditAction, Prediction, Tag, TagImage } from './types';

export function tagsFromPredictions(preds: readonly Prediction[]): Tag[] {
  return preds.map((p) => ({ label: p.label, score: p.score, source: 'model' as const }));
}

const log = (img: TagImage, action: EditAction, value: string | undefined, at: number) => [
  ...img.edits,
  value === undefined ? { action, at } : { action, value, at },
];

export function accept(img: TagImage, at = Date.now()): TagImage {
  if (img.review === 'accepted') return img;
  return { ...img, review: 'accepted', edits: log(img, 'accept', undefined, at) };
}

export function reject(img: TagImage, at = Date.now()): TagImage {
  if (img.review === 'rejected') return img;
  return { ...img, review: 'rejected', edits: log(img, 'reject', undefined, at) };
}

export function unreview(img: TagImage, at = Date.now()): TagImage {
  if (img.review === 'unreviewed') return img;
  return { ...img, review: 'unreviewed', edits: log(img, 'unreview', undefined, at) };
}

export function rename(img: TagImage, name: string, at = Date.now()): TagImage {
  const clean = name.trim();
  const next = clean && clean !== img.name ? clean : undefined;
  if (next === img.rename) return img;
  return { ...img, rename: next, edits: log(img, 'rename', clean || img.name, at) };
}

/** Adds a hand tag (first position: a hand tag is what the user says the image is). */
export function addTag(img: TagImage, label: string, at = Date.now()): TagImage {
  const clean = label.trim();
  if (!clean || img.tags.some((t) => t.label === clean && t.source === 'user')) return img;
  return {
    ...img,
    tags: [
      { label: clean, score: null, source: 'user' },
      ...img.tags.filter((t) => t.label !== clean),
    ],
    edits: log(img, 'add-tag', clean, at),
  };
}

export function removeTag(img: TagImage, label: string, at = Date.now()): TagImage {
  if (!img.tags.some((t) => t.label === label)) return img;
  return {
    ...img,
    tags: img.tags.filter((t) => t.label !== label),
    edits: log(img, 'remove-tag', label, at),
  };
}

/** New model results replace the model's tags but keep the user's own tags and review. */
export function withPredictions(
  img: TagImage,
  preds: readonly Prediction[],
  model: { id: string; version: string },
): TagImage {
  const user = img.tags.filter((t) => t.source === 'user');
  const removed = new Set(img.edits.filter((e) => e.action === 'remove-tag').map((e) => e.value));
  const modelTags = tagsFromPredictions(preds).filter(
    (t) => !removed.has(t.label) && !user.some((u) => u.label === t.label),
  );
  return {
    ...img,
    status: 'done',
    error: undefined,
    predictions: [...preds],
    tags: [...user, ...modelTags],
    model,
  };
}

export const displayName = (img: TagImage) => img.rename ?? img.name;
