/**
 * Train: make a classifier from your own photos or webcam frames on this device. Data (classes,
 * samples) → model settings → train with live charts → evaluation → use → keep and share.
 */
import { useEffect, useMemo, useState } from 'react';
import { useApp, selectTrain } from '../../store';
import { addClass, cancelTraining, initProject, train } from '../../training/project';
import { dataWarnings } from '../../training/split';
import { ClassCard } from './ClassCard';
import { SettingsForm } from './SettingsForm';
import { TrainingCharts } from './Charts';
import { Evaluation } from './Evaluation';
import { UsePanel } from './UsePanel';
import { SharePanel } from './SharePanel';
import { TagImport } from './TagImport';
import { useWebcam } from './useWebcam';
import { Announcer, useAnnouncement } from '../a11y/Announcer';
import { StorageWarning } from './StorageWarning';
import './train.css';

export function TrainWorkspace() {
  const t = useApp(selectTrain);
  const notify = useApp((s) => s.notify);
  const {
    videoRef,
    on: camOn,
    error: camError,
    start: camStart,
    stop: camStop,
    grab,
  } = useWebcam();
  const [rate, setRate] = useState(5);
  const [burst, setBurst] = useState(10);
  useEffect(() => {
    void initProject();
  }, []);
  const busy = t.status !== 'idle' && t.status !== 'loading';
  const counts = useMemo(
    () =>
      t.classes.map((c) => ({
        name: c.name,
        count: t.samples.filter((s) => s.classId === c.id).length,
      })),
    [t.classes, t.samples],
  );
  const warnings = dataWarnings(counts);
  const last = t.history[t.history.length - 1];
  const statusText =
    t.status === 'idle'
      ? t.lastRun
        ? `${t.lastRun.cancelled ? 'Cancelled' : 'Done'}: ${t.lastRun.epochs} epochs, ${(t.lastRun.embedSeconds + t.lastRun.trainSeconds).toFixed(1)} s`
        : ''
      : t.progress
        ? `${t.progress.label} ${t.progress.done}/${t.progress.total}`
        : t.status === 'training' && last
          ? `Epoch ${last.epoch}: loss ${last.loss.toFixed(3)}${last.valAcc !== undefined ? `, val acc ${(100 * last.valAcc).toFixed(0)}%` : ''}`
          : `${t.status}…`;
  const onTrain = async () => {
    try {
      await train();
    } catch (e) {
      notify('error', (e as Error).message);
    }
  };
  if (!t.ready) {
    return (
      <section aria-label="Train" className="ws train">
        <h2>Train</h2>
        <p className="muted">Opening the saved project…</p>
      </section>
    );
  }
  return (
    <section aria-label="Train" className="ws train">
      <h2>Train</h2>
      {t.error && (
        <p className="err" role="alert">
          {t.error}
        </p>
      )}
      {t.storage && <StorageWarning message={t.storage} />}
      <div className="train-grid">
        <div className="train-data">
          <h3>Data</h3>
          <div className="toolbar">
            <button onClick={() => void addClass()} disabled={busy}>
              Add class
            </button>
            {camOn ? (
              <button onClick={camStop}>Stop webcam</button>
            ) : (
              <button onClick={() => void camStart()}>Use webcam</button>
            )}
            {camOn && (
              <>
                <label className="field inline">
                  <span>rate/s</span>
                  <input
                    type="number"
                    min={1}
                    max={30}
                    value={rate}
                    onChange={(e) => setRate(Math.max(1, Number(e.target.value) || 1))}
                  />
                </label>
                <label className="field inline">
                  <span>burst</span>
                  <input
                    type="number"
                    min={1}
                    max={100}
                    value={burst}
                    onChange={(e) => setBurst(Math.max(1, Number(e.target.value) || 1))}
                  />
                </label>
              </>
            )}
            <TagImport classes={t.classes} busy={busy} />
          </div>
          {camError && <p className="err">{camError}</p>}
          <video
            ref={videoRef}
            className={camOn ? 'webcam' : 'webcam hidden'}
            muted
            playsInline
            aria-label="Webcam preview"
          />
          {t.classes.length === 0 && (
            <p className="muted">Add a class, then drop photos on it or capture from the webcam.</p>
          )}
          <div className="classes">
            {t.classes.map((c) => (
              <ClassCard
                key={c.id}
                cls={c}
                busy={busy}
                samples={t.samples.filter((s) => s.classId === c.id)}
                capture={{ on: camOn, grab: grab, rate, burst }}
              />
            ))}
          </div>
          {warnings.length > 0 && (
            <ul className="warnings" data-testid="data-warnings">
              {warnings.map((w) => (
                <li key={w}>{w}</li>
              ))}
            </ul>
          )}
        </div>
        <div className="train-model">
          <SettingsForm s={t.settings} busy={busy} />
          <div className="toolbar">
            <button
              className="primary"
              onClick={() => void onTrain()}
              disabled={busy || t.classes.length < 2}
            >
              {t.settings.mode === 'knn' ? 'Build KNN' : 'Train'}
            </button>
            {busy && <button onClick={cancelTraining}>Cancel</button>}
            <span className="muted" data-testid="train-status">
              {statusText}
            </span>
            <StatusAnnouncer text={statusText} final={t.status === 'idle'} />
          </div>
          <TrainingCharts history={t.history} />
          {t.report && (
            <>
              <h3>Evaluation</h3>
              <Evaluation report={t.report} info={t.info} samples={t.samples} />
            </>
          )}
          {t.info && (
            <>
              <h3>Use</h3>
              <p className="muted" data-testid="active-model">
                Active model:{' '}
                {t.info.kind === 'imported'
                  ? `imported (${t.info.baseId})`
                  : `${t.info.kind} on ${t.info.baseId}`}{' '}
                — {t.info.labels.join(', ')}
              </p>
              <UsePanel info={t.info} />
            </>
          )}
          <h3>Keep and share</h3>
          <SharePanel canExport={Boolean(t.info && t.info.kind !== 'knn')} busy={busy} />
        </div>
      </div>
    </section>
  );
}

/** Training progress for screen readers: every epoch is too often, so at most every 3 s; the end at once. */
function StatusAnnouncer({ text, final }: { text: string; final: boolean }) {
  const said = useAnnouncement(text || null, text, { intervalMs: 3000, force: final });
  return <Announcer text={said} testId="train-announcer" />;
}
