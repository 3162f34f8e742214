/**
 * Exports of a Tag session — JSON (everything, re-importable), CSV (one row per image, for
 * spreadsheets) and COCO annotations (for the detection boxes) — and validation of a JSON import.
 */
import { COCO80_NAMES, COCO80_TO_CATEGORY_ID } from '../eval/cocoClasses';
import { displayName } from './edits';
import type { Edit, ImageBox, Prediction, Review, Tag, TagImage } from './types';

export const EXPORT_FORMAT = 'ocellus-tag-session';
export const EXPORT_VERSION = 1;

export interface ExportedImage {
  name: string;
  displayName: string;
  path: string;
  size: number;
  type: string;
  lastModified: number;
  width?: number;
  height?: number;
  status: TagImage['status'];
  error?: TagImage['error'];
  tags: Tag[];
  predictions: Prediction[];
  review: Review;
  edits: Edit[];
  boxes?: ImageBox[];
  model?: { id: string; version: string };
}

export interface ExportedSession {
  format: typeof EXPORT_FORMAT;
  version: typeof EXPORT_VERSION;
  exportedAt: string;
  app: string;
  images: ExportedImage[];
}

export function toExportJson(images: readonly TagImage[], now = new Date()): ExportedSession {
  return {
    format: EXPORT_FORMAT,
    version: EXPORT_VERSION,
    exportedAt: now.toISOString(),
    app: 'Ocellus',
    images: images.map((img) => ({
      name: img.name,
      displayName: displayName(img),
      path: img.path,
      size: img.size,
      type: img.type,
      lastModified: img.lastModified,
      ...(img.width ? { width: img.width, height: img.height } : {}),
      status: img.status,
      ...(img.error ? { error: img.error } : {}),
      tags: img.tags,
      predictions: img.predictions,
      review: img.review,
      edits: img.edits,
      ...(img.boxes ? { boxes: img.boxes } : {}),
      ...(img.model ? { model: img.model } : {}),
    })),
  };
}

/** RFC 4180 quoting, and a leading quote on cells a spreadsheet would run as a formula. */
export function csvCell(v: string | number | null | undefined): string {
  if (v === null || v === undefined) return '';
  let s = String(v);
  if (typeof v === 'string' && /^[=+\-@\t\r]/.test(s)) s = `'${s}`;
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

export const CSV_HEADER = [
  'path',
  'name',
  'size',
  'width',
  'height',
  'status',
  'review',
  'top_label',
  'top_score',
  'tags',
  'user_tags',
  'boxes',
  'model',
  'model_version',
  'error',
];

export function toCsv(images: readonly TagImage[]): string {
  const rows = images.map((img) => {
    const top = img.tags.find((t) => t.source === 'model');
    return [
      img.path,
      displayName(img),
      img.size,
      img.width ?? '',
      img.height ?? '',
      img.status,
      img.review,
      img.tags[0]?.label ?? '',
      top?.score !== null && top?.score !== undefined ? top.score.toFixed(4) : '',
      img.tags
        .map((t) => (t.score === null ? t.label : `${t.label} (${t.score.toFixed(3)})`))
        .join('; '),
      img.tags
        .filter((t) => t.source === 'user')
        .map((t) => t.label)
        .join('; '),
      img.boxes?.length ?? 0,
      img.model?.id ?? '',
      img.model?.version ?? '',
      img.error?.message ?? '',
    ].map(csvCell);
  });
  return [CSV_HEADER.join(','), ...rows.map((r) => r.join(','))].join('\r\n') + '\r\n';
}

export interface CocoExport {
  info: { description: string; date_created: string };
  images: { id: number; file_name: string; width: number; height: number }[];
  annotations: {
    id: number;
    image_id: number;
    category_id: number;
    bbox: [number, number, number, number];
    area: number;
    iscrowd: 0;
    score: number;
  }[];
  categories: { id: number; name: string; supercategory: string }[];
}

const round2 = (v: number) => Math.round(v * 100) / 100;

/**
 * COCO "instances" JSON of the detection boxes: images with their sizes, one annotation per box
 * with original COCO category ids (1..90) and pixel [x, y, width, height]. Images without a known
 * size cannot be placed in COCO and are left out.
 */
export function toCoco(images: readonly TagImage[], now = new Date()): CocoExport {
  const out: CocoExport = {
    info: { description: 'Ocellus Tag session', date_created: now.toISOString() },
    images: [],
    annotations: [],
    categories: COCO80_NAMES.map((name, i) => ({
      id: COCO80_TO_CATEGORY_ID[i],
      name,
      supercategory: 'object',
    })),
  };
  let annId = 1;
  images.forEach((img) => {
    if (img.status !== 'done' || !img.width || !img.height) return;
    const imageId = out.images.length + 1;
    out.images.push({ id: imageId, file_name: img.path, width: img.width, height: img.height });
    for (const b of img.boxes ?? []) {
      const categoryId = COCO80_TO_CATEGORY_ID[b.classId];
      if (categoryId === undefined) continue;
      out.annotations.push({
        id: annId++,
        image_id: imageId,
        category_id: categoryId,
        bbox: [round2(b.x), round2(b.y), round2(b.width), round2(b.height)],
        area: round2(b.width * b.height),
        iscrowd: 0,
        score: Math.round(b.score * 1e4) / 1e4,
      });
    }
  });
  return out;
}

export class ImportError extends Error {
  override name = 'ImportError';
}

const isObj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null;
const isNum = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);
const isStr = (v: unknown): v is string => typeof v === 'string';

