import { describe, expect, inject, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { openPage, waitForEngine, type GpuMode } from '../harness/browser';
import { imagenetSamples } from '../harness/data';

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
