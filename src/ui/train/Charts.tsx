/** Live per-epoch loss and accuracy charts (train and validation), plain SVG. */
import type { EpochLog } from '../../training/types';

interface Series {
  name: string;
  color: string;
  dashed?: boolean;
  values: (number | undefined)[];
}

function LineChart({
  title,
  series,
  yMax,
  n,
  marker,
}: {
  title: string;
  series: Series[];
  yMax: number;
  n: number;
  marker?: number;
}) {
  const W = 320;
  const H = 150;
  const pad = { l: 34, r: 8, t: 8, b: 20 };
  const x = (i: number) => pad.l + (n <= 1 ? 0 : (i / (n - 1)) * (W - pad.l - pad.r));
  const y = (v: number) => pad.t + (1 - Math.min(v, yMax) / yMax) * (H - pad.t - pad.b);
  return (
    <figure className="train-chart">
      <figcaption>{title}</figcaption>
      <svg viewBox={`0 0 ${W} ${H}`} role="img" aria-label={`${title} chart over ${n} epochs`}>
        {[0, 0.5, 1].map((f) => (
          <g key={f}>
            <line x1={pad.l} x2={W - pad.r} y1={y(f * yMax)} y2={y(f * yMax)} className="grid" />
            <text x={pad.l - 4} y={y(f * yMax) + 4} textAnchor="end">
              {(f * yMax).toFixed(yMax >= 10 ? 0 : 1)}
            </text>
          </g>
        ))}
        <text x={W - pad.r} y={H - 4} textAnchor="end">
          epoch {n}
        </text>
        {marker !== undefined && n > 1 && (
          <line x1={x(marker)} x2={x(marker)} y1={pad.t} y2={H - pad.b} className="marker" />
        )}
        {series.map((s) => {
          const pts = s.values
            .map((v, i) => (v === undefined ? null : `${x(i).toFixed(1)},${y(v).toFixed(1)}`))
            .filter(Boolean);
          return (
            <polyline
              key={s.name}
              points={pts.join(' ')}
              fill="none"
              stroke={s.color}
              strokeWidth={2}
              strokeDasharray={s.dashed ? '5 3' : undefined}
            />
          );
        })}
      </svg>
      <div className="legend">
        {series.map((s) => (
          <span key={s.name}>
            <i style={{ background: s.color }} /> {s.name}
          </span>
        ))}
      </div>
    </figure>
  );
}

export function TrainingCharts({ history }: { history: EpochLog[] }) {
  if (!history.length) return null;
  const n = history.length;
  const maxLoss = Math.max(0.5, ...history.flatMap((h) => [h.loss, h.valLoss ?? 0]));
  const ftStart = history.findIndex((h) => h.phase === 'finetune');
  return (
    <div className="train-charts" data-testid="train-charts">
      <LineChart
        title="Loss"
        n={n}
        yMax={Math.ceil(maxLoss * 10) / 10}
        marker={ftStart >= 0 ? ftStart : undefined}
        series={[
          { name: 'train', color: '#4cc9f0', values: history.map((h) => h.loss) },
          {
            name: 'validation',
            color: '#f2cc60',
            dashed: true,
            values: history.map((h) => h.valLoss),
          },
        ]}
      />
      <LineChart
        title="Accuracy"
        n={n}
        yMax={1}
        marker={ftStart >= 0 ? ftStart : undefined}
        series={[
          { name: 'train', color: '#4cc9f0', values: history.map((h) => h.acc) },
          {
            name: 'validation',
            color: '#f2cc60',
            dashed: true,
            values: history.map((h) => h.valAcc),
          },
        ]}
      />
    </div>
  );
}
