import type { HudSnapshot } from '../../pipeline/loop';
import { formatBytes } from '../shell/format';

function fmt(v: number, digits = 1): string {
  if (!Number.isFinite(v)) return '–';
  // A detector on a software GPU can run at 0.02 fps: keep two significant digits there.
  return v > 0 && v < 1 && digits > 0 ? v.toPrecision(2) : v.toFixed(digits);
}

/** Latency over the last results as an SVG polyline, scaled to its own max. */
function Sparkline({ values }: { values: number[] }) {
  const w = 120;
  const h = 28;
  if (values.length < 2) return <svg width={w} height={h} aria-hidden />;
  const max = Math.max(...values, 1);
  const pts = values
    .map(
      (v, i) =>
        `${((i / (values.length - 1)) * w).toFixed(1)},${(h - (v / max) * (h - 2) - 1).toFixed(1)}`,
    )
    .join(' ');
  return (
    <svg width={w} height={h} viewBox={`0 0 ${w} ${h}`} aria-hidden className="spark">
      <polyline points={pts} fill="none" stroke="var(--accent)" strokeWidth="1.5" />
    </svg>
  );
}

/** The live heads-up display: rates, latency, where inference runs and its memory. */
export function Hud({ hud }: { hud: HudSnapshot }) {
  const m = hud.memory;
  return (
    <div className="live-hud" data-testid="live-hud" role="group" aria-label="Live performance">
      <div>
        display <b data-testid="hud-display-fps">{fmt(hud.displayFps, 0)}</b> fps · camera{' '}
        {fmt(hud.cameraFps, 0)} fps
      </div>
      <div>
        inference <b data-testid="hud-inference-fps">{fmt(hud.inferenceFps)}</b> fps
      </div>
      <div>
        latency p50 <b data-testid="hud-p50">{fmt(hud.latencyP50, 0)}</b> ms · p95{' '}
        <b data-testid="hud-p95">{fmt(hud.latencyP95, 0)}</b> ms
      </div>
      <Sparkline values={hud.sparkline} />
      <div data-testid="hud-backend">
        {hud.backend ?? '…'} · {hud.where === 'worker' ? 'worker' : 'main thread'}
      </div>
      <div data-testid="hud-memory">
        {m
          ? `${m.numTensors} tensors · ${m.numBytesInGPU !== undefined ? `GPU ${formatBytes(m.numBytesInGPU)}` : formatBytes(m.numBytes)}`
          : '–'}
      </div>
      <div className="muted">
        {hud.counts.sent} sent · {hud.counts.dropped} dropped
      </div>
    </div>
  );
}
