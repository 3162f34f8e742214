import { classColor } from '../../detection/colors';
import { useApp } from '../../store';

export interface ClassCount {
  label: string;
  classId: number;
  count: number;
}

/** Boxes per class, most frequent first, then by class id (pure, for any list of boxes). */
export function countByClass(boxes: Iterable<{ label: string; classId: number }>): ClassCount[] {
  const counts = new Map<number, ClassCount>();
  for (const b of boxes) {
    const c = counts.get(b.classId);
    if (c) c.count++;
    else counts.set(b.classId, { label: b.label, classId: b.classId, count: 1 });
  }
  return [...counts.values()].sort((a, b) => b.count - a.count || a.classId - b.classId);
}

/**
 * Per-class counts of the boxes shown; clicking a class narrows the filter to it ("only
 * this"), the quickest way to isolate one kind of object.
 */
export function ClassCounts({ counts }: { counts: readonly ClassCount[] }) {
  const setDetection = useApp((s) => s.setDetection);
  const total = counts.reduce((n, c) => n + c.count, 0);
  return (
    <ul className="det-counts" aria-label="Objects per class" data-testid="class-counts">
      <li className="muted">
        {total} object{total === 1 ? '' : 's'}
      </li>
      {counts.map((c) => (
        <li key={c.classId} data-class={c.label}>
          <button
            title={`Show only ${c.label}`}
            onClick={() => setDetection({ filterMode: 'include', classes: [c.label] })}
          >
            <span className="det-swatch" style={{ background: classColor(c.classId) }} />
            {c.label} <strong data-testid={`count-${c.label}`}>{c.count}</strong>
          </button>
        </li>
      ))}
    </ul>
  );
}
