export function TagWorkspace() {
  return (
    <section aria-label="Tag" className="ws">
      <h2>Tag</h2>
    </section>
  );
}
