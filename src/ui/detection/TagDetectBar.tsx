import { useEffect, useMemo } from 'react';
import { useApp, selectDetection, selectDetectionRun, selectSettings } from '../../store';
import { selectTagImages } from '../../store';
import { catalogEntry } from '../../models/catalog';
import { ClassFilter } from './ClassFilter';
import { ClassCounts, countByClass } from './ClassCounts';
import { startTagDetection } from './tagDetect';
import './detection.css';

/**
 * The Tag workspace's detection bar: the Detect toggle, which detector runs (chosen in
 * Settings, with the score threshold and box limit), progress, the class filter and per-class
 * counts of the boxes on the photos.
 */
export function TagDetectBar() {
  const prefs = useApp(selectDetection);
  const run = useApp(selectDetectionRun);
  const settings = useApp(selectSettings);
  const images = useApp(selectTagImages);
  const setDetection = useApp((s) => s.setDetection);

  useEffect(() => startTagDetection(), []);

  const counts = useMemo(
    () => countByClass(Object.values(images).flatMap((i) => i.boxes ?? [])),
    [images],
  );
  const detectorName = catalogEntry(settings.detectorId).name;

  return (
    <div className="det-bar" data-testid="tag-detect-bar">
      <label className="det-toggle">
        <input
          type="checkbox"
          checked={prefs.tagDetect}
          data-testid="tag-detect-toggle"
          onChange={(e) => setDetection({ tagDetect: e.target.checked })}
        />
        Detect objects
      </label>
      <span className="muted" data-testid="tag-detect-status" aria-live="polite">
        {run?.error
          ? `Detector failed: ${run.error}`
          : run
            ? `${detectorName}: ${run.done}/${run.total}`
            : prefs.tagDetect
              ? `${detectorName}, score > ${settings.minScore.toFixed(2)}, ≤ ${settings.maxResults} boxes`
              : 'off'}
      </span>
      {prefs.tagDetect && (
        <>
          <ClassFilter />
          <ClassCounts counts={counts} />
        </>
      )}
    </div>
  );
}
