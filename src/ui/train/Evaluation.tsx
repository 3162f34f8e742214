/** Validation results: accuracy, per-class precision/recall, confusion matrix, misclassified gallery. */
import type { EvalReport, TrainedInfo } from '../../training/types';
import type { SampleView } from '../../store/trainSlice';

const pct = (v: number) => `${(100 * v).toFixed(1)}%`;

export function Evaluation({
  report,
  info,
  samples,
}: {
  report: EvalReport;
  info: TrainedInfo | null;
  samples: SampleView[];
}) {
  const byId = new Map(samples.map((s) => [s.id, s]));
  const max = Math.max(1, ...report.confusion.flat());
  if (!report.n)
    return (
      <p className="muted">
        No validation split (set a validation fraction above 0 to see metrics).
      </p>
    );
  return (
    <div className="train-eval" data-testid="train-eval">
      <p>
        Validation accuracy <strong data-testid="val-accuracy">{pct(report.accuracy)}</strong> on{' '}
        {report.n} held-out sample
        {report.n === 1 ? '' : 's'}
        {info?.bestEpoch ? ` (best epoch ${info.bestEpoch}, weights restored)` : ''}.
      </p>
      <div className="eval-row">
        <table className="metrics">
          <caption>Per class</caption>
          <thead>
            <tr>
              <th scope="col">class</th>
              <th scope="col">precision</th>
              <th scope="col">recall</th>
              <th scope="col">n</th>
            </tr>
          </thead>
          <tbody>
            {report.labels.map((l, i) => (
              <tr key={l + i}>
                <th scope="row">{l}</th>
                <td>{pct(report.perClass[i].precision)}</td>
                <td>{pct(report.perClass[i].recall)}</td>
                <td>{report.perClass[i].support}</td>
              </tr>
            ))}
          </tbody>
        </table>
        <table
          className="confusion"
          data-testid="confusion-matrix"
          aria-label="Confusion matrix: rows are true classes, columns predicted"
        >
          <caption>Confusion matrix (rows: true, columns: predicted)</caption>
          <thead>
            <tr>
              <td />
              {report.labels.map((l, i) => (
                <th scope="col" key={l + i}>
                  {l}
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {report.confusion.map((row, r) => (
              <tr key={r}>
                <th scope="row">{report.labels[r]}</th>
                {row.map((v, c) => (
                  <td
                    key={c}
                    className={r === c ? 'diag' : v ? 'off' : ''}
                    style={{ ['--a' as string]: String(v / max) }}
                  >
                    {v}
                  </td>
                ))}
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      {report.misclassified.length > 0 && (
        <>
          <h4>Misclassified ({report.misclassified.length})</h4>
          <ul className="thumbs misclassified">
            {report.misclassified.map((m) => {
              const s = byId.get(m.sampleId);
              return (
                <li key={m.sampleId}>
                  {s ? (
                    <img src={s.url} alt={`a ${report.labels[m.trueIndex]} sample`} />
                  ) : (
                    <span className="gone">deleted</span>
                  )}
                  <span>
                    {report.labels[m.trueIndex]} → <strong>{report.labels[m.predIndex]}</strong>{' '}
                    {pct(m.confidence)}
                  </span>
                </li>
              );
            })}
          </ul>
        </>
      )}
    </div>
  );
}
