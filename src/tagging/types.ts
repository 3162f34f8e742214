/** The Tag workspace's data model: one record per dropped file. */
import type { DecodeErrorCode } from '../sources/decodeFormat';

/** A detection box in source pixels (same shape as the detector's output, flattened). */
export interface ImageBox {
  x: number;
  y: number;
  width: number;
  height: number;
  label: string;
  /** COCO80 class id. */
  classId: number;
  score: number;
}

export interface Prediction {
  label: string;
  /** Index in the model's label list. */
  index: number;
  score: number;
}

/** A tag shown on the image: from the model (with its score) or added by hand (score null). */
export interface Tag {
  label: string;
  score: number | null;
  source: 'model' | 'user';
}

export type Review = 'unreviewed' | 'accepted' | 'rejected';

export type EditAction = 'accept' | 'reject' | 'unreview' | 'rename' | 'add-tag' | 'remove-tag';

export interface Edit {
  action: EditAction;
  value?: string;
  at: number;
}

export type ImageStatus = 'queued' | 'done' | 'error';

export interface TagImage {
  id: string;
  /** File name as dropped; shown as text only. */
  name: string;
  /** Path inside a dropped folder, or the name. */
  path: string;
  size: number;
  type: string;
  lastModified: number;
  addedAt: number;
  status: ImageStatus;
  error?: { code: DecodeErrorCode | 'model'; message: string };
  width?: number;
  height?: number;
  format?: string;
  /** The classifier's top-k, untouched by edits. */
  predictions: Prediction[];
  /** What the image is tagged with now: predictions after the user's edits. */
  tags: Tag[];
  review: Review;
  /** A name the user gave the image (the file keeps its own name). */
  rename?: string;
  edits: Edit[];
  boxes?: ImageBox[];
  model?: { id: string; version: string };
  hasThumb: boolean;
}

export const TOP_SCORE = (img: TagImage): number => {
  const model = img.tags.find((t) => t.source === 'model');
  return model?.score ?? img.predictions[0]?.score ?? 0;
};
