export const pct = (p: number | null | undefined) =>
  p === null || p === undefined ? '' : `${(p * 100).toFixed(p >= 0.995 || p < 0.1 ? 1 : 0)}%`;

export function duration(seconds: number | null): string {
  if (seconds === null || !Number.isFinite(seconds)) return '–';
  if (seconds < 60) return `${Math.ceil(seconds)} s`;
  const m = Math.floor(seconds / 60);
  return `${m} min ${Math.round(seconds - m * 60)} s`;
}
