/**
 * Box-by-box agreement of two `--dets` files (the same detector on two backends, say): for each
 * detection of `a` above a score, the closest detection of `b` in the same image and class,
 * measured as the largest difference of x, y, w, h in pixels.
 */

/** One `--dets` row: class 0-79 in config.yaml order, original pixels, x/y the top-left corner. */
export interface DetRecord {
  image: string;
  class: number;
  score: number;
  x: number;
  y: number;
  w: number;
  h: number;
}

export interface DetsAgreement {
  /** Detections above the score in each file. */
  countA: number;
  countB: number;
  /** How many of `a`'s have a same-image, same-class partner in `b` within each tolerance. */
  within: { px: number; count: number }[];
  /** `a`'s detections farthest from any partner (Infinity when there is none), worst first. */
  worst: (DetRecord & { px: number })[];
}

const boxDistance = (p: DetRecord, q: DetRecord) =>
  Math.max(Math.abs(p.x - q.x), Math.abs(p.y - q.y), Math.abs(p.w - q.w), Math.abs(p.h - q.h));

export function compareDetections(
  a: readonly DetRecord[],
  b: readonly DetRecord[],
  { minScore = 0.3, tolerances = [0.05, 0.5, 1], worst = 3 } = {},
): DetsAgreement {
  // Partners may sit just below the score in `b`, so all of b is searched.
  const byKey = new Map<string, DetRecord[]>();
  for (const q of b) {
    const key = `${q.image}|${q.class}`;
    byKey.set(key, [...(byKey.get(key) ?? []), q]);
  }
  const kept = a.filter((p) => p.score > minScore);
  const distances = kept.map((p) => ({
    ...p,
    px: Math.min(
      Infinity,
      ...(byKey.get(`${p.image}|${p.class}`) ?? []).map((q) => boxDistance(p, q)),
    ),
  }));
  return {
    countA: kept.length,
    countB: b.filter((q) => q.score > minScore).length,
    within: tolerances.map((px) => ({ px, count: distances.filter((d) => d.px <= px).length })),
    worst: [...distances].sort((p, q) => q.px - p.px).slice(0, worst),
  };
}
