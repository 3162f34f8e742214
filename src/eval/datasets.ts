/**
 * Ground-truth readers for detection evaluation: YOLO label folders (coco128 layout) and COCO
 * JSON annotations. Parsing is pure; file access goes through a small `DatasetIo` the caller
 * supplies (node:fs in the CLI and tests, fetch in a browser), so this module bundles anywhere.
 */
import { categoryIdToCoco80, COCO80_NAMES } from './cocoClasses';
import type { GroundTruthBox } from './map';

export interface AnnotatedImage {
  /** File name without extension, e.g. "000000000009". */
  id: string;
  /** Image path relative to the dataset root, '/'-separated. */
  file: string;
  width: number;
  height: number;
  boxes: GroundTruthBox[];
}

export interface DatasetIo {
  readText(path: string): Promise<string>;
  readBytes(path: string): Promise<Uint8Array>;
  exists(path: string): Promise<boolean>;
  /** Entry names (not paths) of a directory. */
  list(dir: string): Promise<string[]>;
}

const IMAGE_EXTENSIONS = /\.(jpe?g|png)$/i;

/**
 * Parses one YOLO label file: a line per box, `class cx cy w h` normalised to 0..1 (YOLO
 * segmentation lines `class x1 y1 x2 y2 ...` are reduced to their bounding box). Returns boxes
 * in pixels of a `width` x `height` image. YOLO labels carry no crowd flag.
 */
export function parseYoloLabels(text: string, width: number, height: number): GroundTruthBox[] {
  const boxes: GroundTruthBox[] = [];
  text.split(/\r?\n/).forEach((raw, lineIndex) => {
    const line = raw.trim();
    if (line === '') return;
    const fields = line.split(/\s+/).map(Number);
    const classId = fields[0];
    const bad =
      fields.some((v) => !Number.isFinite(v)) ||
      !Number.isInteger(classId) ||
      classId < 0 ||
      classId >= COCO80_NAMES.length ||
      fields.length < 5 ||
      (fields.length > 5 && fields.length % 2 === 0);
    if (bad) throw new Error(`YOLO label line ${lineIndex + 1} is malformed: "${line}"`);
    if (fields.length === 5) {
      const [, cx, cy, w, h] = fields;
      boxes.push({
        box: {
          x: (cx - w / 2) * width,
          y: (cy - h / 2) * height,
          width: w * width,
          height: h * height,
        },
        classId,
      });
      return;
    }
    const xs = fields.slice(1).filter((_, i) => i % 2 === 0);
    const ys = fields.slice(1).filter((_, i) => i % 2 === 1);
    const x1 = Math.min(...xs) * width;
    const y1 = Math.min(...ys) * height;
    boxes.push({
      box: {
        x: x1,
        y: y1,
        width: Math.max(...xs) * width - x1,
        height: Math.max(...ys) * height - y1,
      },
      classId,
    });
  });
  return boxes;
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null;
}

function num(record: Record<string, unknown>, key: string, what: string): number {
  const v = record[key];
  if (typeof v !== 'number' || !Number.isFinite(v))
    throw new Error(`COCO JSON: ${what}.${key} is not a number`);
  return v;
}

