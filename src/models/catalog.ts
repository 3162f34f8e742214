/** Typed access to the model catalog in `models/catalog.json` (the single source of truth). */
import catalogJson from '../../models/catalog.json';

export type Task = 'classify' | 'detect' | 'embed';
export type ModelFormat = 'layers' | 'graph';

export interface InputSpec {
  name: string;
  width: number;
  height: number;
  /** Pixel values are mapped from [0,255] to this range. */
  range: [number, number];
  layout: 'NHWC' | 'NCHW';
  channels: 'RGB' | 'BGR';
  mean?: number[];
  std?: number[];
  resize: 'center-crop' | 'letterbox' | 'stretch' | 'none';
  dtype?: 'float32' | 'int32';
}

export interface ModelFile {
  path: string;
  bytes: number;
  sha256: string;
}

export type ModelSource =
  | { kind: 'self-hosted' }
  | { kind: 'npm'; package: string; version: string; integrity: string; dir: string }
  | { kind: 'official'; url: string };

export interface CatalogEntry {
  id: string;
  name: string;
  task: Task;
  family: 'mobilenet' | 'coco-ssd' | 'centernet' | 'nanodet' | 'custom';
  format: ModelFormat;
  input: InputSpec;
  output: { classes: number; kind: string; background?: boolean };
  labels: 'imagenet-1000' | 'imagenet-1001' | 'coco-80' | 'coco-90' | 'custom';
  embedding?: { layer?: string; node?: string; convLayer?: string; dim: number };
  entry: string;
  /** Every file with its size and sha256; empty when only the official host is known. */
  files: ModelFile[];
  licence: string;
  accuracy?: { top1: number; top5: number; note: string };
  cocoSsdBase?: 'lite_mobilenet_v2' | 'mobilenet_v2' | 'mobilenet_v1';
  optional?: boolean;
  sources: ModelSource[];
}

export interface Catalog {
  version: number;
  models: CatalogEntry[];
}

export const catalog = catalogJson as Catalog;

export function catalogEntry(id: string): CatalogEntry {
  const e = catalog.models.find((m) => m.id === id);
  if (!e) throw new Error(`Unknown model id "${id}"`);
  return e;
}

export function officialUrl(entry: CatalogEntry): string | undefined {
  for (const s of entry.sources) if (s.kind === 'official') return s.url;
  return undefined;
}

export function totalBytes(entry: CatalogEntry): number {
  return entry.files.reduce((n, f) => n + f.bytes, 0);
}

/** What `npm run models` wrote to models/weights/manifest.json (served at /models/manifest.json). */
export interface SelfHostedManifest {
  generatedBy: string;
  models: Record<string, { files: ModelFile[]; entry: string }>;
}
