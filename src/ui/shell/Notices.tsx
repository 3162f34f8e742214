import { useApp, selectNotices } from '../../store';

/** Engine and app messages; an aria-live region so screen readers hear them. */
export function Notices() {
  const notices = useApp(selectNotices);
  const dismiss = useApp((s) => s.dismissNotice);
  return (
    <div className="notices" aria-live="polite" data-testid="notices">
      {notices.map((n) => (
        <div
          key={n.id}
          className={`notice ${n.level}`}
          role={n.level === 'error' ? 'alert' : 'status'}
        >
          <span>{n.text}</span>
          <button aria-label="Dismiss message" onClick={() => dismiss(n.id)}>
            ×
          </button>
        </div>
      ))}
    </div>
  );
}
