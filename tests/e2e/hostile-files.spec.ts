/**
 * Fuzz-style drop of hostile files onto the Tag workspace, on WebGPU (SwiftShader here): empty,
 * truncated and bit-flipped JPEG/PNG/WebP, a 20000×20000 PNG, decompression bombs, script-bearing
 * SVG and HTML, 0×0 and 1×1 images, a CMYK JPEG, an animated GIF, HEIC, 200 MB files and hostile
 * names. Each file gets its own clear error or a correct result, nothing hangs, nothing from a
 * file reaches the page as markup or script, no tensor leaks, and the app tags a photo afterwards.
 */
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openPage, waitForEngine, type PageHandle } from '../harness/browser';
import { imagenetSamples, requireShared } from '../harness/data';
import { HOSTILE_NAMES, makeHostileFiles, type HostileFile } from '../harness/hostileFiles';
import { visibleName } from '../../src/ui/tag/format';
import type { TagImage } from '../../src/tagging/types';

const baseUrl = inject('baseUrl');
const MODEL = 'mobilenet_v1_0.25_224';

/** Every error the decode path may give a damaged file: each names what is wrong. */
const CLEAR_ERRORS =
  /^(corrupt: (truncated image data|the image data could not be decoded|the header says 0 pixels|decoded to 0 pixels)|not an image|unsupported format: \w+|too large: .+)$/;

