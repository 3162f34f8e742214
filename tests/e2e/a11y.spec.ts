/**
 * Accessibility, checked in real Chromium: axe-core finds no serious or critical violation in
 * the three workspaces in working states (Live with the fake webcam and results, Tag with tagged
 * photos and a selection, Train with two classes, samples and results, the side panels open), the
 * top prediction is announced in a polite live region, and the shell and workspaces work from the
 * keyboard with a visible focus ring. WASM keeps it fast: this checks the page, not the GPU.
 */
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { readFileSync, readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { openPage, waitForEngine, type PageHandle } from '../harness/browser';
import { FLOWERS, cocoImage, imagenetSamples, makeY4m, requireShared } from '../harness/data';

const baseUrl = inject('baseUrl');
const AXE_SOURCE = readFileSync(
  createRequire(import.meta.url).resolve('axe-core/axe.min.js'),
  'utf8',
);
const PHOTO = '000000000036'; // a woman holding an umbrella

interface AxeNode {
  target: string[];
  html: string;
  failureSummary?: string;
}
interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  helpUrl: string;
  nodes: AxeNode[];
}

/**
 * Runs axe-core on the page and returns the serious and critical violations. axe is evaluated
 * through the DevTools protocol, which the production build's CSP (no inline script) allows.
 */
async function axeViolations(page: Page, where: string): Promise<AxeViolation[]> {
  if (!(await page.evaluate(() => 'axe' in window))) await page.evaluate(AXE_SOURCE);
  const violations = await page.evaluate(async () => {
    const { axe } = window as unknown as {
      axe: { run: (c: unknown, o: unknown) => Promise<{ violations: unknown[] }> };
    };
    const r = await axe.run(document, {
      runOnly: {
        type: 'tag',
        values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa', 'best-practice'],
      },
      resultTypes: ['violations'],
    });
    return r.violations as AxeViolation[];
  });
  const bad = violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
  const rest = violations.filter((v) => !bad.includes(v));
  if (rest.length) console.log(`axe (${where}), moderate/minor: ${summary(rest).join('; ')}`);
  if (bad.length) {
    console.log(
      `axe: ${bad.length} serious/critical violation(s) in ${where}:\n` +
        bad
          .map(
            (v) =>
              `- [${v.impact}] ${v.id}: ${v.help} (${v.helpUrl})\n` +
              v.nodes
                .slice(0, 8)
                .map(
                  (n) =>
                    `    ${n.target.join(' ')}\n      ${n.html.slice(0, 160)}\n      ${(n.failureSummary ?? '').replace(/\n/g, '\n      ')}`,
                )
                .join('\n'),
          )
          .join('\n'),
    );
  }
  return bad;
}