function checkTag(v: unknown, where: string): Tag {
  if (!isObj(v) || !isStr(v.label) || !(v.score === null || isNum(v.score)))
    throw new ImportError(`${where}: a tag needs a label and a score (number or null)`);
  return { label: v.label, score: v.score, source: v.source === 'user' ? 'user' : 'model' };
}

function checkBox(v: unknown, where: string): ImageBox {
  if (
    !isObj(v) ||
    ![v.x, v.y, v.width, v.height, v.score, v.classId].every(isNum) ||
    !isStr(v.label)
  )
    throw new ImportError(`${where}: a box needs x, y, width, height, label, classId and score`);
  return {
    x: v.x as number,
    y: v.y as number,
    width: v.width as number,
    height: v.height as number,
    label: v.label,
    classId: v.classId as number,
    score: v.score as number,
  };
}

const REVIEWS: Review[] = ['unreviewed', 'accepted', 'rejected'];

/** Validates an exported session; throws ImportError naming the first problem found. */
export function parseImport(text: string): ExportedImage[] {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (e) {
    throw new ImportError(
      `The file is not valid JSON (damaged or cut short?): ${(e as Error).message}.`,
    );
  }
  if (!isObj(data) || data.format !== EXPORT_FORMAT)
    throw new ImportError('This is not an Ocellus Tag export (format field missing or different).');
  if (data.version !== EXPORT_VERSION)
    throw new ImportError(
      `Unsupported export version ${String(data.version)}; this app reads ${EXPORT_VERSION}.`,
    );
  if (!Array.isArray(data.images)) throw new ImportError('The export has no "images" list.');
  return data.images.map((raw: unknown, i: number): ExportedImage => {
    const where = `image ${i + 1}`;
    if (!isObj(raw) || !isStr(raw.name) || !isStr(raw.path) || !isNum(raw.size))
      throw new ImportError(`${where}: name, path and size are required`);
    if (!Array.isArray(raw.tags)) throw new ImportError(`${where}: "tags" must be a list`);
    const status = raw.status === 'error' ? 'error' : raw.status === 'queued' ? 'queued' : 'done';
    const preds = Array.isArray(raw.predictions) ? raw.predictions : [];
    return {
      name: raw.name,
      displayName: isStr(raw.displayName) ? raw.displayName : raw.name,
      path: raw.path,
      size: raw.size,
      type: isStr(raw.type) ? raw.type : '',
      lastModified: isNum(raw.lastModified) ? raw.lastModified : 0,
      width: isNum(raw.width) ? raw.width : undefined,
      height: isNum(raw.height) ? raw.height : undefined,
      status,
      error:
        isObj(raw.error) && isStr(raw.error.message)
          ? {
              code: (isStr(raw.error.code) ? raw.error.code : 'corrupt') as NonNullable<
                TagImage['error']
              >['code'],
              message: raw.error.message,
            }
          : undefined,
      tags: raw.tags.map((t, j) => checkTag(t, `${where} tag ${j + 1}`)),
      predictions: preds
        .filter((p): p is Record<string, unknown> => isObj(p) && isStr(p.label) && isNum(p.score))
        .map((p) => ({
          label: p.label as string,
          score: p.score as number,
          index: isNum(p.index) ? p.index : -1,
        })),
      review: REVIEWS.includes(raw.review as Review) ? (raw.review as Review) : 'unreviewed',
      edits: Array.isArray(raw.edits)
        ? raw.edits
            .filter((e): e is Record<string, unknown> => isObj(e) && isStr(e.action) && isNum(e.at))
            .map((e) => ({
              action: e.action as Edit['action'],
              at: e.at as number,
              ...(isStr(e.value) ? { value: e.value } : {}),
            }))
        : [],
      boxes: Array.isArray(raw.boxes)
        ? raw.boxes.map((b, j) => checkBox(b, `${where} box ${j + 1}`))
        : undefined,
      model:
        isObj(raw.model) && isStr(raw.model.id) && isStr(raw.model.version)
          ? { id: raw.model.id, version: raw.model.version }
          : undefined,
    };
  });
}

/** Turns imported images into session records; `existing` (path+size → id) keeps ids stable. */
export function importedToRecords(
  imported: readonly ExportedImage[],
  makeId: () => string,
  existing: ReadonlyMap<string, TagImage>,
  now = Date.now(),
): TagImage[] {
  return imported.map((e, i) => {
    const prev = existing.get(`${e.path}\u0000${e.size}`);
    return {
      id: prev?.id ?? makeId(),
      name: e.name,
      path: e.path,
      size: e.size,
      type: e.type,
      lastModified: e.lastModified,
      addedAt: prev?.addedAt ?? now + i / 1000,
      status: e.status === 'queued' ? 'error' : e.status,
      error:
        e.status === 'queued'
          ? { code: 'model', message: 'was not classified before the export' }
          : e.error,
      width: e.width,
      height: e.height,
      predictions: e.predictions,
      tags: e.tags,
      review: e.review,
      rename: e.displayName !== e.name ? e.displayName : undefined,
      edits: e.edits,
      boxes: e.boxes,
      model: e.model,
      hasThumb: prev?.hasThumb ?? false,
    };
  });
}
