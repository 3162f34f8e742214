/**
 * Must-show for object detection, on WebGPU (SwiftShader here) with the offline detector
 * (CenterNet, self-hosted from the npm tarball): a coco128 photo of people and a dog is dropped
 * into Tag with Detect on; boxes labelled `person` and `dog` appear on it, each overlapping a
 * labelled object of its class with IoU >= 0.5; with the class filter set to `dog` only the dog
 * remains, on the photo and in the counts. No request leaves the local origin.
 */
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { openPage, waitForEngine, type PageHandle } from '../harness/browser';
import { cocoImage, cocoLabels, requireShared } from '../harness/data';
import { imageSizeFromHeader } from '../../src/eval/datasets';
import { makeCocoSsdFixture } from '../fixtures/makeCocoSsdFixture';

const baseUrl = inject('baseUrl');
// coco128's photo with a dog beside people (label classes 0 = person, 16 = dog).
const PHOTO = '000000000074';

interface Box {
  x: number;
  y: number;
  width: number;
  height: number;
  label: string;
  classId: number;
  score: number;
}

function iou(
  a: Omit<Box, 'label' | 'classId' | 'score'>,
  b: Omit<Box, 'label' | 'classId' | 'score'>,
) {
  const iw = Math.min(a.x + a.width, b.x + b.width) - Math.max(a.x, b.x);
  const ih = Math.min(a.y + a.height, b.y + b.height) - Math.max(a.y, b.y);
  if (iw <= 0 || ih <= 0) return 0;
  const inter = iw * ih;
  return inter / (a.width * a.height + b.width * b.height - inter);
}

