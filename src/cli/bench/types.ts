import type { BackendName } from '../../engine/backendNames';
import type { AppSession } from '../common';

/** One row of `npm run bench --json`; ratio is how many times better ours is than the reference. */
export interface BenchRow {
  workload: string;
  backend: BackendName;
  model: string;
  metric: string;
  unit: string;
  median: number;
  min: number;
  max: number;
  n: number;
  reference?: string;
  referenceMedian?: number;
  ratio?: number;
  /** Free-form extra figures (e.g. p95, tensor counts), printed under the table. */
  extra?: Record<string, number | string>;
}

export interface WorkloadContext {
  app: AppSession;
  backend: BackendName;
  /** Model ids requested with --model (empty = the workload's defaults). */
  models: string[];
  runs: number;
  warmup: number;
  log: (msg: string) => void;
}

export interface Workload {
  name: string;
  description: string;
  /** Backends this workload runs on by default. */
  backends: BackendName[];
  run: (ctx: WorkloadContext) => Promise<BenchRow[]>;
}

/** Summarises samples into a row; `higherIsBetter` decides the direction of `ratio`. */
export function summarise(
  base: Omit<BenchRow, 'median' | 'min' | 'max' | 'n'>,
  samples: number[],
): BenchRow {
  const s = [...samples].sort((a, b) => a - b);
  const m = s.length >> 1;
  const median = s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
  return { ...base, median, min: s[0], max: s[s.length - 1], n: s.length };
}

export function compare(
  ours: BenchRow,
  reference: string,
  refSamples: number[],
  higherIsBetter: boolean,
): BenchRow {
  const ref = summarise({ ...ours, metric: ours.metric }, refSamples);
  return {
    ...ours,
    reference,
    referenceMedian: ref.median,
    ratio: higherIsBetter ? ours.median / ref.median : ref.median / ours.median,
  };
}