const stem = (fileName: string) => fileName.replace(/^.*\//, '').replace(/\.[^.]*$/, '');

/**
 * Parses COCO instances JSON (pixel xywh boxes, original category ids, iscrowd) into one entry
 * per listed image, in the file's image order. `imagesDir` is prefixed to each file_name.
 */
export function parseCocoAnnotations(json: unknown, imagesDir = ''): AnnotatedImage[] {
  if (!isRecord(json) || !Array.isArray(json.images) || !Array.isArray(json.annotations)) {
    throw new Error('COCO JSON: expected "images" and "annotations" arrays');
  }
  const byId = new Map<number, AnnotatedImage>();
  const images: AnnotatedImage[] = json.images.map((img: unknown) => {
    if (!isRecord(img) || typeof img.file_name !== 'string')
      throw new Error('COCO JSON: bad image entry');
    const entry: AnnotatedImage = {
      id: stem(img.file_name),
      file: imagesDir ? `${imagesDir}/${img.file_name}` : img.file_name,
      width: num(img, 'width', 'image'),
      height: num(img, 'height', 'image'),
      boxes: [],
    };
    byId.set(num(img, 'id', 'image'), entry);
    return entry;
  });
  for (const ann of json.annotations as unknown[]) {
    if (!isRecord(ann) || !Array.isArray(ann.bbox) || ann.bbox.length !== 4) {
      throw new Error('COCO JSON: bad annotation entry');
    }
    const image = byId.get(num(ann, 'image_id', 'annotation'));
    if (!image) throw new Error(`COCO JSON: annotation for unknown image ${String(ann.image_id)}`);
    const categoryId = num(ann, 'category_id', 'annotation');
    const classId = categoryIdToCoco80(categoryId);
    if (classId < 0) throw new Error(`COCO JSON: category id ${categoryId} is not a COCO class`);
    const [x, y, width, height] = (ann.bbox as unknown[]).map(Number);
    image.boxes.push({ box: { x, y, width, height }, classId, iscrowd: ann.iscrowd === 1 });
  }
  return images;
}

/**
 * Pixel size from a JPEG or PNG header, so YOLO's normalised labels can be scaled without
 * decoding the image. Reads the first JPEG start-of-frame marker (any SOF0..SOF15 variant).
 */
export function imageSizeFromHeader(bytes: Uint8Array): { width: number; height: number } {
  const u16 = (i: number) => (bytes[i] << 8) | bytes[i + 1];
  if (
    bytes.length >= 24 &&
    bytes[0] === 0x89 &&
    bytes[1] === 0x50 &&
    bytes[2] === 0x4e &&
    bytes[3] === 0x47
  ) {
    const u32 = (i: number) =>
      ((bytes[i] << 24) | (bytes[i + 1] << 16) | (bytes[i + 2] << 8) | bytes[i + 3]) >>> 0;
    return { width: u32(16), height: u32(20) };
  }
  if (bytes.length < 4 || bytes[0] !== 0xff || bytes[1] !== 0xd8)
    throw new Error('Not a JPEG or PNG image');
  let i = 2;
  while (i + 9 < bytes.length) {
    if (bytes[i] !== 0xff) throw new Error(`Corrupt JPEG: no marker at byte ${i}`);
    const marker = bytes[i + 1];
    if (marker === 0xff) {
      i++; // fill byte
      continue;
    }
    // Standalone markers carry no length field.
    if (marker === 0x01 || (marker >= 0xd0 && marker <= 0xd8)) {
      i += 2;
      continue;
    }
    // SOFn, excluding DHT (C4), JPG (C8) and DAC (CC), which share the range.
    if (marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc) {
      return { width: u16(i + 7), height: u16(i + 5) };
    }
    i += 2 + u16(i + 2);
  }
  throw new Error('JPEG has no start-of-frame marker');
}

/**
 * Reads a YOLO-layout dataset: images in `<root>/images/<split>/`, labels in
 * `<root>/labels/<split>/<id>.txt`. An image without a label file has no objects; label files
 * without an image are ignored. Sorted by file name.
 */
export async function loadYoloDataset(
  io: DatasetIo,
  root: string,
  split: string,
): Promise<AnnotatedImage[]> {
  const names = (await io.list(`${root}/images/${split}`))
    .filter((n) => IMAGE_EXTENSIONS.test(n))
    .sort();
  return Promise.all(
    names.map(async (name) => {
      const file = `images/${split}/${name}`;
      const { width, height } = imageSizeFromHeader(await io.readBytes(`${root}/${file}`));
      const labelPath = `${root}/labels/${split}/${stem(name)}.txt`;
      const boxes = (await io.exists(labelPath))
        ? parseYoloLabels(await io.readText(labelPath), width, height)
        : [];
      return { id: stem(name), file, width, height, boxes };
    }),
  );
}

/** Reads a COCO JSON annotation file; image paths become `<imagesDir>/<file_name>`. */
export async function loadCocoDataset(
  io: DatasetIo,
  annotationsPath: string,
  imagesDir: string,
): Promise<AnnotatedImage[]> {
  return parseCocoAnnotations(JSON.parse(await io.readText(annotationsPath)) as unknown, imagesDir);
}
