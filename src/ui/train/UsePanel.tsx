/** Use the trained model on dropped or picked photos, with per-class confidence bars. */
import { useState } from 'react';
import { predictBlob } from '../../training/project';
import type { TrainedInfo } from '../../training/types';
import { ConfidenceBars } from './ConfidenceBars';
import { filesFromDrop, onlyImages } from './files';
import { Announcer } from '../a11y/Announcer';

/** What screen readers hear when results appear: the top class of each photo (first three). */
function announcement(results: Result[], labels: string[]): string {
  if (!results.length) return '';
  const say = (r: Result) => {
    const best = r.probs.indexOf(Math.max(...r.probs));
    return `${r.name}: ${labels[best]}, ${Math.round(100 * r.probs[best])}%`;
  };
  const more = results.length > 3 ? `, and ${results.length - 3} more` : '';
  return `${results.length} photo${results.length > 1 ? 's' : ''} classified. ${results.slice(0, 3).map(say).join('; ')}${more}`;
}

interface Result {
  name: string;
  url: string;
  probs: number[];
}

export function UsePanel({ info }: { info: TrainedInfo }) {
  const [results, setResults] = useState<Result[]>([]);
  const [error, setError] = useState<string | null>(null);
  const [over, setOver] = useState(false);
  const run = async (files: File[]) => {
    setError(null);
    const out: Result[] = [];
    try {
      for (const f of onlyImages(files)) {
        const { probs } = await predictBlob(f);
        out.push({ name: f.name, url: URL.createObjectURL(f), probs });
      }
    } catch (e) {
      setError((e as Error).message);
    }
    setResults((old) => {
      old.forEach((r) => URL.revokeObjectURL(r.url));
      return out;
    });
  };
  return (
    <div className="use-panel">
      <div
        className={over ? 'dropzone over' : 'dropzone'}
        role="group"
        aria-label="Drop photos to classify with the trained model"
        data-testid="use-drop"
        onDragOver={(e) => {
          e.preventDefault();
          setOver(true);
        }}
        onDragLeave={() => setOver(false)}
        onDrop={(e) => {
          e.preventDefault();
          setOver(false);
          void filesFromDrop(e.dataTransfer).then(run);
        }}
      >
        Drop photos here to classify them, or{' '}
        <label className="filepick">
          choose files
          <input
            type="file"
            accept="image/*"
            multiple
            onChange={(e) => void run(Array.from(e.target.files ?? []))}
          />
        </label>
      </div>
      {error && (
        <p className="err" role="alert">
          {error}
        </p>
      )}
      <Announcer text={announcement(results, info.labels)} testId="use-announcer" />
      <ul className="use-results" data-testid="use-results">
        {results.map((r) => {
          const best = r.probs.indexOf(Math.max(...r.probs));
          return (
            <li key={r.url}>
              <img src={r.url} alt={r.name} />
              <div>
                <p>
                  <strong data-testid="use-top">{info.labels[best]}</strong>{' '}
                  <span className="muted">{r.name}</span>
                </p>
                <ConfidenceBars labels={info.labels} colors={info.colors} probs={r.probs} />
              </div>
            </li>
          );
        })}
      </ul>
    </div>
  );
}