describe('object detection in Tag on WebGPU, offline detector', () => {
  let h: PageHandle;
  const { width: W, height: H } = imageSizeFromHeader(
    new Uint8Array(readFileSync(cocoImage(PHOTO))),
  );
  const truth = cocoLabels(PHOTO).map((l) => ({
    classId: l.cls,
    x: (l.cx - l.w / 2) * W,
    y: (l.cy - l.h / 2) * H,
    width: l.w * W,
    height: l.h * H,
  }));

  beforeAll(async () => {
    requireShared();
    h = await openPage(`${baseUrl}?backend=webgpu`, { gpu: 'webgpu' });
  });
  afterAll(async () => h?.close());

  const boxes = () =>
    h.page.evaluate(() => {
      const s = window.ocellus!.store.getState();
      return s.tagOrder.flatMap((id) => s.tagImages[id].boxes ?? []);
    }) as Promise<Box[]>;

  it('drops a photo of people and a dog and shows person and dog boxes in place', async () => {
    expect(truth.some((t) => t.classId === 0) && truth.some((t) => t.classId === 16)).toBe(true);
    expect(await waitForEngine(h.page)).toBe('webgpu');
    expect(await h.page.evaluate(() => window.ocellus!.store.getState().settings.detectorId)).toBe(
      'centernet-mobilenetv3',
    );

    await h.page.getByRole('tab', { name: 'Tag' }).click();
    await h.page.getByTestId('tag-detect-toggle').check();
    const b64 = readFileSync(cocoImage(PHOTO)).toString('base64');
    await h.page.evaluate(
      ({ b64, name }) => {
        const bytes = Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
        const dt = new DataTransfer();
        dt.items.add(new File([bytes], name, { type: 'image/jpeg' }));
        const zone = document.querySelector('[data-testid="tag-drop"]')!;
        zone.dispatchEvent(
          new DragEvent('drop', { dataTransfer: dt, bubbles: true, cancelable: true }),
        );
      },
      { b64, name: `${PHOTO}.jpg` },
    );

    // The first pass on SwiftShader compiles CenterNet's shaders, and a loaded 2-core machine
    // makes that minutes: allow them.
    await h.page.getByTestId('count-dog').waitFor({ timeout: 840_000 });
    await h.page.evaluate(() => window.ocellus!.detection.tagIdle());
    const found = await boxes();
    expect(await h.page.evaluate(() => window.ocellus!.tf.getBackend())).toBe('webgpu');

    for (const [classId, label] of [
      [0, 'person'],
      [16, 'dog'],
    ] as const) {
      const mine = found.filter((b) => b.label === label);
      expect(mine.length, `${label} boxes`).toBeGreaterThan(0);
      const best = Math.max(
        ...mine.flatMap((b) => truth.filter((t) => t.classId === classId).map((t) => iou(b, t))),
      );
      expect(best, `best IoU of a ${label} box`).toBeGreaterThanOrEqual(0.5);
    }

    // Drawn on the thumbnail and listed in the per-class counts.
    const drawn = await h.page.locator('[data-testid="tag-cell"] svg.tag-boxes rect').count();
    expect(drawn).toBe(found.length);
    const counts = await h.page.getByTestId('class-counts').textContent();
    expect(counts).toMatch(/person/);
    expect(counts).toMatch(/dog/);

    // The large view labels its boxes.
    await h.page.getByTestId('tag-cell').first().dblclick();
    const labels = await h.page
      .locator('[data-testid="tag-large"] svg.tag-boxes text')
      .allTextContents();
    expect(labels.some((t) => t.startsWith('person '))).toBe(true);
    expect(labels.some((t) => t.startsWith('dog '))).toBe(true);
    await h.page.keyboard.press('Escape');
  }, 900_000);

  it('keeps only the dog when the class filter is set to dog', async () => {
    await h.page.getByTestId('class-filter-input').fill('dog');
    await h.page.getByTestId('class-filter-input').press('Enter');
    expect(await h.page.getByTestId('class-filter-mode').inputValue()).toBe('include');

    await expect
      .poll(async () =>
        (await boxes())
          .map((b) => b.label)
          .sort()
          .join(','),
      )
      .toMatch(/^dog(,dog)*$/);
    const dogs = await boxes();
    const dogTruth = truth.filter((t) => t.classId === 16);
    expect(Math.max(...dogs.flatMap((b) => dogTruth.map((t) => iou(b, t))))).toBeGreaterThanOrEqual(
      0.5,
    );
    await expect
      .poll(() => h.page.locator('[data-testid="tag-cell"] svg.tag-boxes rect').count())
      .toBe(dogs.length);
    expect(await h.page.getByTestId('count-person').count()).toBe(0);
    expect(await h.page.getByTestId('count-dog').textContent()).toBe(String(dogs.length));

    // The export carries the (filtered) boxes.
    const exported = JSON.parse(
      await h.page.evaluate(() => window.ocellus!.tagging.exportJson()),
    ) as { images: { boxes?: Box[] }[] } | { boxes?: Box[] }[];
    const records = Array.isArray(exported) ? exported : exported.images;
    expect(records.flatMap((r) => r.boxes ?? []).map((b) => b.label)).toEqual(
      dogs.map(() => 'dog'),
    );
  });

  // coco-ssd's detect() reads its scores with dataSync(); on WebGPU here that lost the device and
  // read zeros (the engine then recovered on another backend). The app refuses it on WebGPU.
  it("refuses coco-ssd's own detect() on WebGPU with the reason, and the device lives on", async () => {
    const fixtureDir = dirname(makeCocoSsdFixture());
    await h.page.route('**/__fixture__/**', (route) => {
      const name = basename(new URL(route.request().url()).pathname);
      return route.fulfill({
        path: name === 'frame.jpg' ? cocoImage(PHOTO) : join(fixtureDir, name),
      });
    });
    const frame = (kind: 'coco-ssd-library' | 'coco-ssd-fast') =>
      h.page.evaluate(async (k) => {
        try {
          const r = await window.ocellus!.detection.benchFrame({
            kind: k,
            id: 'coco-ssd-fixture',
            modelUrl: '/__fixture__/model.json',
            image: '/__fixture__/frame.jpg',
            width: 320,
            height: 240,
            runs: 1,
            warmup: 0,
          });
          return `ran: ${r.ms.length} call(s)`;
        } catch (e) {
          return (e as Error).message;
        }
      }, kind);
    expect(await frame('coco-ssd-library')).toMatch(/^Not run on WebGPU: .*dataSync/);
    // The same graph through the fast path, on the same device: it is alive.
    expect(await frame('coco-ssd-fast')).toBe('ran: 1 call(s)');
    const state = await h.page.evaluate(() => {
      const s = window.ocellus!.store.getState();
      return { backend: s.engineState?.backend, notices: s.notices.map((n) => n.text) };
    });
    expect(state.backend).toBe('webgpu');
    expect(state.notices.join(' ')).not.toMatch(/lost/i);

    await h.page.getByRole('button', { name: 'Settings' }).click();
    const settings = h.page.getByTestId('settings');
    expect(await settings.locator('option[value="library"]').isDisabled()).toBe(true);
    expect(await settings.getByTestId('coco-ssd-library-blocked').textContent()).toMatch(
      /off on WebGPU: .*dataSync/,
    );
    // A 'library' choice stored on another backend: the fast path runs here, so its
    // class-aware NMS switch stays usable.
    const nms = settings.getByRole('checkbox', { name: 'class-aware NMS' });
    await h.page.evaluate(() =>
      window.ocellus!.store.getState().setDetection({ cocoSsdPath: 'library' }),
    );
    expect(await settings.getByTestId('coco-ssd-library-blocked').textContent()).toMatch(
      /so the fast path runs\.$/,
    );
    expect(await nms.isEnabled()).toBe(true);
    await h.page.evaluate(() =>
      window.ocellus!.store.getState().setDetection({ cocoSsdPath: 'fast' }),
    );
    await h.page.getByRole('button', { name: 'Settings' }).click();
  });

  it('made no request outside the local origin', () => {
    const origin = new URL(baseUrl).origin;
    const outside = h.requests.filter(
      (u) => !u.startsWith(origin) && !u.startsWith('data:') && !u.startsWith('blob:'),
    );
    expect(outside).toEqual([]);
  });
});