describe('hostile files dropped on Tag (WebGPU)', () => {
  let h: PageHandle;
  let dir: string;
  let files: HostileFile[];
  const dialogs: string[] = [];
  let tensorsBefore = 0;
  let inlineScripts = 0;
  const sample = (name: string) => imagenetSamples().find((s) => s.name === name)!;

  beforeAll(async () => {
    requireShared();
    dir = mkdtempSync(join(tmpdir(), 'ocellus-hostile-'));
    files = await makeHostileFiles(
      dir,
      { a: sample('water_tower').file, b: sample('zebra').file },
      { a: /^water tower/, b: /^zebra/ },
    );
    h = await openPage(`${baseUrl}?backend=webgpu`, { gpu: 'webgpu' });
    h.page.on('dialog', (d) => {
      dialogs.push(d.message());
      void d.dismiss();
    });
    expect(await waitForEngine(h.page)).toBe('webgpu');
    await h.page.evaluate(async (id) => void (await window.ocellus!.loadModel(id)), MODEL);
    tensorsBefore = await h.page.evaluate(() => window.ocellus!.tf.memory().numTensors);
    // The dev server injects an inline script of its own; the production build has none (CSP).
    inlineScripts = await h.page.locator('script:not([src])').count();
  });
  afterAll(async () => {
    await h?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  const images = () =>
    h.page.evaluate(() => {
      const s = window.ocellus!.store.getState();
      return s.tagOrder.map((id) => s.tagImages[id]);
    }) as Promise<TagImage[]>;

  it('gives each of 30+ hostile files its own clear error or a correct result, in bounded time', async () => {
    expect(files.length).toBeGreaterThanOrEqual(30);
    const t0 = Date.now();
    // Paths, not bytes: playwright streams the files (the 200 MB ones included) into the input.
    await h.page.setInputFiles(
      '[data-testid="tag-file-input"]',
      files.map((f) => f.path),
    );
    await h.page.waitForFunction(
      (n) => {
        const s = window.ocellus!.store.getState();
        return (
          s.tagOrder.length === n && s.tagOrder.every((id) => s.tagImages[id].status !== 'queued')
        );
      },
      files.length,
      { timeout: 150_000, polling: 250 },
    );
    await h.page.waitForSelector('[data-testid="tag-run"][data-state="finished"]');
    const seconds = (Date.now() - t0) / 1000;
    expect(seconds).toBeLessThan(150);

    const byName = new Map((await images()).map((i) => [i.name, i]));
    const outcome = Object.fromEntries(
      files.map((f) => {
        const i = byName.get(f.name);
        return [f.name, i?.status === 'done' ? `done: ${i.tags[0]?.label}` : i?.error?.message];
      }),
    );
    console.log(`hostile drop: ${files.length} files in ${seconds.toFixed(1)} s`, outcome);
    for (const f of files) {
      const img = byName.get(f.name);
      expect(img, f.name).toBeDefined();
      const e = f.expected;
      if (e.status === 'error') {
        expect(img!.status, f.name).toBe('error');
        if (typeof e.message === 'string') expect(img!.error?.message, f.name).toBe(e.message);
        else expect(img!.error?.message, f.name).toMatch(e.message);
      } else if (e.status === 'done') {
        expect(img!.status, `${f.name}: ${img!.error?.message}`).toBe('done');
        expect(img!.tags, f.name).toHaveLength(3);
        expect(img!.hasThumb, f.name).toBe(true);
        if (e.width) expect([img!.width, img!.height], f.name).toEqual([e.width, e.height]);
        if (e.top1) expect(img!.tags[0].label, f.name).toMatch(e.top1);
      } else if (img!.status === 'error') {
        expect(img!.error?.message, f.name).toMatch(CLEAR_ERRORS);
      } else {
        expect(img!.status, f.name).toBe('done');
        expect(img!.tags, f.name).toHaveLength(3);
      }
    }
    // The run counts every file as handled.
    expect(await h.page.getByTestId('tag-run-count').textContent()).toBe(
      `${files.length} / ${files.length}`,
    );
  }, 240_000);

  it('injects nothing: no dialog, no script, names shown as text only', async () => {
    expect(dialogs).toEqual([]);
    expect(await h.page.evaluate(() => (window as { __pwned?: unknown }).__pwned)).toBeUndefined();
    // No element made from a file's name or content exists.
    expect(await h.page.locator('img[src="x"], [onerror], [onload]').count()).toBe(0);
    expect(await h.page.locator('script:not([src])').count()).toBe(inlineScripts);
    const search = h.page.getByTestId('tag-search');
    const terms = { img: 'onerror', svg: 'onload', rtl: 'invoice', long: 'long-name' };
    for (const [key, name] of Object.entries(HOSTILE_NAMES)) {
      await search.fill(terms[key as keyof typeof terms]);
      const cell = h.page.locator('[data-testid="tag-cell"]', { has: h.page.locator('.tag-name') });
      await expect.poll(() => cell.count(), { timeout: 10_000 }).toBe(1);
      expect(await cell.getAttribute('data-name')).toBe(name);
      // Rendered as text, with invisible direction overrides made visible.
      expect(await cell.locator('.tag-name').textContent()).toBe(visibleName(name));
      expect(await cell.locator('.tag-name *').count()).toBe(0);
    }
    await search.fill('invoice');
    const rtlText = await h.page.locator('[data-testid="tag-cell"] .tag-name').textContent();
    expect(rtlText).not.toContain('\u202E');
    expect(rtlText).toContain('U+202E');
    // The 240-character name is cut to the tile, not widening it.
    await search.fill('long-name');
    const box = await h.page.locator('[data-testid="tag-cell"]').boundingBox();
    expect(box!.width).toBeLessThan(400);
    await search.fill('');
  });

  it('frees every tensor and still tags a real photo correctly afterwards', async () => {
    expect(await h.page.evaluate(() => window.ocellus!.tf.memory().numTensors)).toBe(tensorsBefore);
    const zebra = sample('zebra');
    await h.page.setInputFiles('[data-testid="tag-file-input"]', [zebra.file]);
    const name = `${zebra.wnid}_${zebra.name}.JPEG`;
    await h.page.waitForFunction(
      (n) =>
        Object.values(window.ocellus!.store.getState().tagImages).some(
          (i) => i.name === n && i.status === 'done',
        ),
      name,
      { timeout: 120_000 },
    );
    const img = (await images()).find((i) => i.name === name)!;
    expect(img.tags[0].label).toMatch(/^zebra/);
    expect(await h.page.evaluate(() => window.ocellus!.tf.memory().numTensors)).toBe(tensorsBefore);
    expect(dialogs).toEqual([]);
  }, 180_000);
});
