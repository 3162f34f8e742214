import { useApp, selectTagRun } from '../../store';
import { cancelRun, dismissRun, pauseRun, resumeRun } from '../../tagging/actions';
import { duration } from './format';
import { Announcer, useAnnouncement } from '../a11y/Announcer';

/** Progress of the batch run: done/total, images per second, ETA, pause and cancel. */
export function RunBar() {
  const run = useApp(selectTagRun);
  if (!run) return null;
  const p = run.progress;
  const finished = p.state === 'finished' || p.state === 'cancelled';
  const processed = p.done + p.failed;
  return (
    <div className="tag-run" data-testid="tag-run" data-state={p.state}>
      <progress
        value={processed}
        max={Math.max(1, p.total)}
        aria-label="Tagging progress"
        aria-valuetext={`${processed} of ${p.total}`}
      />
      {/* Spoken through RunAnnouncer, rate-limited: this text changes with every image. */}
      <span className="tag-run-text">
        <span data-testid="tag-run-count">
          {processed} / {p.total}
        </span>
        {p.failed > 0 && <span className="warn"> · {p.failed} failed</span>}
        {!finished && (
          <>
            {' '}
            · {p.rate > 0 ? `${p.rate.toFixed(1)} images/s` : 'starting…'} · ETA{' '}
            {p.paused ? 'paused' : duration(p.etaSeconds)}
          </>
        )}
        {p.state === 'finished' && ' · done'}
        {p.state === 'cancelled' && ' · cancelled'}
      </span>
      {!finished && (
        <>
          <button onClick={() => (p.paused ? resumeRun() : pauseRun())}>
            {p.paused ? 'Resume' : 'Pause'}
          </button>
          <button onClick={cancelRun}>Cancel</button>
        </>
      )}
      {finished && (
        <button onClick={dismissRun} aria-label="Hide progress">
          ×
        </button>
      )}
    </div>
  );
}

/**
 * The run's progress for screen readers: "12 of 20 photos tagged", at most every few seconds,
 * and the end of the run at once. Always mounted, so the live region exists before it speaks.
 */
export function RunAnnouncer() {
  const run = useApp(selectTagRun);
  const p = run?.progress;
  const finished = p?.state === 'finished' || p?.state === 'cancelled';
  const processed = p ? p.done + p.failed : 0;
  const message = p
    ? `${processed} of ${p.total} photos tagged${p.failed ? `, ${p.failed} failed` : ''}${p.state === 'cancelled' ? ', cancelled' : p.state === 'finished' ? ', done' : ''}`
    : '';
  const text = useAnnouncement(p ? `${p.state}:${processed}/${p.total}` : null, message, {
    intervalMs: 3000,
    force: finished,
  });
  return <Announcer text={text} testId="tag-announcer" />;
}
