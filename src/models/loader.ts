/**
 * Downloads a TF.js model's files with byte progress, verifies each against its sha256, caches
 * the verified bytes in IndexedDB and builds the model from memory. A file whose hash does not
 * match is refused: a tampered or truncated download never reaches the engine.
 */
import { tf } from '../engine/tf';
import type { ModelFile } from './catalog';
import { getCachedModel, putCachedModel } from './weightCache';

export class ModelIntegrityError extends Error {
  constructor(
    readonly file: string,
    readonly expected: string,
    readonly actual: string,
  ) {
    super(
      `Refused ${file}: its sha256 is ${actual.slice(0, 12)}…, expected ${expected.slice(0, 12)}…. The file is corrupt or has been tampered with.`,
    );
    this.name = 'ModelIntegrityError';
  }
}

export class ModelDownloadError extends Error {
  constructor(
    readonly url: string,
    message: string,
  ) {
    super(message);
    this.name = 'ModelDownloadError';
  }
}

export interface LoadProgress {
  phase: 'cache' | 'download' | 'verify' | 'build';
  loaded: number;
  total: number;
  file?: string;
}

export interface FetchedModel {
  modelJson: tf.io.ModelJSON;
  modelJsonSha256: string;
  /** Weight files by their path in the manifest, verified. */
  weights: Record<string, ArrayBuffer>;
  fromCache: boolean;
  /** Whether the cache write succeeded (false when storage is full or unavailable). */
  cached: boolean;
}

export interface FetchOptions {
  id: string;
  /** Absolute or root-relative URL of model.json. */
  url: string;
  /** Known files with hashes; when empty, hashes are computed and trusted on first use. */
  files: ModelFile[];
  onProgress?: (p: LoadProgress) => void;
  signal?: AbortSignal;
  /** Skip the IndexedDB cache (tests of the download path). */
  noCache?: boolean;
}

export async function sha256Hex(data: ArrayBuffer): Promise<string> {
  const digest = await crypto.subtle.digest('SHA-256', data);
  return [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, '0')).join('');
}

function resolveSibling(modelUrl: string, path: string): string {
  const u = new URL(modelUrl, globalThis.location?.href ?? 'http://localhost/');
  const query = u.search; // TF Hub needs ?tfjs-format=file on every file.
  const next = new URL(path, u);
  next.search = query;
  return u.origin === globalThis.location?.origin ? next.pathname + next.search : next.href;
}

async function download(
  url: string,
  onBytes: (n: number) => void,
  signal?: AbortSignal,
): Promise<ArrayBuffer> {
  let res: Response;
  try {
    res = await fetch(url, { signal, cache: 'no-cache' });
  } catch (e) {
    if ((e as Error).name === 'AbortError') throw e;
    throw new ModelDownloadError(url, `Could not reach ${url}: ${(e as Error).message}`);
  }
  if (!res.ok) throw new ModelDownloadError(url, `Download of ${url} failed: HTTP ${res.status}`);
  if (!res.body) {
    const buf = await res.arrayBuffer();
    onBytes(buf.byteLength);
    return buf;
  }
  const reader = res.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      chunks.push(value);
      size += value.byteLength;
      onBytes(value.byteLength);
    }
  } catch (e) {
    if ((e as Error).name === 'AbortError') throw e;
    throw new ModelDownloadError(
      url,
      `Download of ${url} broke off after ${size} bytes: ${(e as Error).message}`,
    );
  }
  const out = new Uint8Array(size);
  let off = 0;
  for (const c of chunks) {
    out.set(c, off);
    off += c.byteLength;
  }
  return out.buffer;
}

function weightPaths(modelJson: tf.io.ModelJSON): string[] {
  return (modelJson.weightsManifest ?? []).flatMap((g) => g.paths);
}

