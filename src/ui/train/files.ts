/** Files from a drop (photos or whole folders, recursively) or a file input. */

const IMAGE = /^image\//;

async function readEntry(entry: FileSystemEntry, out: File[]): Promise<void> {
  if (entry.isFile) {
    const f = await new Promise<File>((res, rej) => (entry as FileSystemFileEntry).file(res, rej));
    out.push(f);
  } else if (entry.isDirectory) {
    const reader = (entry as FileSystemDirectoryEntry).createReader();
    // readEntries returns the directory in chunks; call until it returns none.
    for (;;) {
      const batch = await new Promise<FileSystemEntry[]>((res, rej) =>
        reader.readEntries(res, rej),
      );
      if (!batch.length) break;
      for (const e of batch) await readEntry(e, out);
    }
  }
}

export async function filesFromDrop(dt: DataTransfer): Promise<File[]> {
  const entries = Array.from(dt.items ?? [])
    .map((i) => (i.kind === 'file' ? i.webkitGetAsEntry?.() : null))
    .filter((e): e is FileSystemEntry => Boolean(e));
  if (!entries.length || entries.every((e) => e.isFile)) return Array.from(dt.files);
  const out: File[] = [];
  for (const e of entries) await readEntry(e, out);
  return out;
}

export function onlyImages(files: File[]): File[] {
  return files.filter((f) => IMAGE.test(f.type) || /\.(jpe?g|png|webp|gif|bmp)$/i.test(f.name));
}
