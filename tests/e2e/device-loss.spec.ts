import { describe, expect, inject, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { openPage, waitForEngine, type GpuMode } from '../harness/browser';
import { cocoImage, imagenetSamples, makeY4m, requireShared } from '../harness/data';

const baseUrl = inject('baseUrl');

async function classifyZebra(page: import('playwright-core').Page) {
  const sample = imagenetSamples().find((s) => s.name === 'zebra')!;
  const b64 = readFileSync(sample.file).toString('base64');
  return page.evaluate(async (b) => {
    const blob = await (await fetch(`data:image/jpeg;base64,${b}`)).blob();
    return window.ocellus!.classify('mobilenet_v1_0.25_224', blob, { k: 3 });
  }, b64);
}

describe.each([
  ['webgpu', 'webgpu'],
  ['webgl', 'webgl'],
] as [string, GpuMode][])('a lost GPU device on %s', (backend, gpu) => {
  it('is detected, the engine re-initialises, reloads its models and tells the user, without a page reload', async () => {
    const h = await openPage(`${baseUrl}?backend=${backend}`, { gpu });
    try {
      expect(await waitForEngine(h.page)).toBe(backend);
      const before = await classifyZebra(h.page);
      expect(before[0].label).toMatch(/zebra/);
      await h.page.evaluate(() => {
        (window as unknown as { marker: number }).marker = 42; // survives only without a reload
        window.ocellus!.engine.simulateLoss();
      });
      const notice = h.page.getByTestId('notices').getByText(/Recovered on/);
      await notice.waitFor({ timeout: 120_000 });
      expect(await notice.textContent()).toMatch(
        new RegExp(`Recovered on ${backend}; 1 model\\(s\\) reloaded`),
      );
      expect(await h.page.evaluate(() => (window as unknown as { marker: number }).marker)).toBe(
        42,
      );
      expect(await h.page.evaluate(() => window.ocellus!.tf.getBackend())).toBe(backend);
      const after = await classifyZebra(h.page);
      expect(after[0].label).toBe(before[0].label);
      expect(after[0].probability).toBeCloseTo(before[0].probability, 3);
    } finally {
      await h.close();
    }
  });
});

describe.each([
  ['webgpu', 'webgpu'],
  ['webgl', 'webgl'],
] as [string, GpuMode][])('a lost GPU device in the Live worker on %s', (backend, gpu) => {
  it('is recovered in the worker, and the live loop goes on with the same answer', async () => {
    requireShared();
    const h = await openPage(`${baseUrl}?backend=${backend}`, {
      gpu,
      fakeVideo: makeY4m(cocoImage('000000000036'), 'coco-000000000036'),
    });
    try {
      const p = h.page;
      await waitForEngine(p);
      // Classification only: on a software GPU each detector frame takes tens of seconds.
      await p.evaluate(() =>
        window.ocellus!.store.getState().updateLive({ classify: true, detect: false }),
      );
      await p.getByRole('tab', { name: 'Live' }).click();
      const top = p.locator('[data-task="classifier"] [data-testid="live-labels"] li').first();
      await expect.poll(() => top.textContent(), { timeout: 240_000 }).toMatch(/umbrella/);
      const before = await p.evaluate(() => window.ocellus!.live.stats());
      expect(before.backend).toBe(backend);

      const after = await p.evaluate(() => window.ocellus!.live.loseDevice());
      expect(after.backend).toBe(backend);
      await p
        .getByTestId('notices')
        .getByText(/Live recovered from a lost GPU device/)
        .waitFor({
          timeout: 120_000,
        });
      // New frames after the recovery, with the same answer, and no tensors left behind.
      const resultsThen = await p.evaluate(() => window.ocellus!.live.hud()?.results ?? 0);
      await expect
        .poll(() => p.evaluate(() => window.ocellus!.live.hud()?.results ?? 0), {
          timeout: 240_000,
        })
        .toBeGreaterThan(resultsThen + 2);
      const last = await p.evaluate(() => window.ocellus!.live.lastResult());
      expect(last?.labels.classifier?.[0]?.label).toMatch(/umbrella/);
      const end = await p.evaluate(() => window.ocellus!.live.stats());
      expect(end.memory.numTensors).toBe(before.memory.numTensors);
      expect(h.consoleErrors.filter((e) => e.startsWith('pageerror'))).toEqual([]);
    } finally {
      await h.close();
    }
  });
});
