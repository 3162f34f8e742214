import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { openPage, waitForEngine, type PageHandle } from '../harness/browser';
import { imagenetSamples, requireShared } from '../harness/data';

const baseUrl = inject('baseUrl');

function localOnly(requests: string[]): string[] {
  const origin = new URL(baseUrl).origin;
  return requests.filter(
    (u) => !u.startsWith(origin) && !u.startsWith('data:') && !u.startsWith('blob:'),
  );
}

describe('foundation on WebGPU (SwiftShader here)', () => {
  let h: PageHandle;
  beforeAll(async () => {
    requireShared();
    h = await openPage(`${baseUrl}?backend=webgpu`, { gpu: 'webgpu' });
  });
  afterAll(async () => h?.close());

  it('pins WebGPU from the URL and reports the fallback adapter in the capability panel', async () => {
    expect(await waitForEngine(h.page)).toBe('webgpu');
    await h.page.getByRole('button', { name: 'GPU' }).click();
    await expect.poll(() => h.page.getByTestId('cap-backend').textContent()).toBe('webgpu');
    expect(await h.page.getByTestId('cap-fallback').textContent()).toMatch(/^yes/);
    expect(await h.page.getByTestId('cap-tfjs').textContent()).toMatch(/^4\.\d+\.\d+$/);
  });

  it('classifies a real ImageNet photo correctly with MobileNet v1 0.25 from ../shared/models', async () => {
    const sample = imagenetSamples().find((s) => s.name === 'zebra')!;
    const bytes = readFileSync(sample.file).toString('base64');
    const preds = await h.page.evaluate(async (b64) => {
      const blob = await (await fetch(`data:image/jpeg;base64,${b64}`)).blob();
      return window.ocellus!.classify('mobilenet_v1_0.25_224', blob, { k: 5 });
    }, bytes);
    expect(await h.page.evaluate(() => window.ocellus!.tf.getBackend())).toBe('webgpu');
    expect(preds[0].label.toLowerCase()).toContain(sample.name.replace(/_/g, ' ').toLowerCase());
    expect(preds[0].probability).toBeGreaterThan(0.3);
  });

  it('made no request outside the local origin during the session', () => {
    expect(h.requests.length).toBeGreaterThan(10);
    expect(localOnly(h.requests)).toEqual([]);
  });

  it.skipIf(process.env.OCELLUS_E2E_SERVER === 'dev')(
    'runs under the production Content-Security-Policy without violations',
    async () => {
      const csp = await h.page
        .locator('meta[http-equiv="Content-Security-Policy"]')
        .getAttribute('content');
      expect(csp).toContain("script-src 'self' 'wasm-unsafe-eval'");
      expect(csp).not.toContain(" 'unsafe-eval'");
      expect(h.consoleErrors.filter((e) => /Content Security Policy/i.test(e))).toEqual([]);
    },
  );
});

describe('auto backend selection', () => {
  it('skips the software WebGPU adapter, picks a faster backend and says why', async () => {
    const h = await openPage(baseUrl, { gpu: 'webgpu' });
    try {
      const backend = await waitForEngine(h.page);
      expect(['wasm', 'webgl']).toContain(backend);
      await h.page.getByRole('button', { name: 'GPU' }).click();
      const reasons = await h.page.getByTestId('cap-reasons').textContent();
      expect(reasons).toMatch(/software fallback/);
      expect(reasons).toContain(`auto picked ${backend}`);
    } finally {
      await h.close();
    }
  });
});

describe('model integrity', () => {
  it('refuses a tampered weight file with a visible error, and Retry loads the good one', async () => {
    const h = await openPage(`${baseUrl}?backend=wasm`, { gpu: 'none' });
    try {
      await h.page.route('**/models/mobilenet_v1_0.25_224/group3-shard1of1', async (route) => {
        const res = await route.fetch();
        const body = Buffer.from(await res.body());
        body[10] ^= 0xff; // one flipped byte
        await route.fulfill({ response: res, body });
      });
      await waitForEngine(h.page);
      await h.page.getByRole('button', { name: 'Settings' }).click();
      await h.page.getByRole('button', { name: 'Load mobilenet_v1_0.25_224' }).click();
      const err = h.page.getByTestId('model-error').first();
      await err.waitFor({ timeout: 60_000 });
      expect(await err.textContent()).toMatch(/group3-shard1of1.*sha256.*tampered/);
      expect(await h.page.evaluate(() => window.ocellus!.engine.loadedIds())).toEqual([]);
      // The host serves the real file again: Retry loads the verified model.
      await h.page.unroute('**/models/mobilenet_v1_0.25_224/group3-shard1of1');
      await h.page.getByRole('button', { name: 'Retry loading mobilenet_v1_0.25_224' }).click();
      await h.page
        .getByTestId('model-status')
        .first()
        .getByText('· loaded')
        .waitFor({ timeout: 60_000 });
      expect(await h.page.getByTestId('model-error').count()).toBe(0);
      expect(await h.page.evaluate(() => window.ocellus!.engine.loadedIds())).toEqual([
        'mobilenet_v1_0.25_224',
      ]);
    } finally {
      await h.close();
    }
  });
});
