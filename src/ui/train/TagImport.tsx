/** Samples from the Tag workspace's gallery, by tag: every image filed under a tag joins a class. */
import { useMemo, useState } from 'react';
import { useApp, selectTagImages } from '../../store';
import { primaryTags, tagCounts } from '../../tagging/view';
import { originalOf } from '../../tagging/thumbs';
import { getThumb } from '../../tagging/session';
import { addClass, addSamples } from '../../training/project';
import type { TrainClass } from '../../training/types';

export function TagImport({ classes, busy }: { classes: TrainClass[]; busy: boolean }) {
  const images = useApp(selectTagImages);
  const notify = useApp((s) => s.notify);
  const tags = useMemo(() => tagCounts(images), [images]);
  const [tag, setTag] = useState('');
  const [target, setTarget] = useState('new');
  if (!tags.length) return null;
  const run = async () => {
    const label = tag || tags[0].label;
    const ids = Object.values(images)
      .filter((img) => primaryTags(img).includes(label))
      .map((img) => img.id);
    const blobs: Blob[] = [];
    // The original file when it was dropped in this tab; otherwise the stored thumbnail.
    for (const id of ids) {
      const b = originalOf(id) ?? (await getThumb(id));
      if (b) blobs.push(b);
    }
    const classId =
      target === 'new'
        ? (classes.find((c) => c.name === label) ?? (await addClass(label))).id
        : target;
    await addSamples(classId, blobs, 'tag');
    notify('info', `Added ${blobs.length} image(s) tagged “${label}” from Tag.`);
  };
  return (
    <span className="tag-import">
      <label className="field inline">
        <span>From Tag</span>
        <select value={tag} onChange={(e) => setTag(e.target.value)} aria-label="Tag to import">
          {tags.map((t) => (
            <option key={t.label} value={t.label}>
              {t.label} ({t.count})
            </option>
          ))}
        </select>
      </label>
      <select
        value={target}
        onChange={(e) => setTarget(e.target.value)}
        aria-label="Class to add them to"
      >
        <option value="new">as a class of that name</option>
        {classes.map((c) => (
          <option key={c.id} value={c.id}>
            into {c.name}
          </option>
        ))}
      </select>
      <button disabled={busy} onClick={() => void run()}>
        Add from Tag
      </button>
    </span>
  );
}