/** A compact list for the assertion message: "rule-id: selector, selector". */
const summary = (vs: AxeViolation[]) =>
  vs.map((v) => `${v.id} (${v.impact}): ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);

/**
 * What the focused element is, and whether its focus indicator can be seen: an outline or box
 * shadow on the element itself when it is visible, or on the label that wraps a hidden input
 * (the styled file pickers).
 */
async function focusInfo(page: Page) {
  return page.evaluate(() => {
    const el = document.activeElement as HTMLInputElement | null;
    if (!el || el === document.body) return null;
    const ring = (e: Element) => {
      const cs = getComputedStyle(e);
      return (
        (cs.outlineStyle !== 'none' && parseFloat(cs.outlineWidth) > 0) || cs.boxShadow !== 'none'
      );
    };
    const r = el.getBoundingClientRect();
    const shown = Number(getComputedStyle(el).opacity) > 0 && r.width > 2 && r.height > 2;
    const label = el.closest('label');
    const name = (
      el.getAttribute('aria-label') ??
      el.labels?.[0]?.textContent ??
      el.textContent ??
      ''
    )
      .trim()
      .replace(/\s+/g, ' ');
    return {
      tag: el.tagName.toLowerCase(),
      role: el.getAttribute('role'),
      name,
      focusVisible: el.matches(':focus-visible'),
      ringVisible: shown ? ring(el) : label !== null && ring(label),
    };
  });
}

/** Presses Tab up to `max` times and records every stop. */
async function tabStops(page: Page, max: number) {
  const stops: NonNullable<Awaited<ReturnType<typeof focusInfo>>>[] = [];
  for (let i = 0; i < max; i++) {
    await page.keyboard.press('Tab');
    const f = await focusInfo(page);
    if (f) stops.push(f);
  }
  return stops;
}

/** Presses Tab until the element with this test id has focus; returns every stop on the way. */
async function tabUntil(page: Page, testId: string, max: number) {
  const stops: NonNullable<Awaited<ReturnType<typeof focusInfo>>>[] = [];
  for (let i = 0; i < max; i++) {
    await page.keyboard.press('Tab');
    const f = await focusInfo(page);
    if (f) stops.push(f);
    if (
      await page.evaluate(
        (id) => document.activeElement?.getAttribute('data-testid') === id,
        testId,
      )
    )
      return stops;
  }
  throw new Error(`Tab never reached ${testId}; stops: ${stops.map((st) => st.name).join(' | ')}`);
}

describe('a11y: Live with the fake webcam and results', () => {
  let h: PageHandle;
  beforeAll(async () => {
    requireShared();
    h = await openPage(`${baseUrl}?backend=wasm`, {
      gpu: 'none',
      fakeVideo: makeY4m(cocoImage(PHOTO), `coco-${PHOTO}`),
    });
    await waitForEngine(h.page);
    await h.page.evaluate(() =>
      window.ocellus!.store.getState().updateLive({ classify: true, detect: false }),
    );
    await h.page.getByRole('tab', { name: 'Live' }).click();
    await h.page.getByTestId('live-labels').first().waitFor({ timeout: 180_000 });
  });
  afterAll(async () => h?.close());

  it('announces the top prediction in a polite live region, not every frame', async () => {
    const region = h.page.getByTestId('live-announcer');
    expect(await region.getAttribute('aria-live')).toBe('polite');
    await expect.poll(() => region.textContent(), { timeout: 30_000 }).toMatch(/umbrella/);
    // The visible top label and the announcement agree.
    const top = await h.page.getByTestId('live-labels').first().locator('li').first().textContent();
    expect(top).toContain('umbrella');
    // Rate-limited: the region's text changes far less often than results arrive.
    const changes = await h.page.evaluate(async () => {
      const el = document.querySelector('[data-testid="live-announcer"]')!;
      let n = 0;
      const mo = new MutationObserver(() => n++);
      mo.observe(el, { childList: true, characterData: true, subtree: true });
      const r0 = window.ocellus!.live.hud()?.results ?? 0;
      await new Promise((r) => setTimeout(r, 4000));
      mo.disconnect();
      return { mutations: n, results: (window.ocellus!.live.hud()?.results ?? 0) - r0 };
    });
    expect(changes.results).toBeGreaterThan(2);
    expect(changes.mutations).toBeLessThanOrEqual(2);
  });

  it('has no serious or critical axe violations, classifying and then detecting with a class filter', async () => {
    const page = h.page;
    expect(summary(await axeViolations(page, 'Live (classify)'))).toEqual([]);

    await page.getByRole('checkbox', { name: 'Detect' }).check();
    const person = page.locator('[data-testid="live-detections"] li[data-label="person"]');
    await person.first().waitFor({ timeout: 240_000 });
    // The class filter from the keyboard: type a class, Enter adds it as a removable chip.
    await page.getByTestId('class-filter-input').fill('person');
    await page.getByTestId('class-filter-input').press('Enter');
    await page.getByRole('button', { name: 'Remove person from the filter' }).waitFor();
    expect(summary(await axeViolations(page, 'Live (detect + filter)'))).toEqual([]);
  }, 300_000);

  it('the axe check itself catches a low-contrast button and an image without alt text', async () => {
    await h.page.evaluate(() => {
      const d = document.createElement('div');
      d.id = 'axe-canary';
      d.innerHTML =
        '<button style="color:#777;background:#888">faint</button><img src="/favicon.svg" width="8" height="8">';
      document.querySelector('main')!.append(d);
    });
    try {
      const ids = (await axeViolations(h.page, 'Live with a planted canary')).map((v) => v.id);
      expect(ids).toEqual(expect.arrayContaining(['color-contrast', 'image-alt']));
    } finally {
      await h.page.evaluate(() => document.getElementById('axe-canary')?.remove());
    }
  });

  it('reaches the shell and the Live controls with Tab, with a visible focus ring', async () => {
    const page = h.page;
    // Click the brand (the first thing on the page), so Tab starts from the top.
    await page.locator('.brand').click();
    const stops = await tabStops(page, 16);
    const names = stops.map((s) => s.name);
    // The workspace tabs are one stop (arrow keys move between them), then the panel buttons.
    expect(names).toContain('Live');
    expect(names).not.toContain('Tag'); // inactive tabs are reached with the arrow keys
    expect(names).toContain('GPU');
    expect(names).toContain('Settings');
    expect(stops.some((s) => s.tag === 'select' && /Camera/.test(s.name))).toBe(true);
    expect(names).toContain('Pause');
    expect(names.some((n) => n.startsWith('Snapshot'))).toBe(true);
    for (const s of stops) {
      expect(s.focusVisible, `${s.tag} "${s.name}" matches :focus-visible`).toBe(true);
      expect(s.ringVisible, `${s.tag} "${s.name}" has a visible outline`).toBe(true);
    }
  });

  it('activates controls with Enter and Space, and moves between tabs with the arrow keys', async () => {
    const page = h.page;
    await page.getByRole('tab', { name: 'Live' }).focus();
    await page.keyboard.press('ArrowRight');
    expect(await focusInfo(page)).toMatchObject({ role: 'tab', name: 'Tag' });
    expect(await page.getByRole('tab', { name: 'Tag' }).getAttribute('aria-selected')).toBe('true');
    await page.keyboard.press('ArrowLeft');
    expect(await page.getByRole('tab', { name: 'Live' }).getAttribute('aria-selected')).toBe(
      'true',
    );

    // Enter opens a side panel and moves focus into it; Escape closes it and returns focus.
    const gpu = page.getByRole('button', { name: 'GPU' });
    await gpu.focus();
    await page.keyboard.press('Enter');
    await page.getByTestId('capabilities').waitFor();
    expect(await gpu.getAttribute('aria-expanded')).toBe('true');
    expect(await focusInfo(page)).toMatchObject({ tag: 'aside', name: 'GPU capabilities' });
    await page.keyboard.press('Escape');
    await page.getByTestId('capabilities').waitFor({ state: 'detached' });
    expect(await focusInfo(page)).toMatchObject({ tag: 'button', name: 'GPU', ringVisible: true });

    const settings = page.getByRole('button', { name: 'Settings' });
    await settings.focus();
    await page.keyboard.press('Space');
    await page.getByTestId('settings').waitFor();
    await page.keyboard.press('Tab');
    expect(await focusInfo(page)).toMatchObject({ tag: 'select', ringVisible: true });
    await page.keyboard.press('Escape');
    await page.getByTestId('settings').waitFor({ state: 'detached' });
    expect((await focusInfo(page))?.name).toBe('Settings');

    const pause = page.getByRole('button', { name: 'Pause' });
    await pause.focus();
    await page.keyboard.press('Space');
    const resume = page.getByRole('button', { name: 'Resume' });
    expect(await resume.getAttribute('aria-pressed')).toBe('true');
    await page.keyboard.press('Space');
    expect(await page.getByRole('button', { name: 'Pause' }).getAttribute('aria-pressed')).toBe(
      'false',
    );
  });
});

describe('a11y: Tag with tagged photos', () => {
  let h: PageHandle;
  beforeAll(async () => {
    requireShared();
    h = await openPage(`${baseUrl}?backend=wasm`, { gpu: 'none' });
    await waitForEngine(h.page);
  });
  afterAll(async () => h?.close());

  it('has no serious or critical axe violations with a tagged gallery, a selection and the large view', async () => {
    const page = h.page;
    await page.getByRole('tab', { name: 'Tag' }).click();
    const samples = imagenetSamples().slice(0, 4);
    await page.setInputFiles(
      '[data-testid="tag-file-input"]',
      samples.map((s) => s.file),
    );
    await expect
      .poll(
        () =>
          page.$$eval(
            '[data-testid="tag-cell"]',
            (els) => els.filter((e) => e.getAttribute('data-status') === 'done').length,
          ),
        { timeout: 180_000 },
      )
      .toBe(4);
    expect(summary(await axeViolations(page, 'Tag (gallery)'))).toEqual([]);

    // Keyboard: focus the gallery, select with Space, open with Enter.
    await page.getByRole('tab', { name: 'Tag' }).focus();
    const stops = await tabUntil(page, 'tag-gallery', 40);
    const names = stops.map((st) => st.name);
    expect(names).toContain('Add photos');
    expect(names).toContain('Export JSON');
    expect(names).toContain('Search names and tags');
    for (const st of stops) expect(st.ringVisible, `"${st.name}" has a visible ring`).toBe(true);
    expect(stops.at(-1)?.role).toBe('listbox');
    await page.keyboard.press('ArrowRight');
    await page.keyboard.press('Space');
    await page.getByTestId('tag-selection').waitFor();
    expect(await page.locator('[role="option"][aria-selected="true"]').count()).toBe(1);
    expect(summary(await axeViolations(page, 'Tag (selection)'))).toEqual([]);

    await page.keyboard.press('Enter');
    await page.getByTestId('tag-large').waitFor();
    expect(summary(await axeViolations(page, 'Tag (large view)'))).toEqual([]);
    // A modal keeps Tab inside itself, both ways.
    for (const key of ['Tab', 'Shift+Tab']) {
      for (let i = 0; i < 25; i++) {
        await page.keyboard.press(key);
        const inside = await page.evaluate(() =>
          document.querySelector('[data-testid="tag-large"]')!.contains(document.activeElement),
        );
        expect(inside, `${key} #${i + 1} stays in the dialog`).toBe(true);
      }
    }
    expect((await focusInfo(page))?.ringVisible).toBe(true);
    await page.keyboard.press('Escape');
    await page.getByTestId('tag-large').waitFor({ state: 'detached' });
  });

  it('announces the finished run politely', async () => {
    const region = h.page.getByTestId('tag-announcer');
    expect(await region.getAttribute('aria-live')).toBe('polite');
    expect(await region.textContent()).toMatch(/4 of 4 photos tagged/);
  });
});

