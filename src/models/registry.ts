/**
 * Where each catalog model can come from right now (self-hosted, cached, official host) and the
 * one function the app uses to load a catalog model onto the engine.
 */
import { engine, type AnyModel, type ModelHandle } from '../engine/engine';
import {
  catalog,
  catalogEntry,
  officialUrl,
  type CatalogEntry,
  type SelfHostedManifest,
} from './catalog';
import {
  buildModel,
  fetchModel,
  ModelDownloadError,
  type FetchedModel,
  type LoadProgress,
} from './loader';
import { cachedModelIds, getLatestCachedModel } from './weightCache';

export type Availability =
  | { state: 'ready'; url: string; where: 'self-hosted' | 'cache' }
  | { state: 'downloadable'; url: string; where: 'official' | 'custom' }
  | { state: 'unavailable'; why: string };

export async function fetchManifest(): Promise<SelfHostedManifest | null> {
  try {
    const res = await fetch(`${import.meta.env.BASE_URL}models/manifest.json`, {
      cache: 'no-cache',
    });
    if (!res.ok) return null;
    return (await res.json()) as SelfHostedManifest;
  } catch {
    return null;
  }
}

export function selfHostedUrl(
  entry: CatalogEntry,
  manifest: SelfHostedManifest | null,
): string | null {
  const m = manifest?.models[entry.id];
  return m ? `${import.meta.env.BASE_URL}models/${entry.id}/${m.entry}` : null;
}

export function availabilityOf(
  entry: CatalogEntry,
  manifest: SelfHostedManifest | null,
  cached: string[],
  customUrl?: string,
): Availability {
  const self = selfHostedUrl(entry, manifest);
  if (self) return { state: 'ready', url: self, where: 'self-hosted' };
  if (customUrl) return { state: 'downloadable', url: customUrl, where: 'custom' };
  const official = officialUrl(entry);
  if (cached.includes(entry.id)) return { state: 'ready', url: official ?? '', where: 'cache' };
  if (official) return { state: 'downloadable', url: official, where: 'official' };
  return {
    state: 'unavailable',
    why: `not self-hosted: run \`npm run models${entry.optional ? ` -- --include ${entry.id}` : ''}\`, or \`npm run models -- --from <dir>\` with a folder holding ${entry.id}/`,
  };
}

export async function allAvailability(customUrls: Record<string, string> = {}) {
  const [manifest, cached] = await Promise.all([fetchManifest(), cachedModelIds()]);
  const out: Record<string, Availability> = {};
  for (const e of catalog.models) out[e.id] = availabilityOf(e, manifest, cached, customUrls[e.id]);
  return out;
}

export interface LoadOptions {
  onProgress?: (p: LoadProgress) => void;
  /** A user-supplied model.json URL (e.g. self-hosted COCO-SSD weights). */
  modelUrl?: string;
  signal?: AbortSignal;
}

async function fetchWithOfflineFallback(
  entry: CatalogEntry,
  url: string,
  opts: LoadOptions,
): Promise<FetchedModel> {
  try {
    return await fetchModel({
      id: entry.id,
      url,
      files: entry.files,
      onProgress: opts.onProgress,
      signal: opts.signal,
    });
  } catch (e) {
    // Offline with an official-host model seen before: use the copy verified on first use.
    if (e instanceof ModelDownloadError && entry.files.length === 0) {
      const hit = await getLatestCachedModel(entry.id);
      if (hit) {
        const entryName = Object.keys(hit.files).find((k) => k.endsWith('.json')) ?? 'model.json';
        const modelJson = JSON.parse(new TextDecoder().decode(hit.files[entryName]));
        const weights = { ...hit.files };
        delete weights[entryName];
        return {
          modelJson,
          modelJsonSha256: hit.modelJsonSha256,
          weights,
          fromCache: true,
          cached: true,
        };
      }
    }
    throw e;
  }
}

/** Loads a catalog model onto the engine (verified, cached) and returns its handle. */
export async function loadCatalogModel<M extends AnyModel = AnyModel>(
  id: string,
  opts: LoadOptions = {},
): Promise<ModelHandle<M> & { fetched: FetchedModel; entry: CatalogEntry }> {
  const entry = catalogEntry(id);
  const manifest = await fetchManifest();
  // With known hashes the cache is tried before any request, so the self-hosted path also
  // serves a model cached earlier when the server or network is gone.
  const url =
    opts.modelUrl ??
    selfHostedUrl(entry, manifest) ??
    officialUrl(entry) ??
    (entry.files.length
      ? `${import.meta.env.BASE_URL}models/${entry.id}/${entry.entry}`
      : undefined);
  if (!url) {
    const a = availabilityOf(entry, manifest, []);
    throw new ModelDownloadError(
      '',
      `${entry.name} is unavailable: ${a.state === 'unavailable' ? a.why : a.state}`,
    );
  }
  const fetched = await fetchWithOfflineFallback(entry, url, opts);
  opts.onProgress?.({ phase: 'build', loaded: 1, total: 1 });
  const handle = await engine.register<M>(
    id,
    async () => (await buildModel(entry.format, fetched)) as M,
  );
  return Object.assign(handle, { fetched, entry });
}
