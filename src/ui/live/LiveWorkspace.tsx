export function LiveWorkspace() {
  return (
    <section aria-label="Live" className="ws">
      <h2>Live</h2>
    </section>
  );
}
