/**
 * Thumbnails: small WebP blobs kept in memory for this tab and in IndexedDB for later visits.
 * Object URLs are made only for thumbnails on screen and revoked when they leave it.
 */
import { useEffect, useState } from 'react';
import { getThumb } from './session';

const memory = new Map<string, Blob>();
/** Originals of files dropped in this tab, for the large view and for re-tagging. */
const originals = new Map<string, File>();

export function rememberThumb(id: string, blob: Blob): void {
  memory.set(id, blob);
}

export function rememberOriginal(id: string, file: File): void {
  originals.set(id, file);
}

export function originalOf(id: string): File | undefined {
  return originals.get(id);
}

export function forget(ids: Iterable<string>): void {
  for (const id of ids) {
    memory.delete(id);
    originals.delete(id);
  }
}

export function forgetAll(): void {
  memory.clear();
  originals.clear();
}

async function thumbBlob(id: string): Promise<Blob | undefined> {
  const hit = memory.get(id);
  if (hit) return hit;
  const stored = await getThumb(id);
  if (stored) memory.set(id, stored);
  return stored;
}

/** An object URL for a blob that lives as long as the calling component shows it. */
function useObjectUrl(load: () => Promise<Blob | undefined>, deps: unknown[]): string | null {
  const [url, setUrl] = useState<string | null>(null);
  useEffect(() => {
    let alive = true;
    let made: string | null = null;
    void load().then((b) => {
      if (!alive || !b) return;
      made = URL.createObjectURL(b);
      setUrl(made);
    });
    return () => {
      alive = false;
      if (made) URL.revokeObjectURL(made);
      setUrl(null);
    };
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, deps);
  return url;
}

export function useThumbUrl(id: string, ready: boolean): string | null {
  return useObjectUrl(() => (ready ? thumbBlob(id) : Promise.resolve(undefined)), [id, ready]);
}

/** The original if this tab still has it, else the thumbnail. */
export function useLargeUrl(id: string, ready: boolean): { url: string | null; original: boolean } {
  const original = originals.has(id);
  const url = useObjectUrl(
    () => Promise.resolve(originals.get(id)).then((f) => f ?? (ready ? thumbBlob(id) : undefined)),
    [id, ready, original],
  );
  return { url, original };
}
