/** One class: name, colour, delete, sample count, drop zone / file pickers, webcam capture, thumbnails. */
import { useRef, useState } from 'react';
import type { TrainClass } from '../../training/types';
import type { SampleView } from '../../store/trainSlice';
import { addSamples, deleteClass, deleteSamples, updateClass } from '../../training/project';
import { filesFromDrop, onlyImages } from './files';

export interface Capture {
  on: boolean;
  grab: () => Promise<Blob | null>;
  rate: number;
  burst: number;
}

export function ClassCard({
  cls,
  samples,
  capture,
  busy,
}: {
  cls: TrainClass;
  samples: SampleView[];
  capture: Capture;
  busy: boolean;
}) {
  const [over, setOver] = useState(false);
  const [recording, setRecording] = useState(false);
  const timer = useRef<ReturnType<typeof setInterval> | null>(null);
  const add = (files: File[]) => {
    const imgs = onlyImages(files);
    if (imgs.length) void addSamples(cls.id, imgs, 'file');
  };
  const grabOne = async () => {
    const b = await capture.grab();
    if (b) await addSamples(cls.id, [b], 'webcam');
  };
  const startHold = () => {
    if (!capture.on || timer.current) return;
    setRecording(true);
    void grabOne();
    timer.current = setInterval(() => void grabOne(), 1000 / Math.max(1, capture.rate));
  };
  const stopHold = () => {
    if (timer.current) clearInterval(timer.current);
    timer.current = null;
    setRecording(false);
  };
  const burst = async () => {
    const blobs: Blob[] = [];
    for (let i = 0; i < capture.burst; i++) {
      const b = await capture.grab();
      if (b) blobs.push(b);
      await new Promise((r) => setTimeout(r, 1000 / Math.max(1, capture.rate)));
    }
    if (blobs.length) await addSamples(cls.id, blobs, 'webcam');
  };
  return (
    <section
      className="class-card"
      aria-label={`Class ${cls.name}`}
      style={{ borderColor: cls.color }}
    >
      <header>
        <input
          type="color"
          value={cls.color}
          aria-label={`Colour of ${cls.name}`}
          onChange={(e) => void updateClass(cls.id, { color: e.target.value })}
        />
        <input
          className="class-name"
          defaultValue={cls.name}
          aria-label="Class name"
          onBlur={(e) => {
            const v = e.target.value.trim();
            if (v && v !== cls.name) void updateClass(cls.id, { name: v });
          }}
          onKeyDown={(e) => {
            if (e.key === 'Enter') (e.target as HTMLInputElement).blur();
          }}
        />
        <span className="count" data-testid={`count-${cls.name}`}>
          {samples.length}
        </span>
        <button
          className="icon"
          disabled={busy}
          aria-label={`Delete class ${cls.name}`}
          onClick={() => {
            if (
              !samples.length ||
              confirm(`Delete “${cls.name}” and its ${samples.length} samples?`)
            )
              void deleteClass(cls.id);
          }}
        >
          ✕
        </button>
      </header>
      <div
        className={over ? 'dropzone over' : 'dropzone'}
        role="group"
        aria-label={`Drop photos for ${cls.name}`}
        data-testid={`drop-${cls.name}`}
        onDragOver={(e) => {
          e.preventDefault();
          setOver(true);
        }}
        onDragLeave={() => setOver(false)}
        onDrop={(e) => {
          e.preventDefault();
          setOver(false);
          void filesFromDrop(e.dataTransfer).then(add);
        }}
      >
        <span>Drop photos or folders, or</span>
        <label className="filepick">
          photos
          <input
            type="file"
            accept="image/*"
            multiple
            onChange={(e) => add(Array.from(e.target.files ?? []))}
          />
        </label>
        <label className="filepick">
          a folder
          <input
            type="file"
            multiple
            ref={(el) => {
              el?.setAttribute('webkitdirectory', '');
            }}
            onChange={(e) => add(Array.from(e.target.files ?? []))}
          />
        </label>
      </div>
      {capture.on && (
        <div className="capture">
          <button
            className={recording ? 'recording' : ''}
            onPointerDown={startHold}
            onPointerUp={stopHold}
            onPointerLeave={stopHold}
            onKeyDown={(e) => {
              if (e.key === ' ' || e.key === 'Enter') startHold();
            }}
            onKeyUp={stopHold}
          >
            {recording ? 'Recording…' : `Hold to record (${capture.rate}/s)`}
          </button>
          <button onClick={() => void burst()}>Burst ×{capture.burst}</button>
        </div>
      )}
      <ul className="thumbs" aria-label={`Samples of ${cls.name}`}>
        {samples.map((s) => (
          <li key={s.id}>
            <img src={s.url} alt={`${cls.name} sample (${s.source})`} loading="lazy" />
            <button
              className="del"
              aria-label="Delete sample"
              disabled={busy}
              onClick={() => void deleteSamples([s.id])}
            >
              ✕
            </button>
          </li>
        ))}
      </ul>
    </section>
  );
}
