/**
 * Temporal smoothing of class labels: an exponential moving average per label, so a label that
 * wins one frame out of three does not flicker in and out. `strength` s in [0, 1): the smoothed
 * value is s * previous + (1 - s) * new; 0 turns smoothing off. A label absent from a result
 * counts as probability 0 for that step and is forgotten once it falls below `floor`.
 */
export interface LabelScore {
  label: string;
  probability: number;
}

export function ema(prev: number, next: number, strength: number): number {
  return strength * prev + (1 - strength) * next;
}

export class LabelSmoother {
  private values = new Map<string, number>();

  constructor(
    private strength: number,
    private readonly floor = 0.005,
  ) {
    this.setStrength(strength);
  }

  setStrength(s: number): void {
    this.strength = Math.min(0.99, Math.max(0, s));
  }

  /** Folds in one result (top-k list) and returns the smoothed top `k`, best first. */
  update(preds: readonly LabelScore[], k = preds.length): LabelScore[] {
    const seen = new Set<string>();
    for (const p of preds) {
      seen.add(p.label);
      const prev = this.values.get(p.label);
      // A label seen for the first time starts from 0, as if it had been absent before.
      this.values.set(p.label, ema(prev ?? 0, p.probability, this.strength));
    }
    for (const [label, v] of this.values) {
      if (seen.has(label)) continue;
      const next = ema(v, 0, this.strength);
      if (next < this.floor) this.values.delete(label);
      else this.values.set(label, next);
    }
    return this.top(k);
  }

  top(k: number): LabelScore[] {
    return [...this.values]
      .map(([label, probability]) => ({ label, probability }))
      .sort((a, b) => b.probability - a.probability)
      .slice(0, k);
  }

  reset(): void {
    this.values.clear();
  }
}
