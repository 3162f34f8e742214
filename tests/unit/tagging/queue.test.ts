import { describe, expect, it } from 'vitest';
import { BatchQueue, RateMeter, eta, type DecodeResult } from '../../../src/tagging/queue';

const tick = () => new Promise((r) => setTimeout(r, 0));

/** A controllable async step: resolves when the test says so. */
function gate<T>() {
  const waiting: { resolve: (v: T) => void; arg: unknown }[] = [];
  return {
    waiting,
    fn: (arg: unknown) => new Promise<T>((resolve) => waiting.push({ resolve, arg })),
    release(n = waiting.length, value?: (arg: unknown) => T) {
      for (const w of waiting.splice(0, n)) w.resolve(value ? value(w.arg) : (undefined as T));
    },
  };
}

describe('BatchQueue scheduling', () => {
  it('decodes ahead with bounded parallelism and groups results into full batches', async () => {
    let decoding = 0;
    let maxDecoding = 0;
    const batches: number[][] = [];
    const results: [number, string][] = [];
    const q = new BatchQueue<number, number, string>({
      batchSize: 4,
      decodeConcurrency: 3,
      maxBuffered: 8,
      decode: async (i) => {
        decoding++;
        maxDecoding = Math.max(maxDecoding, decoding);
        await tick();
        decoding--;
        return { ok: true, value: i * 10 };
      },
      infer: async (batch) => {
        batches.push(batch);
        await tick();
        return batch.map((v) => `r${v}`);
      },
      onResult: (i, r) => results.push([i, r]),
      onError: () => undefined,
    });
    await q.add([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(maxDecoding).toBe(3);
    expect(batches.map((b) => b.length)).toEqual([4, 4, 2]);
    expect(results.sort((a, b) => a[0] - b[0])).toEqual(
      Array.from({ length: 10 }, (_, i) => [i, `r${i * 10}`]),
    );
    expect(q.progress()).toMatchObject({ total: 10, done: 10, failed: 0, state: 'finished' });
  });

  it('never holds more decoded items than maxBuffered while inference is busy', async () => {
    const infer = gate<string[]>();
    let decodes = 0;
    const q = new BatchQueue<number, number, string>({
      batchSize: 2,
      decodeConcurrency: 4,
      maxBuffered: 4,
      decode: async (i) => {
        decodes++;
        return { ok: true, value: i };
      },
      infer: (batch) => infer.fn(batch),
      onResult: () => undefined,
      onError: () => undefined,
    });
    const done = q.add(Array.from({ length: 20 }, (_, i) => i));
    for (let i = 0; i < 5; i++) await tick();
    // One batch of 2 in inference, 4 more buffered: 6 decoded, the rest waits.
    expect(infer.waiting).toHaveLength(1);
    expect(decodes).toBe(6);
    while (infer.waiting.length || q.progress().state === 'running') {
      infer.release(infer.waiting.length, (b) => (b as number[]).map(String));
      await tick();
    }
    await done;
    expect(decodes).toBe(20);
  });

  it('overlaps up to inferConcurrency batches (a GPU readback with the next submission)', async () => {
    const infer = gate<string[]>();
    const q = new BatchQueue<number, number, string>({
      batchSize: 2,
      decodeConcurrency: 4,
      maxBuffered: 8,
      inferConcurrency: 2,
      decode: async (i) => ({ ok: true, value: i }),
      infer: (batch) => infer.fn(batch),
      onResult: () => undefined,
      onError: () => undefined,
    });
    const done = q.add([1, 2, 3, 4, 5, 6]);
    for (let i = 0; i < 5; i++) await tick();
    expect(infer.waiting.map((w) => w.arg)).toEqual([
      [1, 2],
      [3, 4],
    ]);
    infer.release(2, (b) => (b as number[]).map(String));
    for (let i = 0; i < 5; i++) await tick();
    infer.release(1, (b) => (b as number[]).map(String));
    await done;
  });

  it('reports decode failures per item and goes on', async () => {
    const errors: [number, string, string | undefined][] = [];
    const results: number[] = [];
    const q = new BatchQueue<number, number, number>({
      batchSize: 8,
      decodeConcurrency: 2,
      maxBuffered: 8,
      decode: async (i): Promise<DecodeResult<number>> =>
        i % 3 === 0
          ? { ok: false, error: 'not an image', code: 'not-image' }
          : { ok: true, value: i },
      infer: async (b) => b,
      onResult: (_i, r) => results.push(r),
      onError: (i, e, c) => errors.push([i, e, c]),
    });
    await q.add([1, 2, 3, 4, 5, 6]);
    expect(errors).toEqual([
      [3, 'not an image', 'not-image'],
      [6, 'not an image', 'not-image'],
    ]);
    expect(results.sort()).toEqual([1, 2, 4, 5]);
    expect(q.progress()).toMatchObject({ done: 4, failed: 2 });
  });

  it('fails a whole batch when the model throws, with the model named', async () => {
    const errors: string[] = [];
    const q = new BatchQueue<number, number, number>({
      batchSize: 2,
      decodeConcurrency: 2,
      maxBuffered: 4,
      decode: async (i) => ({ ok: true, value: i }),
      infer: async () => {
        throw new Error('GPU device lost');
      },
      onResult: () => undefined,
      onError: (_i, e) => errors.push(e),
    });
    await q.add([1, 2]);
    expect(errors).toEqual(['model: GPU device lost', 'model: GPU device lost']);
  });

  it('pauses before starting work, resumes, and cancel drops what has not started', async () => {
    const released: number[] = [];
    const infer = gate<number[]>();
    const q = new BatchQueue<number, number, number>({
      batchSize: 2,
      decodeConcurrency: 2,
      maxBuffered: 4,
      decode: async (i) => ({ ok: true, value: i }),
      infer: (b) => infer.fn(b),
      onResult: () => undefined,
      onError: () => undefined,
      release: (v) => released.push(v),
    });
    q.pause();
    const done = q.add([1, 2, 3, 4, 5, 6, 7, 8]);
    for (let i = 0; i < 3; i++) await tick();
    expect(q.progress().state).toBe('paused');
    expect(infer.waiting).toHaveLength(0);
    q.resume();
    for (let i = 0; i < 3; i++) await tick();
    expect(infer.waiting.map((w) => w.arg)).toEqual([[1, 2]]);
    q.cancel();
    infer.release(1, (b) => b as number[]);
    await done;
    expect(q.progress()).toMatchObject({ state: 'cancelled', done: 2, total: 8 });
    // Decoded-but-never-inferred values were handed back for release.
    expect(released.length).toBeGreaterThan(0);
    expect(released.every((v) => v > 2)).toBe(true);
  });

  it('accepts more items while running and resolves when all are done', async () => {
    const results: number[] = [];
    const q = new BatchQueue<number, number, number>({
      batchSize: 3,
      decodeConcurrency: 1,
      maxBuffered: 3,
      decode: async (i) => {
        await tick();
        return { ok: true, value: i };
      },
      infer: async (b) => b,
      onResult: (_i, r) => results.push(r),
      onError: () => undefined,
    });
    const first = q.add([1, 2]);
    const second = q.add([3, 4]);
    await Promise.all([first, second]);
    expect(results.sort()).toEqual([1, 2, 3, 4]);
    expect(q.progress().total).toBe(4);
  });
});

describe('rate and ETA', () => {
  it('measures items per second over a sliding window', () => {
    const m = new RateMeter(5000);
    for (let t = 0; t <= 2000; t += 100) m.add(t); // 21 completions over 2 s
    expect(m.rate(2000)).toBeCloseTo(10, 5);
    m.reset();
    expect(m.rate(3000)).toBe(0);
  });

  it('estimates the time left', () => {
    expect(eta(50, 10)).toBe(5);
    expect(eta(0, 0)).toBe(0);
    expect(eta(10, 0)).toBeNull();
  });
});