/** Fetches (or reads from cache) and verifies every file of a model. */
export async function fetchModel(opts: FetchOptions): Promise<FetchedModel> {
  const { id, url, files, onProgress, signal } = opts;
  const known = new Map(files.map((f) => [f.path, f]));
  const entryName = new URL(url, 'http://x/').pathname.split('/').pop() ?? 'model.json';
  const expectedEntry = known.get(entryName);

  const fromCache = async (sha: string): Promise<FetchedModel | null> => {
    if (opts.noCache) return null;
    const hit = await getCachedModel(id, sha);
    if (!hit) return null;
    const text = new TextDecoder().decode(hit.files[entryName]);
    const modelJson = JSON.parse(text) as tf.io.ModelJSON;
    const weights: Record<string, ArrayBuffer> = {};
    for (const p of weightPaths(modelJson)) {
      if (!hit.files[p]) return null;
      weights[p] = hit.files[p];
    }
    onProgress?.({ phase: 'cache', loaded: 1, total: 1 });
    return { modelJson, modelJsonSha256: sha, weights, fromCache: true, cached: true };
  };

  if (expectedEntry) {
    const hit = await fromCache(expectedEntry.sha256);
    if (hit) return hit;
  }

  const total = files.length ? files.reduce((n, f) => n + f.bytes, 0) : 0;
  let loaded = 0;
  let dynamicTotal = total;
  const tick = (file: string) => (n: number) => {
    loaded += n;
    onProgress?.({ phase: 'download', loaded, total: Math.max(dynamicTotal, loaded), file });
  };

  const verify = async (path: string, buf: ArrayBuffer): Promise<string> => {
    const actual = await sha256Hex(buf);
    const want = known.get(path);
    if (want && want.sha256 !== actual) throw new ModelIntegrityError(path, want.sha256, actual);
    if (want && want.bytes !== buf.byteLength)
      throw new ModelIntegrityError(path, want.sha256, actual);
    if (!want && files.length > 0) {
      throw new ModelDownloadError(
        url,
        `${path} is not listed in the catalog for ${id}: refusing it.`,
      );
    }
    return actual;
  };

  const entryBuf = await download(url, tick(entryName), signal);
  const entrySha = await verify(entryName, entryBuf);
  if (!expectedEntry) {
    const hit = await fromCache(entrySha);
    if (hit) return hit;
  }
  let modelJson: tf.io.ModelJSON;
  try {
    modelJson = JSON.parse(new TextDecoder().decode(entryBuf)) as tf.io.ModelJSON;
  } catch {
    throw new ModelDownloadError(url, `${entryName} is not valid JSON: the download is broken.`);
  }
  if (!modelJson.modelTopology || !Array.isArray(modelJson.weightsManifest)) {
    throw new ModelDownloadError(
      url,
      `${entryName} is not a TF.js model (no modelTopology or weightsManifest).`,
    );
  }
  if (!total) {
    dynamicTotal = entryBuf.byteLength;
  }
  const weights: Record<string, ArrayBuffer> = {};
  for (const p of weightPaths(modelJson)) {
    const buf = await download(resolveSibling(url, p), tick(p), signal);
    onProgress?.({ phase: 'verify', loaded, total: Math.max(dynamicTotal, loaded), file: p });
    await verify(p, buf);
    weights[p] = buf;
  }
  const cached = opts.noCache
    ? false
    : await putCachedModel({
        id,
        modelJsonSha256: entrySha,
        files: { [entryName]: entryBuf, ...weights },
      });
  return { modelJson, modelJsonSha256: entrySha, weights, fromCache: false, cached };
}

/** Turns verified bytes into model artifacts tfjs can load from memory (no further network). */
export async function toArtifacts(fetched: FetchedModel): Promise<tf.io.ModelArtifacts> {
  return tf.io.getModelArtifactsForJSON(fetched.modelJson, async (manifest) => {
    const specs = manifest.flatMap((g) => g.weights);
    const parts = manifest.flatMap((g) => g.paths.map((p) => new Uint8Array(fetched.weights[p])));
    const size = parts.reduce((n, p) => n + p.byteLength, 0);
    const all = new Uint8Array(size);
    let off = 0;
    for (const p of parts) {
      all.set(p, off);
      off += p.byteLength;
    }
    return [specs, all.buffer];
  });
}

export async function buildModel(
  format: 'layers' | 'graph',
  fetched: FetchedModel,
): Promise<tf.LayersModel | tf.GraphModel> {
  const artifacts = await toArtifacts(fetched);
  const handler = tf.io.fromMemory(artifacts);
  return format === 'layers' ? tf.loadLayersModel(handler) : tf.loadGraphModel(handler);
}
