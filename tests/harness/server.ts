/**
 * Serves the app for e2e tests, evals and benchmarks on 127.0.0.1: the production build through
 * `vite preview` by default (what users get, CSP included), or the dev server with
 * OCELLUS_E2E_SERVER=dev for fast iteration.
 */
import { build, createServer, preview, type PreviewServer, type ViteDevServer } from 'vite';
import { existsSync, statSync } from 'node:fs';
import { resolve } from 'node:path';

export interface RunningServer {
  url: string;
  close: () => Promise<void>;
}

const root = resolve(import.meta.dirname, '../..');

export async function startServer(
  mode = process.env.OCELLUS_E2E_SERVER ?? 'preview',
): Promise<RunningServer> {
  if (mode === 'dev') {
    const server: ViteDevServer = await createServer({
      root,
      logLevel: 'warn',
      server: { host: '127.0.0.1', port: 0 },
    });
    await server.listen();
    const url = server.resolvedUrls?.local[0] ?? 'http://127.0.0.1:5173/';
    return { url, close: () => server.close() };
  }
  // OCELLUS_DIST lets parallel runs build into their own folders instead of racing on dist/.
  const outDir = resolve(root, process.env.OCELLUS_DIST ?? 'dist');
  const dist = resolve(outDir, 'index.html');
  const fresh =
    existsSync(dist) && process.env.OCELLUS_REUSE_BUILD === '1' && statSync(dist).size > 0;
  if (!fresh) await build({ root, logLevel: 'warn', build: { outDir, emptyOutDir: true } });
  return serveBuild(outDir);
}

/**
 * Serves an existing production build on a fresh port (its own origin, so its service worker
 * and storage are its own). close() also drops open keep-alive connections: once closed, the
 * origin is really unreachable (the offline test relies on it).
 */
export async function serveBuild(
  outDir = resolve(root, process.env.OCELLUS_DIST ?? 'dist'),
): Promise<RunningServer> {
  const server: PreviewServer = await preview({
    root,
    logLevel: 'warn',
    build: { outDir },
    preview: { host: '127.0.0.1', port: 0 },
  });
  const url = server.resolvedUrls?.local[0] ?? 'http://127.0.0.1:4173/';
  return {
    url,
    close: () =>
      new Promise<void>((res) => {
        server.httpServer.close(() => res());
        if ('closeAllConnections' in server.httpServer) server.httpServer.closeAllConnections();
      }),
  };
}
