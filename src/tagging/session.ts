/**
 * The Tag session in IndexedDB: image records, thumbnails, a little metadata and the user's own
 * models. Writes are batched into one transaction per flush. When storage is full or unavailable
 * the session keeps working in memory and the UI says that it is no longer being saved.
 */
import { openDB, type DBSchema, type IDBPDatabase } from 'idb';
import type { TagImage } from './types';
import type { UserModelRecord } from './userModelTypes';

interface TagDB extends DBSchema {
  images: { key: string; value: TagImage };
  thumbs: { key: string; value: Blob };
  meta: { key: string; value: unknown };
  models: { key: string; value: UserModelRecord };
}

export type StorageState =
  { state: 'ok' } | { state: 'quota'; message: string } | { state: 'unavailable'; message: string };

export const QUOTA_MESSAGE =
  'Storage is full: this tagging session is no longer being saved in the browser. Everything keeps working in this tab; export JSON to keep your tags, or free space (clear the session or cached models).';

let dbPromise: Promise<IDBPDatabase<TagDB>> | null = null;
let simulateQuota = false;

export function db(): Promise<IDBPDatabase<TagDB>> {
  dbPromise ??= openDB<TagDB>('ocellus-tag', 1, {
    upgrade(d) {
      d.createObjectStore('images', { keyPath: 'id' });
      d.createObjectStore('thumbs');
      d.createObjectStore('meta');
      d.createObjectStore('models', { keyPath: 'id' });
    },
  });
  return dbPromise;
}

/** Fault injection for tests: every later write fails as a full disk would. */
export function setSimulatedQuotaFull(on: boolean): void {
  simulateQuota = on;
}

export function isQuotaError(e: unknown): boolean {
  const name = (e as { name?: string } | null)?.name ?? '';
  return name === 'QuotaExceededError' || /quota/i.test((e as Error)?.message ?? '');
}

function quotaError(): DOMException {
  return new DOMException('simulated: the storage quota is exceeded', 'QuotaExceededError');
}

export async function loadSession(): Promise<{
  images: TagImage[];
  meta: Record<string, unknown>;
}> {
  const d = await db();
  const [images, keys] = await Promise.all([d.getAll('images'), d.getAllKeys('meta')]);
  const meta: Record<string, unknown> = {};
  for (const k of keys) meta[k] = await d.get('meta', k);
  images.sort((a, b) => a.addedAt - b.addedAt || a.path.localeCompare(b.path));
  return { images, meta };
}

export async function getThumb(id: string): Promise<Blob | undefined> {
  try {
    return await (await db()).get('thumbs', id);
  } catch {
    return undefined;
  }
}

export interface PendingWrites {
  put: Map<string, TagImage>;
  del: Set<string>;
  thumbs: Map<string, Blob>;
  meta: Map<string, unknown>;
}

/** Writes a batch of changes in one transaction; throws the storage error (quota…) if any. */
export async function writeBatch(w: PendingWrites): Promise<void> {
  if (simulateQuota && (w.put.size || w.thumbs.size || w.meta.size)) throw quotaError();
  const d = await db();
  const tx = d.transaction(['images', 'thumbs', 'meta'], 'readwrite');
  const images = tx.objectStore('images');
  const thumbs = tx.objectStore('thumbs');
  const meta = tx.objectStore('meta');
  const ops: Promise<unknown>[] = [];
  for (const id of w.del) ops.push(images.delete(id), thumbs.delete(id));
  for (const rec of w.put.values()) ops.push(images.put(rec));
  for (const [id, blob] of w.thumbs) ops.push(thumbs.put(blob, id));
  for (const [k, v] of w.meta) ops.push(meta.put(v, k));
  await Promise.all([...ops, tx.done]);
}

export async function clearSession(): Promise<void> {
  const d = await db();
  const tx = d.transaction(['images', 'thumbs'], 'readwrite');
  await Promise.all([tx.objectStore('images').clear(), tx.objectStore('thumbs').clear(), tx.done]);
}

export async function listUserModels(): Promise<UserModelRecord[]> {
  try {
    return await (await db()).getAll('models');
  } catch {
    return [];
  }
}

export async function putUserModel(rec: UserModelRecord): Promise<void> {
  if (simulateQuota) throw quotaError();
  await (await db()).put('models', rec);
}

export async function deleteUserModel(id: string): Promise<void> {
  await (await db()).delete('models', id);
}
