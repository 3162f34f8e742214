/** Pure training helpers: seeded RNG, stratified split, class weights, early stopping. */

/** mulberry32: small, fast, seedable; the same seed gives the same split and augmentations. */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A stable 32-bit hash of a string (FNV-1a), to seed per-sample augmentation. */
export function hashString(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

export function shuffle<T>(xs: T[], rand: () => number): T[] {
  const a = [...xs];
  for (let i = a.length - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    [a[i], a[j]] = [a[j], a[i]];
  }
  return a;
}

/**
 * Splits item indices so each class keeps `valFraction` of its items for validation (rounded,
 * at least one when the class has 2+ items and valFraction > 0, never all of them).
 */
export function stratifiedSplit(
  labels: readonly number[],
  valFraction: number,
  seed: number,
): { train: number[]; val: number[] } {
  const byClass = new Map<number, number[]>();
  labels.forEach((y, i) => {
    const l = byClass.get(y) ?? [];
    l.push(i);
    byClass.set(y, l);
  });
  const rand = rng(seed);
  const train: number[] = [];
  const val: number[] = [];
  for (const y of [...byClass.keys()].sort((a, b) => a - b)) {
    const idx = shuffle(byClass.get(y)!, rand);
    let nVal = valFraction > 0 ? Math.round(idx.length * valFraction) : 0;
    if (valFraction > 0 && idx.length >= 2) nVal = Math.max(1, nVal);
    nVal = Math.min(nVal, idx.length - 1);
    val.push(...idx.slice(0, Math.max(0, nVal)));
    train.push(...idx.slice(Math.max(0, nVal)));
  }
  return { train: train.sort((a, b) => a - b), val: val.sort((a, b) => a - b) };
}

/** "Balanced" weights n / (K * n_k), so every class contributes equally to the loss. */
export function classWeights(labels: readonly number[], numClasses: number): number[] {
  const counts = new Array<number>(numClasses).fill(0);
  for (const y of labels) counts[y]++;
  const n = labels.length;
  return counts.map((c) => (c > 0 ? n / (numClasses * c) : 0));
}

export interface EarlyStopState {
  best: number;
  bestEpoch: number;
  wait: number;
}

/**
 * Early stopping on a monitored loss: `improved` when it beats the best by more than minDelta
 * (the caller snapshots weights then), `stop` after `patience` epochs without improvement.
 */
export class EarlyStopping {
  state: EarlyStopState = { best: Infinity, bestEpoch: -1, wait: 0 };
  constructor(
    readonly patience: number,
    readonly minDelta = 1e-4,
  ) {}

  update(value: number, epoch: number): { improved: boolean; stop: boolean } {
    if (!Number.isFinite(value)) {
      this.state.wait++;
      return { improved: false, stop: this.state.wait >= this.patience };
    }
    if (value < this.state.best - this.minDelta) {
      this.state = { best: value, bestEpoch: epoch, wait: 0 };
      return { improved: true, stop: false };
    }
    this.state.wait++;
    return { improved: false, stop: this.state.wait >= this.patience };
  }
}

/** Warnings for the data panel: too few samples, badly unbalanced classes. */
export function dataWarnings(counts: { name: string; count: number }[], minPerClass = 5): string[] {
  const out: string[] = [];
  if (counts.length < 2) out.push('Add at least two classes to train.');
  for (const c of counts)
    if (c.count < minPerClass)
      out.push(
        `“${c.name}” has ${c.count} sample${c.count === 1 ? '' : 's'}; add at least ${minPerClass}.`,
      );
  const nonEmpty = counts.filter((c) => c.count > 0);
  if (nonEmpty.length >= 2) {
    const max = Math.max(...nonEmpty.map((c) => c.count));
    const min = Math.min(...nonEmpty.map((c) => c.count));
    if (max >= 3 * min)
      out.push(
        `Classes are unbalanced (${min} vs ${max} samples); class weights compensate, but more samples of the small classes help most.`,
      );
  }
  return out;
}
