/** Pure evaluation metrics: accuracy, confusion matrix, per-class precision and recall. */
import type { ClassMetrics, EvalReport } from './types';

export function confusionMatrix(
  truth: readonly number[],
  pred: readonly number[],
  numClasses: number,
): number[][] {
  const m = Array.from({ length: numClasses }, () => new Array<number>(numClasses).fill(0));
  truth.forEach((t, i) => {
    m[t][pred[i]]++;
  });
  return m;
}

export function perClassMetrics(confusion: number[][]): ClassMetrics[] {
  const k = confusion.length;
  return confusion.map((row, c) => {
    const tp = row[c];
    const support = row.reduce((a, b) => a + b, 0);
    let predicted = 0;
    for (let r = 0; r < k; r++) predicted += confusion[r][c];
    return {
      precision: predicted ? tp / predicted : 0,
      recall: support ? tp / support : 0,
      support,
    };
  });
}

export function argmax(row: ArrayLike<number>): number {
  let best = 0;
  for (let i = 1; i < row.length; i++) if (row[i] > row[best]) best = i;
  return best;
}

/** Builds the report from per-sample probabilities (row-major [n, K]). */
export function evaluate(
  probs: ArrayLike<number>,
  truth: readonly number[],
  sampleIds: readonly string[],
  labels: string[],
): EvalReport {
  const k = labels.length;
  const pred: number[] = [];
  const misclassified: EvalReport['misclassified'] = [];
  truth.forEach((t, i) => {
    const row = Array.from({ length: k }, (_, c) => probs[i * k + c]);
    const p = argmax(row);
    pred.push(p);
    if (p !== t)
      misclassified.push({
        sampleId: sampleIds[i],
        trueIndex: t,
        predIndex: p,
        confidence: row[p],
      });
  });
  const confusion = confusionMatrix(truth, pred, k);
  const correct = truth.filter((t, i) => pred[i] === t).length;
  return {
    accuracy: truth.length ? correct / truth.length : 0,
    labels,
    perClass: perClassMetrics(confusion),
    confusion,
    misclassified,
    n: truth.length,
  };
}
