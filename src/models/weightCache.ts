/**
 * IndexedDB cache of verified model files, keyed by model id and the sha256 of its model.json,
 * so a second load needs no network and a changed model is never served stale.
 */
import { openDB, type IDBPDatabase } from 'idb';

export interface CachedModel {
  key: string;
  id: string;
  modelJsonSha256: string;
  files: Record<string, ArrayBuffer>;
  storedAt: number;
}

let dbPromise: Promise<IDBPDatabase> | null = null;

function db(): Promise<IDBPDatabase> {
  dbPromise ??= openDB('ocellus-weights', 1, {
    upgrade(d) {
      d.createObjectStore('models', { keyPath: 'key' });
    },
  });
  return dbPromise;
}

export const cacheKey = (id: string, sha: string) => `${id}@${sha}`;

export async function getCachedModel(id: string, sha: string): Promise<CachedModel | undefined> {
  try {
    return (await (await db()).get('models', cacheKey(id, sha))) as CachedModel | undefined;
  } catch {
    return undefined; // IndexedDB unavailable (private mode): behave as a cache miss.
  }
}

/** Returns false (never throws) when storage is full or unavailable: caching is best-effort. */
export async function putCachedModel(
  entry: Omit<CachedModel, 'key' | 'storedAt'>,
): Promise<boolean> {
  try {
    await (
      await db()
    ).put('models', {
      ...entry,
      key: cacheKey(entry.id, entry.modelJsonSha256),
      storedAt: Date.now(),
    });
    return true;
  } catch {
    return false;
  }
}

export async function cachedModelIds(): Promise<string[]> {
  try {
    const all = (await (await db()).getAll('models')) as CachedModel[];
    return [...new Set(all.map((m) => m.id))];
  } catch {
    return [];
  }
}

export async function clearModelCache(): Promise<void> {
  try {
    await (await db()).clear('models');
  } catch {
    /* nothing cached */
  }
}

/** The most recent cached copy of a model, whatever its hash: the offline fallback for models
 * whose hashes the catalog cannot know (official-host models, verified on first use). */
export async function getLatestCachedModel(id: string): Promise<CachedModel | undefined> {
  try {
    const all = (await (await db()).getAll('models')) as CachedModel[];
    return all.filter((m) => m.id === id).sort((a, b) => b.storedAt - a.storedAt)[0];
  } catch {
    return undefined;
  }
}
