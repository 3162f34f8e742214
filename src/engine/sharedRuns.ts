/**
 * Work shared by key: a caller asking for what is already running joins that run instead of
 * starting it again. Loading one model twice would register it twice on the engine, and
 * registering disposes the copy the first caller is already running.
 */
export type KeepRuns = 'while-running' | 'after-success';

export class SharedRuns<T> {
  private readonly runs = new Map<string, Promise<T>>();

  /**
   * `keep`: 'while-running' forgets a run once it settles (the next caller starts afresh, e.g.
   * after the engine dropped the model); 'after-success' remembers a run that succeeded (a
   * warm-up done once per model), so only failures are tried again.
   */
  constructor(private readonly keep: KeepRuns = 'while-running') {}

  /** The run for `key`: the one this keeps, else the result of `start()`. */
  run(key: string, start: () => Promise<T>): Promise<T> {
    const known = this.runs.get(key);
    if (known) return known;
    let run: Promise<T>;
    try {
      run = start();
    } catch (e) {
      run = Promise.reject(e);
    }
    this.runs.set(key, run);
    const forget = () => {
      // A run started after this one was forgotten is not ours to remove.
      if (this.runs.get(key) === run) this.runs.delete(key);
    };
    run.then(this.keep === 'while-running' ? forget : undefined, forget);
    return run;
  }

  /** Whether a run for `key` is kept (in flight, or done with 'after-success'). */
  has(key: string): boolean {
    return this.runs.has(key);
  }
}
