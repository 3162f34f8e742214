import { useId, useState } from 'react';
import { useApp, selectDetection } from '../../store';
import type { ClassFilterMode } from '../../store/detectionSlice';
import { COCO80_NAMES, coco80IdOf } from '../../eval/cocoClasses';
import { classColor } from '../../detection/colors';

/**
 * Include/exclude class filter for the detector (Live and Tag share it): a mode, and the COCO
 * classes it names as removable chips. Typing a class and pressing Enter adds it; choosing
 * "only" or "all except" with no class named filters nothing.
 */
export function ClassFilter() {
  const prefs = useApp(selectDetection);
  const setDetection = useApp((s) => s.setDetection);
  const [draft, setDraft] = useState('');
  const [error, setError] = useState<string | null>(null);
  const ids = { mode: useId(), add: useId(), list: useId() };

  const add = () => {
    const name = draft.trim().toLowerCase();
    if (!name) return;
    if (coco80IdOf(name) < 0) {
      setError(`"${draft.trim()}" is not one of the 80 COCO classes`);
      return;
    }
    setError(null);
    setDraft('');
    if (!prefs.classes.includes(name)) {
      setDetection({
        classes: [...prefs.classes, name],
        // Naming a class with no mode chosen means "only this".
        filterMode: prefs.filterMode === 'all' ? 'include' : prefs.filterMode,
      });
    }
  };

  return (
    <div className="det-filter" role="group" aria-label="Class filter" data-testid="class-filter">
      <label htmlFor={ids.mode}>Classes</label>
      <select
        id={ids.mode}
        value={prefs.filterMode}
        data-testid="class-filter-mode"
        onChange={(e) => setDetection({ filterMode: e.target.value as ClassFilterMode })}
      >
        <option value="all">all classes</option>
        <option value="include">only these</option>
        <option value="exclude">all except these</option>
      </select>
      {prefs.classes.map((c) => (
        <span key={c} className="det-chip" style={{ borderColor: classColor(coco80IdOf(c)) }}>
          {c}
          <button
            aria-label={`Remove ${c} from the filter`}
            onClick={() => setDetection({ classes: prefs.classes.filter((x) => x !== c) })}
          >
            ×
          </button>
        </span>
      ))}
      <input
        id={ids.add}
        list={ids.list}
        value={draft}
        placeholder="add a class…"
        aria-label="Add a class to the filter"
        data-testid="class-filter-input"
        onChange={(e) => {
          setDraft(e.target.value);
          setError(null);
        }}
        onKeyDown={(e) => {
          if (e.key === 'Enter') {
            e.preventDefault();
            add();
          }
        }}
      />
      <datalist id={ids.list}>
        {COCO80_NAMES.map((n) => (
          <option key={n} value={n} />
        ))}
      </datalist>
      <button onClick={add} disabled={!draft.trim()}>
        Add
      </button>
      {prefs.filterMode !== 'all' && prefs.classes.length > 0 && (
        <button onClick={() => setDetection({ filterMode: 'all', classes: [] })}>Clear</button>
      )}
      {error && (
        <span role="alert" className="det-error">
          {error}
        </span>
      )}
    </div>
  );
}
