/**
 * Offline use of the production build (PWA): the first visit installs a service worker that
 * precaches the app shell, the JS chunks and the tfjs wasm binaries, and loading a model caches
 * its verified bytes in IndexedDB. Then the browser context goes offline and the server is shut
 * down (so nothing can be reached by any path), the page is reloaded and a real photo is
 * classified correctly again.
 *
 * The spec serves the build on its own port: a service worker belongs to its origin, and closing
 * this server leaves the shared one the other specs use alone.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import type { Page } from 'playwright-core';
import { openPage, waitForEngine, type PageHandle } from '../harness/browser';
import { serveBuild, type RunningServer } from '../harness/server';
import { imagenetSamples, requireShared } from '../harness/data';

const MODEL = 'mobilenet_v1_0.25_224';

async function classifyPhoto(page: Page, name: string) {
  const sample = imagenetSamples().find((s) => s.name === name)!;
  const b64 = readFileSync(sample.file).toString('base64');
  const preds = await page.evaluate(
    async ([model, data]) => {
      const blob = await (await fetch(`data:image/jpeg;base64,${data}`)).blob();
      return window.ocellus!.classify(model, blob, { k: 5 });
    },
    [MODEL, b64] as const,
  );
  return { preds, expected: sample.name.replace(/_/g, ' ').toLowerCase() };
}

describe.skipIf(process.env.OCELLUS_E2E_SERVER === 'dev')('offline (PWA, production build)', () => {
  let server: RunningServer;
  let h: PageHandle;
  let origin: string;
  beforeAll(async () => {
    requireShared();
    server = await serveBuild();
    origin = new URL(server.url).origin;
    h = await openPage(`${server.url}?backend=wasm`, { gpu: 'none' });
  });
  afterAll(async () => {
    await h?.close();
    await server?.close();
  });

  it('is installable: a linked web app manifest with PNG icons and a same-origin service worker', async () => {
    const { page } = h;
    expect(await waitForEngine(page)).toBe('wasm');
    const href = await page.locator('link[rel="manifest"]').getAttribute('href');
    expect(href).toBe('/manifest.webmanifest');
    const manifest = await page.evaluate(async (u) => (await fetch(u)).json(), href!);
    expect(manifest).toMatchObject({ name: 'Ocellus', start_url: '/', display: 'standalone' });
    // Every icon is served and decodes to the size it claims.
    const icons = manifest.icons as { src: string; sizes: string; type: string }[];
    expect(icons.map((i) => i.sizes)).toEqual(expect.arrayContaining(['192x192', '512x512']));
    for (const icon of icons.filter((i) => i.type === 'image/png')) {
      const size = await page.evaluate(async (src) => {
        const bmp = await createImageBitmap(await (await fetch(src)).blob());
        return `${bmp.width}x${bmp.height}`;
      }, icon.src);
      expect(size).toBe(icon.sizes);
    }
    // Chromium's own installability check (the same one behind the install prompt).
    const cdp = await h.context.newCDPSession(page);
    const parsed = (await cdp.send('Page.getAppManifest')) as { errors: unknown[]; url: string };
    expect(parsed.url).toBe(`${origin}/manifest.webmanifest`);
    expect(parsed.errors).toEqual([]);

    const sw = await page.evaluate(async () => {
      const reg = await navigator.serviceWorker.ready;
      return { script: reg.active?.scriptURL, scope: reg.scope };
    });
    expect(sw).toEqual({ script: `${origin}/sw.js`, scope: `${origin}/` });
  });

  it('classifies a photo, goes offline, reloads and classifies another photo correctly', async () => {
    const { page, context } = h;
    const online = await classifyPhoto(page, 'zebra');
    expect(online.preds[0].label.toLowerCase()).toContain(online.expected);

    // autoUpdate + clientsClaim: the worker takes this page over once the precache is complete.
    await page.waitForFunction(() => navigator.serviceWorker.controller !== null, undefined, {
      timeout: 120_000,
    });

    await context.setOffline(true);
    await server.close();
    // Really offline: a file the service worker does not cache cannot be fetched.
    const probe = await page.evaluate(() =>
      fetch('/models/mobilenet_v1_0.25_224/model.json', { cache: 'no-store' }).then(
        (r) => `HTTP ${r.status}`,
        (e: Error) => `failed: ${e.name}`,
      ),
    );
    expect(probe).toMatch(/^failed/);

    const res = await page.reload();
    expect(res?.fromServiceWorker()).toBe(true);
    expect(new URL(page.url()).search).toBe('?backend=wasm');
    expect(await waitForEngine(page)).toBe('wasm');
    const offline = await classifyPhoto(page, 'tench');
    expect(offline.preds[0].label.toLowerCase()).toContain(offline.expected);
    expect(offline.preds[0].probability).toBeGreaterThan(0.3);
    expect(await page.evaluate(() => window.ocellus!.engine.loadedIds())).toEqual([MODEL]);
    expect(h.consoleErrors.filter((e) => /Content Security Policy/i.test(e))).toEqual([]);
  });
});
