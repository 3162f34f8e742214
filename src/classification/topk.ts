/** Pure helpers around classifier scores, shared by the Tag pipeline and the eval. */

/** Indices of the k largest values, largest first; ties keep the lower index first. */
export function topKIndices(values: ArrayLike<number>, k: number): number[] {
  const kk = Math.max(0, Math.min(k, values.length));
  const best: number[] = [];
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (best.length === kk && (kk === 0 || v <= values[best[kk - 1]])) continue;
    let at = best.length;
    while (at > 0 && values[best[at - 1]] < v) at--;
    best.splice(at, 0, i);
    if (best.length > kk) best.pop();
  }
  return best;
}

/** Top-1 and top-5 accuracy (in %) given each image's ranked class indices and its true class. */
export function accuracy(
  ranked: readonly (readonly number[])[],
  truth: readonly number[],
): { n: number; top1: number; top5: number } {
  const n = truth.length;
  if (!n) return { n: 0, top1: 0, top5: 0 };
  let t1 = 0;
  let t5 = 0;
  ranked.forEach((r, i) => {
    if (r[0] === truth[i]) t1++;
    if (r.slice(0, 5).includes(truth[i])) t5++;
  });
  return { n, top1: (100 * t1) / n, top5: (100 * t5) / n };
}
