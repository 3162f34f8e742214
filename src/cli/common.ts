/** Shared pieces of the CLIs (eval, bench): argument parsing, the served app, statistics. */
import { startServer, type RunningServer } from '../../tests/harness/server';
import {
  openPage,
  waitForEngine,
  type GpuMode,
  type LaunchOptions,
  type PageHandle,
} from '../../tests/harness/browser';
import type { BackendName } from '../engine/backendNames';

export type Flags = Record<string, string | boolean | string[]>;

/** `--key value`, `--flag`, repeated keys collect into arrays; positionals under `_`. */
export function parseFlags(argv: string[]): { _: string[]; flags: Flags } {
  const _: string[] = [];
  const flags: Flags = {};
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (!a.startsWith('--')) {
      _.push(a);
      continue;
    }
    const [k, inline] = a.slice(2).split('=', 2);
    const next = argv[i + 1];
    const v = inline ?? (next !== undefined && !next.startsWith('--') ? (i++, next) : true);
    const prev = flags[k];
    flags[k] = prev === undefined ? v : ([] as string[]).concat(prev as string[], String(v));
  }
  return { _, flags };
}

export function str(flags: Flags, key: string, fallback?: string): string | undefined {
  const v = flags[key];
  if (Array.isArray(v)) return v[v.length - 1];
  if (typeof v === 'string') return v;
  return fallback;
}

export function list(flags: Flags, key: string): string[] {
  const v = flags[key];
  if (v === undefined || v === true || v === false) return [];
  return ([] as string[]).concat(v as string | string[]).flatMap((s) => s.split(','));
}

/** Which Chromium GPU mode a tfjs backend needs here. */
export function gpuModeFor(backend: BackendName): GpuMode {
  return backend === 'webgpu' ? 'webgpu' : backend === 'webgl' ? 'webgl' : 'none';
}

export interface AppSession {
  server: RunningServer;
  open: (backend: BackendName, opts?: LaunchOptions & { query?: string }) => Promise<PageHandle>;
  close: () => Promise<void>;
}

/** Serves the app once and opens pages pinned to a backend, asserting the backend really started. */
export async function appSession(): Promise<AppSession> {
  const server = await startServer(process.env.OCELLUS_E2E_SERVER ?? 'preview');
  return {
    server,
    open: async (backend, opts = {}) => {
      const h = await openPage(
        `${server.url}?backend=${backend}${opts.query ? `&${opts.query}` : ''}`,
        {
          gpu: gpuModeFor(backend),
          ...opts,
        },
      );
      const got = await waitForEngine(h.page);
      if (got !== backend) {
        await h.close();
        throw new Error(`backend ${backend} did not start in Chromium (got ${got})`);
      }
      return h;
    },
    close: () => server.close(),
  };
}

export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

export function quantile(xs: number[], q: number): number {
  const s = [...xs].sort((a, b) => a - b);
  if (!s.length) return NaN;
  const pos = (s.length - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return s[lo] + (s[hi] - s[lo]) * (pos - lo);
}
