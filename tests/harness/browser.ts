/**
 * The one browser launcher for e2e tests, evals and benchmarks: Debian's Chromium driven by
 * playwright-core (never a downloaded browser), in one of two GPU modes:
 *  - 'webgpu': WebGPU on SwiftShader (a software fallback adapter here, a real GPU elsewhere);
 *  - 'webgl':  WebGL on Mesa llvmpipe through ANGLE/EGL.
 * Optionally with a fake webcam fed from a y4m file.
 */
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { existsSync } from 'node:fs';

export type GpuMode = 'webgpu' | 'webgl' | 'none';

export interface LaunchOptions {
  gpu?: GpuMode;
  /** Absolute path to a y4m file for the fake webcam. */
  fakeVideo?: string;
  /** Grant the camera (default true when fakeVideo is set). */
  cameraPermission?: 'grant' | 'deny';
  extraArgs?: string[];
}

export const CHROMIUM = process.env.OCELLUS_CHROMIUM ?? '/usr/bin/chromium';

const BASE_FLAGS = [
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--disable-quic',
  '--disable-default-apps',
  '--no-default-browser-check',
  '--disable-dev-shm-usage',
];

export function gpuFlags(mode: GpuMode): string[] {
  if (mode === 'webgpu') {
    return ['--enable-unsafe-webgpu', '--ignore-gpu-blocklist'];
  }
  if (mode === 'webgl') return ['--use-gl=angle', '--use-angle=gl-egl', '--ignore-gpu-blocklist'];
  return ['--disable-gpu'];
}

export async function launch(opts: LaunchOptions = {}): Promise<Browser> {
  if (!existsSync(CHROMIUM)) {
    throw new Error(
      `${CHROMIUM} not found: install Debian's chromium (apt-get install -y chromium)`,
    );
  }
  const args = [...BASE_FLAGS, ...gpuFlags(opts.gpu ?? 'webgpu'), ...(opts.extraArgs ?? [])];
  if (process.getuid?.() === 0) args.push('--no-sandbox');
  if (opts.fakeVideo) {
    args.push(
      '--use-fake-device-for-media-stream',
      `--use-file-for-fake-video-capture=${opts.fakeVideo}`,
    );
    if ((opts.cameraPermission ?? 'grant') === 'grant') args.push('--use-fake-ui-for-media-stream');
  }
  // playwright gives every launch a fresh temporary --user-data-dir.
  return chromium.launch({ executablePath: CHROMIUM, headless: true, args });
}

export interface PageHandle {
  browser: Browser;
  context: BrowserContext;
  page: Page;
  /** Every request URL the page made. */
  requests: string[];
  consoleErrors: string[];
  close: () => Promise<void>;
}

/** Opens a page with request and console recording. */
export async function openPage(url: string, opts: LaunchOptions = {}): Promise<PageHandle> {
  const browser = await launch(opts);
  const context = await browser.newContext({
    viewport: { width: 1280, height: 860 },
    permissions: opts.cameraPermission === 'deny' ? [] : opts.fakeVideo ? ['camera'] : [],
  });
  // tsx (esbuild keepNames) wraps functions passed to page.evaluate with __name(); make it a no-op.
  await context.addInitScript('globalThis.__name = globalThis.__name || ((f) => f);');
  const page = await context.newPage();
  const requests: string[] = [];
  const consoleErrors: string[] = [];
  page.on('request', (r) => requests.push(r.url()));
  page.on('console', (m) => {
    if (m.type() === 'error') consoleErrors.push(m.text());
  });
  page.on('pageerror', (e) => consoleErrors.push(`pageerror: ${e.message}`));
  await page.goto(url);
  return {
    browser,
    context,
    page,
    requests,
    consoleErrors,
    close: async () => {
      await context.close().catch(() => undefined);
      await browser.close().catch(() => undefined);
    },
  };
}

/** Waits until the app's engine is started, and returns its backend. */
export async function waitForEngine(page: Page, timeoutMs = 300_000): Promise<string> {
  await page.waitForFunction(() => Boolean(window.ocellus), undefined, { timeout: timeoutMs });
  await page.evaluate(() => window.ocellus!.ready());
  return page.evaluate(() => window.ocellus!.tf.getBackend());
}
