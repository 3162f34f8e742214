import { useId, useState } from 'react';
import { useApp, selectTagSelection, selectTagImages } from '../../store';
import {
  acceptImages,
  addTagTo,
  rejectImages,
  removeImages,
  renameImage,
  unreviewImages,
} from '../../tagging/actions';
import { displayName } from '../../tagging/edits';

/** Actions on the selected images: accept, reject, add a tag, rename (one image), remove. */
export function SelectionBar() {
  const id = useId();
  const selection = useApp(selectTagSelection);
  const images = useApp(selectTagImages);
  const setSelection = useApp((s) => s.tagSetSelection);
  const [tag, setTag] = useState('');
  const [name, setName] = useState<string | null>(null);
  if (!selection.length) return null;
  const single = selection.length === 1 ? images[selection[0]] : undefined;
  return (
    <div
      className="tag-selection"
      role="region"
      aria-label="Selected images"
      data-testid="tag-selection"
    >
      <strong>{selection.length} selected</strong>
      <button onClick={() => acceptImages(selection)} title="Accept (A)">
        Accept
      </button>
      <button onClick={() => rejectImages(selection)} title="Reject (R)">
        Reject
      </button>
      <button onClick={() => unreviewImages(selection)}>Unreview</button>
      <form
        className="inline"
        onSubmit={(e) => {
          e.preventDefault();
          if (tag.trim()) addTagTo(selection, tag);
          setTag('');
        }}
      >
        <label htmlFor={id} className="visually-hidden">
          Add a tag to the selected images
        </label>
        <input
          id={id}
          value={tag}
          placeholder="Add tag…"
          data-testid="tag-add-input"
          onChange={(e) => setTag(e.target.value)}
        />
        <button type="submit" disabled={!tag.trim()}>
          Add tag
        </button>
      </form>
      {single &&
        (name === null ? (
          <button onClick={() => setName(displayName(single))}>Rename</button>
        ) : (
          <form
            className="inline"
            onSubmit={(e) => {
              e.preventDefault();
              renameImage(single.id, name);
              setName(null);
            }}
          >
            <input
              aria-label="New name"
              value={name}
              autoFocus
              onChange={(e) => setName(e.target.value)}
              onKeyDown={(e) => {
                if (e.key === 'Escape') setName(null);
              }}
            />
            <button type="submit">Save name</button>
          </form>
        ))}
      <button onClick={() => removeImages(selection)}>Remove</button>
      <button onClick={() => setSelection([])}>Clear selection</button>
    </div>
  );
}
