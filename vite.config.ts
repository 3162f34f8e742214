import { defineConfig, type Plugin, type Connect } from 'vite';
import react from '@vitejs/plugin-react';
import { VitePWA } from 'vite-plugin-pwa';
import { createReadStream, existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { join, normalize, resolve, sep } from 'node:path';

const root = import.meta.dirname;
const weightsDir = resolve(root, 'models/weights');
const wasmDir = resolve(root, 'node_modules/@tensorflow/tfjs-backend-wasm/dist');

/** Serves files under `dir` at URL prefix `prefix`, refusing anything that escapes `dir`. */
function serveDir(
  prefix: string,
  dir: string,
  contentType: (p: string) => string,
): Connect.NextHandleFunction {
  return (req, res, next) => {
    const url = (req.url ?? '').split('?')[0];
    if (!url.startsWith(prefix)) return next();
    const rel = decodeURIComponent(url.slice(prefix.length));
    // In dev, /models/catalog.json is a source module: leave anything that is not a weights path alone.
    if (prefix === '/models/' && !/^(manifest\.json$|[^/.]+(\.[^/]+)*\/.+)/.test(rel))
      return next();
    const file = normalize(join(dir, rel));
    if (!file.startsWith(dir + sep) || !existsSync(file) || !statSync(file).isFile()) {
      res.statusCode = 404;
      res.end('not found');
      return;
    }
    res.setHeader('Content-Type', contentType(file));
    res.setHeader('Content-Length', String(statSync(file).size));
    res.setHeader('Cache-Control', 'no-cache');
    createReadStream(file).pipe(res);
  };
}

const typeOf = (p: string) =>
  p.endsWith('.json')
    ? 'application/json'
    : p.endsWith('.wasm')
      ? 'application/wasm'
      : 'application/octet-stream';

/**
 * Self-hosted model weights (fetched by `npm run models` into models/weights, never committed)
 * are served at /models/<id>/..., and the tfjs wasm binaries at /tfjs-wasm/, so the app needs
 * no third-party host for either.
 */
function ocellusAssets(): Plugin {
  const install = (add: (h: Connect.NextHandleFunction) => void) => {
    add(serveDir('/models/', weightsDir, typeOf));
    add(serveDir('/tfjs-wasm/', wasmDir, typeOf));
  };
  return {
    name: 'ocellus-assets',
    configureServer(server) {
      install((h) => server.middlewares.use(h));
    },
    configurePreviewServer(server) {
      install((h) => server.middlewares.use(h));
    },
    generateBundle() {
      for (const f of readdirSync(wasmDir).filter((n) => n.endsWith('.wasm'))) {
        this.emitFile({
          type: 'asset',
          fileName: `tfjs-wasm/${f}`,
          source: readFileSync(join(wasmDir, f)),
        });
      }
    },
  };
}

/** Hosts the catalog may download model files from: the only places connect-src allows. */
function modelHosts(): string[] {
  const catalog = JSON.parse(readFileSync(resolve(root, 'models/catalog.json'), 'utf8')) as {
    models: { sources: { kind: string; url?: string }[] }[];
  };
  const hosts = new Set<string>();
  for (const m of catalog.models) {
    for (const s of m.sources) if (s.kind === 'official' && s.url) hosts.add(new URL(s.url).origin);
  }
  // TF Hub redirects model files to Kaggle's storage.
  if (hosts.has('https://tfhub.dev'))
    hosts.add('https://www.kaggle.com').add('https://storage.googleapis.com');
  return [...hosts].sort();
}

/**
 * A strict Content-Security-Policy for the production build: no inline script, wasm compilation
 * only ('wasm-unsafe-eval', no 'unsafe-eval'), and network access limited to this origin and the
 * catalog's model hosts. Dev keeps Vite's HMR working, so the policy is added at build time only.
 */
function contentSecurityPolicy(): Plugin {
  const policy = [
    "default-src 'self'",
    "script-src 'self' 'wasm-unsafe-eval'",
    "worker-src 'self' blob:",
    // data:/blob: stay on the device (decoding dropped files); the rest are model hosts.
    `connect-src 'self' data: blob: ${modelHosts().join(' ')}`,
    "img-src 'self' blob: data:",
    "media-src 'self' blob: mediastream:",
    "style-src 'self' 'unsafe-inline'",
    "font-src 'self'",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'none'",
  ].join('; ');
  return {
    name: 'ocellus-csp',
    apply: 'build',
    transformIndexHtml: () => [
      {
        tag: 'meta',
        attrs: { 'http-equiv': 'Content-Security-Policy', content: policy },
        injectTo: 'head-prepend',
      },
    ],
  };
}

/**
 * Offline use: a web app manifest (installable) and a Workbox service worker that precaches the
 * app shell, every JS/CSS chunk (workers included) and the tfjs wasm binaries. Model weights are
 * not precached: verified bytes live in IndexedDB (src/models/weightCache.ts), so a model loaded
 * once loads again offline; only the small models/manifest.json is cached at run time (network
 * first). Registration is a same-origin registerSW.js (no inline script, the CSP stays strict),
 * added by the production build only: the dev server never registers a service worker.
 */
function offline(): Plugin[] {
  return VitePWA({
    injectRegister: 'script',
    registerType: 'autoUpdate',
    manifestFilename: 'manifest.webmanifest',
    // The glob below already lists the icons; listing them twice would duplicate precache entries.
    includeManifestIcons: false,
    manifest: {
      name: 'Ocellus',
      short_name: 'Ocellus',
      description: 'Private, on-device image recognition on your own GPU.',
      start_url: '/',
      scope: '/',
      display: 'standalone',
      background_color: '#112233',
      theme_color: '#112233',
      icons: [
        { src: '/icons/icon-192.png', sizes: '192x192', type: 'image/png' },
        { src: '/icons/icon-512.png', sizes: '512x512', type: 'image/png' },
        { src: '/icons/icon-512.png', sizes: '512x512', type: 'image/png', purpose: 'maskable' },
        { src: '/icons/icon.svg', sizes: 'any', type: 'image/svg+xml' },
      ],
    },
    workbox: {
      globPatterns: ['**/*.{html,js,css,wasm,svg,png}'],
      globIgnores: ['screenshot.png'],
      // The main and Live-worker chunks bundle tfjs (up to ~3 MB each), over the 2 MB default.
      maximumFileSizeToCacheInBytes: 32 * 1024 * 1024,
      navigateFallback: '/index.html',
      navigateFallbackDenylist: [/^\/models\//, /^\/tfjs-wasm\//],
      cleanupOutdatedCaches: true,
      // Take over the first visit's page as soon as the precache is complete, and replace an
      // older worker right away: the app keeps no state in the worker.
      clientsClaim: true,
      skipWaiting: true,
      runtimeCaching: [
        {
          urlPattern: ({ url, sameOrigin }) =>
            sameOrigin && url.pathname === '/models/manifest.json',
          handler: 'NetworkFirst',
          options: { cacheName: 'ocellus-model-manifest', networkTimeoutSeconds: 5 },
        },
      ],
    },
    devOptions: { enabled: false },
  });
}

export default defineConfig({
  plugins: [react(), ocellusAssets(), contentSecurityPolicy(), ...offline()],
  server: { port: 5173, strictPort: false },
  preview: { port: 4173, strictPort: false },
  build: { target: 'es2022', chunkSizeWarningLimit: 4096, sourcemap: false },
  worker: { format: 'es' },
  optimizeDeps: {
    // Pinned so Vite never re-optimises (and reloads the page) in the middle of a test.
    include: [
      'react',
      'react-dom',
      'react-dom/client',
      'zustand',
      'zustand/middleware',
      'idb',
      'fflate',
      '@tensorflow/tfjs',
      '@tensorflow/tfjs-backend-webgpu',
      '@tensorflow/tfjs-backend-wasm',
      '@tensorflow-models/coco-ssd',
      '@tensorflow-models/mobilenet',
      '@tensorflow-models/mobilenet/dist/imagenet_classes',
    ],
  },
  define: {
    __TFJS_VERSION__: JSON.stringify(
      (
        JSON.parse(
          readFileSync(resolve(root, 'node_modules/@tensorflow/tfjs/package.json'), 'utf8'),
        ) as { version: string }
      ).version,
    ),
  },
});
