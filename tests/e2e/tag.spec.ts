/**
 * Must-show for the Tag workspace, on WebGPU (SwiftShader here): 20 real ImageNet photos are
 * picked and three bad files dropped; the photos are tagged (most top-1 correct), the bad files
 * show per-file errors, tensors do not leak, edits and tags survive a reload, and the JSON export
 * parses and matches the gallery.
 */
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { openPage, waitForEngine, type PageHandle } from '../harness/browser';
import { CACHE, SHARED, imagenetSamples, requireShared } from '../harness/data';
import { IMAGENET_WNIDS } from '../../src/classification/labels';
import type { ExportedSession } from '../../src/tagging/exportFormats';

const baseUrl = inject('baseUrl');
const MODEL = 'mobilenet_v1_0.25_224';

interface CellInfo {
  name: string;
  status: string;
  error: string | null;
  tags: string[];
}

describe('Tag workspace on WebGPU', () => {
  let h: PageHandle;
  const samples = imagenetSamples()
    .filter((_, i) => i % 12 === 0)
    .slice(0, 20);
  const badDir = join(CACHE, 'tag-e2e');

  beforeAll(async () => {
    requireShared();
    mkdirSync(badDir, { recursive: true });
    writeFileSync(join(badDir, 'notes.txt'), 'shopping list: milk, eggs\n');
    writeFileSync(join(badDir, 'empty.jpg'), Buffer.alloc(0));
    const whole = readFileSync(samples[0].file);
    writeFileSync(join(badDir, 'truncated.jpg'), whole.subarray(0, Math.floor(whole.length * 0.4)));
    h = await openPage(`${baseUrl}?backend=webgpu`, { gpu: 'webgpu' });
  });
  afterAll(async () => h?.close());

  const cells = () =>
    h.page.$$eval('[data-testid="tag-cell"]', (els) =>
      els.map((el) => ({
        name: el.getAttribute('data-name') ?? '',
        status: el.getAttribute('data-status') ?? '',
        error: el.querySelector('[data-testid="tag-cell-error"]')?.textContent ?? null,
        tags: Array.from(el.querySelectorAll('[data-testid="tag-cell-tags"] .label')).map(
          (l) => l.textContent ?? '',
        ),
      })),
    ) as Promise<CellInfo[]>;

  it('tags 20 photos in batches and reports the three bad files per file', async () => {
    expect(await waitForEngine(h.page)).toBe('webgpu');
    await h.page.evaluate(async (id) => void (await window.ocellus!.loadModel(id)), MODEL);
    const tensorsBefore = await h.page.evaluate(() => window.ocellus!.tf.memory().numTensors);

    await h.page.setInputFiles(
      '[data-testid="tag-file-input"]',
      samples.map((s) => s.file),
    );
    // The bad files arrive by a (synthetic) drop on the workspace, as from a file manager.
    const bad = ['notes.txt', 'empty.jpg', 'truncated.jpg'].map((n) => ({
      name: n,
      b64: readFileSync(join(badDir, n)).toString('base64'),
    }));
    await h.page.evaluate((files) => {
      const dt = new DataTransfer();
      for (const f of files) {
        const bytes = Uint8Array.from(atob(f.b64), (c) => c.charCodeAt(0));
        dt.items.add(
          new File([bytes], f.name, {
            type: f.name.endsWith('.txt') ? 'text/plain' : 'image/jpeg',
          }),
        );
      }
      const zone = document.querySelector('[data-testid="tag-drop"]')!;
      zone.dispatchEvent(
        new DragEvent('drop', { dataTransfer: dt, bubbles: true, cancelable: true }),
      );
    }, bad);

    await h.page.waitForFunction(
      () => {
        const s = window.ocellus!.store.getState();
        return (
          s.tagOrder.length === 23 && s.tagOrder.every((id) => s.tagImages[id].status !== 'queued')
        );
      },
      undefined,
      { timeout: 480_000 },
    );
    await h.page.waitForSelector('[data-testid="tag-run"][data-state="finished"]');
    expect(await h.page.getByTestId('tag-run-count').textContent()).toBe('23 / 23');

    const state = await h.page.evaluate(() => {
      const s = window.ocellus!.store.getState();
      return s.tagOrder.map((id) => s.tagImages[id]);
    });
    const photos = state.filter((i) => i.name.endsWith('.JPEG'));
    expect(photos).toHaveLength(20);
    expect(photos.every((p) => p.status === 'done' && p.tags.length === 3 && p.hasThumb)).toBe(
      true,
    );
    const correct = photos.filter((p) => {
      const wnid = p.name.split('_')[0];
      return p.predictions[0].index === IMAGENET_WNIDS.indexOf(wnid);
    });
    expect(correct.length).toBeGreaterThanOrEqual(11);

    const errors = Object.fromEntries(
      state.filter((i) => i.status === 'error').map((i) => [i.name, i.error?.message]),
    );
    expect(errors).toEqual({
      'notes.txt': 'not an image',
      'empty.jpg': 'corrupt: empty file (0 bytes)',
      'truncated.jpg': 'corrupt: truncated image data',
    });
    const shown = await cells();
    expect(
      shown
        .filter((c) => c.error)
        .map((c) => c.error)
        .sort(),
    ).toEqual(['corrupt: empty file (0 bytes)', 'corrupt: truncated image data', 'not an image']);
    // Every tensor of the run was freed.
    expect(await h.page.evaluate(() => window.ocellus!.tf.memory().numTensors)).toBe(tensorsBefore);
  }, 600_000);

  it('edits by keyboard and the selection bar', async () => {
    const gallery = h.page.getByTestId('tag-gallery');
    await gallery.focus();
    await h.page.keyboard.press('Home');
    await h.page.keyboard.press('a'); // accept the focused image
    await h.page.keyboard.press('ArrowRight');
    await h.page.keyboard.press(' '); // select the second
    await h.page.getByTestId('tag-add-input').fill('my label');
    await h.page.getByRole('button', { name: 'Add tag' }).click();
    const [first, second] = await h.page.evaluate(() => {
      const s = window.ocellus!.store.getState();
      return s.tagOrder.slice(0, 2).map((id) => s.tagImages[id]);
    });
    expect(first.review).toBe('accepted');
    expect(second.tags[0]).toEqual({ label: 'my label', score: null, source: 'user' });
    await h.page.getByTestId('tag-search').fill('my label');
    await expect.poll(async () => (await cells()).map((c) => c.name)).toEqual([second.name]);
    await h.page.getByTestId('tag-search').fill('');
  });

  it('keeps the session through a reload and exports JSON that matches the gallery', async () => {
    const before = await h.page.evaluate(async () => {
      await window.ocellus!.tagging.flush();
      const s = window.ocellus!.store.getState();
      return s.tagOrder.map((id) => s.tagImages[id]);
    });
    await h.page.reload();
    await waitForEngine(h.page);
    await h.page.waitForFunction(() => window.ocellus!.store.getState().tagOrder.length === 23);
    const after = await h.page.evaluate(() => {
      const s = window.ocellus!.store.getState();
      return s.tagOrder.map((id) => s.tagImages[id]);
    });
    expect(after).toEqual(before);
    await h.page.waitForSelector('[data-testid="tag-cell"] img');

    const [download] = await Promise.all([
      h.page.waitForEvent('download'),
      h.page.getByTestId('tag-export-json').click(),
    ]);
    const exported = JSON.parse(readFileSync((await download.path())!, 'utf8')) as ExportedSession;
    expect(exported.format).toBe('ocellus-tag-session');
    expect(exported.images).toHaveLength(23);
    const shown = await cells();
    expect(shown.length).toBe(23);
    for (const c of shown) {
      const e = exported.images.find((i) => i.name === c.name)!;
      expect(e, c.name).toBeDefined();
      expect(e.tags.slice(0, 3).map((t) => t.label.split(',')[0])).toEqual(c.tags);
      if (c.error) expect(e.error?.message).toBe(c.error);
      else expect(e.model).toEqual({ id: MODEL, version: expect.stringMatching(/^[0-9a-f]{12}$/) });
    }
    expect(exported.images[0].review).toBe('accepted');
    expect(exported.images[0].edits.map((x) => x.action)).toEqual(['accept']);
  });

  it('says clearly when storage is full and keeps working in memory', async () => {
    await h.page.evaluate(() => window.ocellus!.tagging.simulateQuotaFull(true));
    const first = await h.page.evaluate(() => window.ocellus!.store.getState().tagOrder[0]);
    await h.page.evaluate((id) => {
      window.ocellus!.store.getState().tagUpdate([id], (i) => ({ ...i, review: 'rejected' }));
    }, first);
    await h.page.getByTestId('tag-storage').waitFor();
    expect(await h.page.getByTestId('tag-storage').textContent()).toMatch(/Storage is full/);
    expect(
      await h.page.evaluate((id) => window.ocellus!.store.getState().tagImages[id].review, first),
    ).toBe('rejected');
    await h.page.evaluate(() => window.ocellus!.tagging.simulateQuotaFull(false));
  });

  it("adds the user's own model (model.json + weights + metadata.json) and tags with it", async () => {
    const dir = join(SHARED, 'models', MODEL);
    const files = readdirSync(dir)
      .filter((f) => f !== 'SOURCE.txt')
      .map((f) => join(dir, f));
    await waitForEngine(h.page);
    await h.page.getByRole('button', { name: 'Your model…' }).click();
    await h.page.getByTestId('tag-user-model-input').setInputFiles(files);
    await h.page.getByRole('button', { name: 'Add model' }).click();
    await h.page.getByText(/^Added and selected: user:/).waitFor({ timeout: 120_000 });
    await h.page.getByRole('button', { name: 'Close' }).click();
    const userId = await h.page.evaluate(() => window.ocellus!.store.getState().tagModelId);
    expect(userId).toMatch(/^user:model-[0-9a-f]{8}$/);
    expect(await h.page.getByTestId('tag-model').inputValue()).toBe(userId);

    const extra = imagenetSamples().filter((s) => s.name === 'zebra' || s.name === 'hammerhead');
    await h.page.setInputFiles(
      '[data-testid="tag-file-input"]',
      extra.map((s) => s.file),
    );
    await h.page.waitForFunction(
      (names) => {
        const s = window.ocellus!.store.getState();
        const imgs = Object.values(s.tagImages).filter((i) => names.includes(i.name));
        return imgs.length === 2 && imgs.every((i) => i.status === 'done');
      },
      extra.map((s) => `${s.wnid}_${s.name}.JPEG`),
      { timeout: 240_000 },
    );
    const tagged = await h.page.evaluate(() =>
      Object.values(window.ocellus!.store.getState().tagImages).filter((i) =>
        /zebra|hammerhead/.test(i.name),
      ),
    );
    expect(tagged).toHaveLength(2);
    for (const img of tagged) {
      expect(img.model?.id).toBe(userId);
      expect(img.tags).toHaveLength(3);
    }
    // Same weights as the catalog model, labels from metadata.json: the zebra is a zebra.
    expect(tagged.find((i) => i.name.includes('zebra'))!.tags[0].label).toMatch(/^zebra/);
  }, 600_000);
});
