/**
 * File intake for the Tag workspace: a file picker's FileList, a drop (files and whole folders,
 * traversed recursively) and a clipboard paste. Returns files with the path they had inside any
 * dropped folder, so exports can name them unambiguously.
 */

export interface IncomingFile {
  file: File;
  /** "holiday/day1/IMG_0001.jpg" for files from a dropped folder, else the file name. */
  path: string;
}

/** Hidden files and OS litter are skipped rather than reported as "not an image". */
export function isIgnoredName(name: string): boolean {
  return name.startsWith('.') || name === 'Thumbs.db' || name === 'desktop.ini';
}

/** The folder entries cannot outrun this: a symlink loop or a giant tree stops here. */
const MAX_FILES = 100_000;

export function fromFileList(list: FileList | File[] | null | undefined): IncomingFile[] {
  if (!list) return [];
  return Array.from(list)
    .filter((f) => !isIgnoredName(f.name))
    .map((file) => ({
      file,
      path: (file as File & { webkitRelativePath?: string }).webkitRelativePath || file.name,
    }));
}

function readEntries(reader: FileSystemDirectoryReader): Promise<FileSystemEntry[]> {
  return new Promise((resolve, reject) => reader.readEntries(resolve, reject));
}

function entryFile(entry: FileSystemFileEntry): Promise<File> {
  return new Promise((resolve, reject) => entry.file(resolve, reject));
}

async function walkEntry(entry: FileSystemEntry, prefix: string, out: IncomingFile[]) {
  if (out.length >= MAX_FILES || isIgnoredName(entry.name)) return;
  if (entry.isFile) {
    try {
      const file = await entryFile(entry as FileSystemFileEntry);
      out.push({ file, path: prefix + entry.name });
    } catch {
      /* unreadable (permissions, vanished): nothing to tag */
    }
    return;
  }
  if (!entry.isDirectory) return;
  const reader = (entry as FileSystemDirectoryEntry).createReader();
  // readEntries returns batches (100 in Chrome) until it returns an empty one.
  for (;;) {
    let batch: FileSystemEntry[];
    try {
      batch = await readEntries(reader);
    } catch {
      return;
    }
    if (!batch.length) return;
    for (const child of batch) await walkEntry(child, `${prefix}${entry.name}/`, out);
  }
}

/**
 * Files from a drop, folders included. Must be called synchronously inside the drop handler:
 * the DataTransfer's items are emptied when the event returns, so entries are taken first.
 */
export function fromDataTransfer(dt: DataTransfer): Promise<IncomingFile[]> {
  const entries: FileSystemEntry[] = [];
  const loose: File[] = [];
  for (const item of Array.from(dt.items ?? [])) {
    if (item.kind !== 'file') continue;
    const entry = item.webkitGetAsEntry?.() ?? null;
    if (entry) entries.push(entry);
    else {
      const f = item.getAsFile();
      if (f) loose.push(f);
    }
  }
  // Synthetic drops (tests, some apps) carry files without entries.
  if (!entries.length && !loose.length) loose.push(...Array.from(dt.files ?? []));
  return (async () => {
    const out: IncomingFile[] = fromFileList(loose);
    for (const e of entries) await walkEntry(e, '', out);
    return out;
  })();
}

/** Images pasted from the clipboard (screenshots, copied images), named by time and type. */
export function fromClipboard(ev: ClipboardEvent): IncomingFile[] {
  const out: IncomingFile[] = [];
  const stamp = new Date().toISOString().replace(/[:.]/g, '-');
  for (const item of Array.from(ev.clipboardData?.items ?? [])) {
    if (item.kind !== 'file') continue;
    const f = item.getAsFile();
    if (!f) continue;
    const ext = f.type.split('/')[1] ?? 'bin';
    const name =
      f.name && f.name !== 'image.png' ? f.name : `pasted-${stamp}-${out.length + 1}.${ext}`;
    out.push({ file: new File([f], name, { type: f.type }), path: name });
  }
  return out;
}