describe('a11y: Train with two classes and samples', () => {
  let h: PageHandle;
  const flowers = (cls: string) =>
    readdirSync(join(FLOWERS, cls))
      .filter((f) => f.endsWith('.jpg'))
      .sort()
      .slice(0, 4)
      .map((f) => join(FLOWERS, cls, f));

  beforeAll(async () => {
    requireShared();
    h = await openPage(`${baseUrl}?backend=wasm`, { gpu: 'none' });
    await waitForEngine(h.page);
  });
  afterAll(async () => h?.close());

  it('has no serious or critical axe violations with classes, samples, results and each side panel', async () => {
    const page = h.page;
    await page.getByRole('tab', { name: 'Train' }).click();
    await page.getByRole('button', { name: 'Add class' }).waitFor();
    await page.evaluate(() =>
      window.ocellus!.train.settings({ baseId: 'mobilenet_v1_0.25_224', mode: 'knn' }),
    );
    for (const name of ['daisy', 'sunflowers']) {
      await page.getByRole('button', { name: 'Add class' }).click();
      const input = page.getByLabel('Class name').last();
      await input.fill(name);
      await input.press('Enter');
      await page.getByTestId(`drop-${name}`).waitFor();
      await page
        .getByRole('region', { name: `Class ${name}` })
        .locator('input[type="file"]:not([webkitdirectory])')
        .setInputFiles(flowers(name));
      await expect.poll(() => page.getByTestId(`count-${name}`).textContent()).toBe('4');
    }
    expect(summary(await axeViolations(page, 'Train (classes)'))).toEqual([]);

    // Build the KNN model with the keyboard, then classify a photo: results and their announcement.
    const build = page.getByRole('button', { name: 'Build KNN' });
    await build.focus();
    await page.keyboard.press('Enter');
    await expect
      .poll(() => page.getByTestId('train-status').textContent(), { timeout: 180_000 })
      .toMatch(/^Done/);
    const held = readdirSync(join(FLOWERS, 'sunflowers'))
      .filter((f) => f.endsWith('.jpg'))
      .sort()[9];
    await page
      .getByTestId('use-drop')
      .locator('input[type="file"]')
      .setInputFiles(join(FLOWERS, 'sunflowers', held));
    await page.getByTestId('use-top').first().waitFor({ timeout: 60_000 });
    const top = await page.getByTestId('use-top').first().textContent();
    await expect.poll(() => page.getByTestId('use-announcer').textContent()).toContain(`${top}`);
    expect(summary(await axeViolations(page, 'Train (results)'))).toEqual([]);

    await page.getByRole('button', { name: 'Settings' }).click();
    await page.getByTestId('settings').waitFor();
    expect(summary(await axeViolations(page, 'Train + Settings panel'))).toEqual([]);

    await page.getByRole('button', { name: 'GPU' }).click();
    await page.getByTestId('capabilities').waitFor();
    expect(summary(await axeViolations(page, 'Train + GPU panel'))).toEqual([]);
  });

  it('reaches the Train controls with Tab, every stop with a visible focus ring', async () => {
    const page = h.page;
    await page.keyboard.press('Escape');
    await page.getByRole('tab', { name: 'Train' }).focus();
    const stops = await tabStops(page, 40);
    const names = stops.map((s) => s.name);
    expect(names).toContain('Add class');
    expect(names).toContain('Use webcam');
    expect(names).toContain('Class name');
    expect(names.some((n) => /^Delete class/.test(n))).toBe(true);
    expect(names).toContain('photos'); // the styled file picker: its label shows the ring
    for (const s of stops) {
      expect(s.focusVisible, `${s.tag} "${s.name}" matches :focus-visible`).toBe(true);
      expect(s.ringVisible, `${s.tag} "${s.name}" has a visible outline`).toBe(true);
    }
  });
});
