export function TrainWorkspace() {
  return (
    <section aria-label="Train" className="ws">
      <h2>Train</h2>
    </section>
  );
}
