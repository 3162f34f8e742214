/** Human-readable class names for the catalog's label sets. */
import { IMAGENET_CLASSES } from '@tensorflow-models/mobilenet/dist/imagenet_classes';
import wnids from './imagenet-wnids.json';

/** The 1000 ILSVRC-2012 wnids in the models' output order (sorted), a public fact table. */
export const IMAGENET_WNIDS: readonly string[] = wnids;

/** ImageNet names in output order; the short name is the first synonym ("tench, Tinca tinca" → "tench"). */
export const IMAGENET_NAMES: readonly string[] = Array.from(
  { length: 1000 },
  (_, i) => IMAGENET_CLASSES[i],
);

export function shortName(label: string): string {
  return label.split(',')[0].trim();
}

/** Class index for a wnid, or -1. */
export function wnidIndex(wnid: string): number {
  return IMAGENET_WNIDS.indexOf(wnid);
}
