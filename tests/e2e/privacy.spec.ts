/**
 * Privacy by construction, checked on the production build: one full session — the camera in
 * Live (Chromium's fake webcam fed a real coco128 photo), tagging photos, training a small
 * 2-class model and exporting both the tags (JSON) and the model — and not one request leaves the
 * app's own origin (data: and blob: URLs stay on the device). Every request of the browser
 * context is recorded (pages, workers and the service worker), and so is every WebSocket.
 * WASM keeps it short: this checks where data goes, not the GPU.
 */
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { openPage, waitForEngine, type PageHandle } from '../harness/browser';
import { addTrainClass, dropFiles, flowerPhotos, openTrain } from '../harness/ui';
import { cocoImage, imagenetSamples, makeY4m, requireShared } from '../harness/data';
import type { ExportedSession } from '../../src/tagging/exportFormats';

const baseUrl = inject('baseUrl');
const PHOTO = '000000000036'; // coco128: a woman holding an umbrella
const PER_CLASS = 4;

function foreign(urls: string[], origin: string): string[] {
  return urls.filter((u) => {
    if (u.startsWith('data:') || u.startsWith('blob:')) return false;
    try {
      return new URL(u).origin !== origin;
    } catch {
      return true;
    }
  });
}

describe.skipIf(process.env.OCELLUS_E2E_SERVER === 'dev')(
  'privacy: a full session makes no request beyond its own origin',
  () => {
    let h: PageHandle;
    const origin = new URL(baseUrl).origin;
    const requests: string[] = [];
    const sockets: string[] = [];
    const pages: string[] = [];

    beforeAll(async () => {
      requireShared();
      h = await openPage('about:blank', {
        gpu: 'none',
        fakeVideo: makeY4m(cocoImage(PHOTO), `coco-${PHOTO}`),
      });
      // Recorded on the context, so workers, the service worker and new pages are included.
      h.context.on('request', (r) => requests.push(r.url()));
      h.context.on('page', (p) => pages.push(p.url()));
      h.page.on('websocket', (ws) => sockets.push(ws.url()));
      await h.page.goto(`${baseUrl}?backend=wasm`);
      expect(await waitForEngine(h.page)).toBe('wasm');
    });
    afterAll(async () => h?.close());

    it('Live: the camera runs recognition on the device and hands a snapshot to Tag', async () => {
      const p = h.page;
      await p.getByRole('tab', { name: 'Live' }).click();
      await expect
        .poll(() => p.evaluate(() => window.ocellus!.live.hud()?.results ?? 0), {
          timeout: 180_000,
          interval: 1000,
        })
        .toBeGreaterThan(2);
      const snap = p.getByRole('button', { name: 'Snapshot → Tag' });
      await expect.poll(() => snap.isEnabled(), { timeout: 60_000 }).toBe(true);
      await snap.click();
    });

    it('Tag: tags photos and exports the session as JSON', async () => {
      const p = h.page;
      await p.getByRole('tab', { name: 'Tag' }).click();
      const samples = imagenetSamples().filter((s) => ['zebra', 'tench', 'macaw'].includes(s.name));
      expect(samples).toHaveLength(3);
      await p.setInputFiles(
        '[data-testid="tag-file-input"]',
        samples.map((s) => s.file),
      );
      // The snapshot from Live and the three photos, all tagged (a failure shows each status).
      await expect
        .poll(
          () =>
            p.evaluate(() => {
              const s = window.ocellus!.store.getState();
              return s.tagOrder.map((id) => {
                const img = s.tagImages[id];
                const why = img.error ? ` (${img.error.code}: ${img.error.message})` : '';
                return `${img.name}:${img.status}${why}`;
              });
            }),
          { timeout: 180_000, interval: 1000 },
        )
        .toEqual([
          expect.stringMatching(/^live-.*\.jpg:done$/),
          ...samples.map((s) => `${s.wnid}_${s.name}.JPEG:done`),
        ]);
      const [download] = await Promise.all([
        p.waitForEvent('download'),
        p.getByTestId('tag-export-json').click(),
      ]);
      const exported = JSON.parse(
        readFileSync((await download.path())!, 'utf8'),
      ) as ExportedSession;
      expect(exported.format).toBe('ocellus-tag-session');
      expect(exported.images).toHaveLength(4);
      const zebra = exported.images.find((e) => e.name.endsWith('_zebra.JPEG'));
      expect(zebra?.tags[0].label).toMatch(/zebra/);
    });

    it('Train: trains a 2-class model on the device and exports it', async () => {
      const p = h.page;
      await openTrain(p, {
        baseId: 'mobilenet_v1_0.25_224',
        augmentViews: 1,
        epochs: 5,
        valSplit: 0.25,
      });
      for (const name of ['daisy', 'sunflowers']) {
        await addTrainClass(p, name);
        await dropFiles(p, `drop-${name}`, flowerPhotos(name).slice(0, PER_CLASS));
        await expect
          .poll(() => p.getByTestId(`count-${name}`).textContent(), { timeout: 60_000 })
          .toBe(String(PER_CLASS));
      }
      await p.getByRole('button', { name: 'Train', exact: true }).click();
      await expect
        .poll(() => p.getByTestId('train-status').textContent(), {
          timeout: 240_000,
          interval: 1000,
        })
        .toMatch(/^Done/);

      const names: string[] = [];
      const done = new Promise<void>((resolve) => {
        p.on('download', (d) => {
          names.push(d.suggestedFilename());
          if (names.length === 3) resolve();
        });
      });
      await p.getByRole('button', { name: 'Export model' }).click();
      await done;
      expect(names.sort()).toEqual(['metadata.json', 'model.json', 'weights.bin']);
    });

    it('made every request to its own origin (or data:/blob:), and opened no WebSocket', () => {
      // The recording works: the session fetched its app chunks, wasm and model files.
      const local = requests.filter((u) => u.startsWith(origin));
      expect(local.some((u) => u.includes('/tfjs-wasm/'))).toBe(true);
      expect(local.some((u) => u.includes('/models/mobilenet_v1_0.25_224/'))).toBe(true);
      expect(requests.length).toBeGreaterThan(20);
      expect(foreign(requests, origin)).toEqual([]);
      expect(sockets).toEqual([]);
      expect(foreign(pages, origin).filter((u) => u !== 'about:blank')).toEqual([]);
      expect(h.consoleErrors.filter((e) => /Content Security Policy/i.test(e))).toEqual([]);
    });
  },
);
