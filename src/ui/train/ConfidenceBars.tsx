/** Per-class confidence bars for one prediction. */
export function ConfidenceBars({
  labels,
  colors,
  probs,
}: {
  labels: string[];
  colors: string[];
  probs: number[];
}) {
  const best = probs.indexOf(Math.max(...probs));
  return (
    <ul className="bars" aria-label="Class confidences">
      {labels.map((l, i) => (
        <li key={l + i} className={i === best ? 'best' : ''}>
          <span className="bar-label">{l}</span>
          <span className="bar">
            <span
              style={{
                width: `${(100 * (probs[i] ?? 0)).toFixed(1)}%`,
                background: colors[i] ?? '#4cc9f0',
              }}
            />
          </span>
          <span className="bar-value">{(100 * (probs[i] ?? 0)).toFixed(1)}%</span>
        </li>
      ))}
    </ul>
  );
}
