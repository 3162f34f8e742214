/**
 * SharedRuns, the one way the app shares a model load, a build or a warm-up that is already
 * running: callers join the run in flight, a failure is never kept, and a warm-up that succeeded
 * is kept only where asked.
 */
import { describe, expect, it } from 'vitest';
import { SharedRuns } from '../../../src/engine/sharedRuns';

/** A run whose end the test decides. */
function deferred<T>() {
  let resolve!: (v: T) => void;
  let reject!: (e: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

describe('SharedRuns', () => {
  it('lets a second caller join the run in flight instead of starting another', async () => {
    const runs = new SharedRuns<string>();
    const d = deferred<string>();
    let starts = 0;
    const start = () => {
      starts++;
      return d.promise;
    };
    const a = runs.run('m', start);
    const b = runs.run('m', start);
    const other = runs.run('n', async () => 'other');
    expect(b).toBe(a);
    expect(starts).toBe(1);
    d.resolve('model');
    expect(await Promise.all([a, b, other])).toEqual(['model', 'model', 'other']);
  });

  it("'while-running' forgets a run once it settles, so the next caller starts afresh", async () => {
    const runs = new SharedRuns<number>();
    let starts = 0;
    await runs.run('m', async () => ++starts);
    expect(runs.has('m')).toBe(false);
    expect(await runs.run('m', async () => ++starts)).toBe(2);
  });

  it('never keeps a failure: callers that joined see it, the next caller tries again', async () => {
    const runs = new SharedRuns<string>('after-success');
    const d = deferred<string>();
    const a = runs.run('m', () => d.promise);
    const b = runs.run('m', () => Promise.resolve('not started'));
    d.reject(new Error('the server answered 503'));
    await expect(a).rejects.toThrow('503');
    await expect(b).rejects.toThrow('503');
    expect(runs.has('m')).toBe(false);
    expect(await runs.run('m', async () => 'second try')).toBe('second try');
  });

  it("'after-success' keeps a run that succeeded: it is not started again", async () => {
    const runs = new SharedRuns<void>('after-success');
    let warmUps = 0;
    await runs.run('m#1', async () => void warmUps++);
    await runs.run('m#1', async () => void warmUps++);
    expect(warmUps).toBe(1);
    expect(runs.has('m#1')).toBe(true);
    // A new model generation is a new key: warmed up again.
    await runs.run('m#2', async () => void warmUps++);
    expect(warmUps).toBe(2);
  });

  it('turns a start that throws at once into a rejected run, not a throw, and keeps nothing', async () => {
    const runs = new SharedRuns<string>();
    const run = runs.run('m', () => {
      throw new Error('bad id');
    });
    await expect(run).rejects.toThrow('bad id');
    expect(runs.has('m')).toBe(false);
  });
});
