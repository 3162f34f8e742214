/**
 * The project .zip format and its validation (pure: no browser or tfjs APIs, unit-tested).
 *   project.json          classes, settings, history, report, the sample list and model info
 *   samples/<id>.jpg      each sample's stored image
 *   model/weights.bin     the trained weights, float32, in the order project.json lists them
 * Anything unsafe or inconsistent is refused with a message that says what is wrong.
 */
import { strToU8, unzipSync, zipSync, strFromU8, type Zippable } from 'fflate';
import type { ProjectRecord } from './db';
import type { SampleSource, TrainedInfo } from './types';

export const PROJECT_FORMAT = 'ocellus-project';
export const PROJECT_VERSION = 1;

export class ProjectZipError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ProjectZipError';
  }
}

export interface ZipSampleEntry {
  id: string;
  classId: string;
  source: SampleSource;
  createdAt: number;
  file: string;
}

export interface ZipWeightEntry {
  name: string;
  shape: number[];
  /** Offset in floats into model/weights.bin. */
  offset: number;
}

export interface ProjectJson {
  format: typeof PROJECT_FORMAT;
  version: number;
  project: ProjectRecord;
  samples: ZipSampleEntry[];
  model: { info: TrainedInfo; head: ZipWeightEntry[] } | null;
}

export interface ParsedProject {
  json: ProjectJson;
  images: Map<string, Uint8Array>;
  /** Weights by position, ready to become tensors. */
  weights: { name: string; shape: number[]; data: Float32Array }[];
}

/** A zip entry name is safe when it is relative, has no `..` segment, and no drive or backslash. */
export function isSafePath(name: string): boolean {
  if (!name || name.startsWith('/') || name.includes('\\') || /^[a-zA-Z]:/.test(name)) return false;
  if (name.includes('\0')) return false;
  return !name.split('/').some((seg) => seg === '..' || seg === '.');
}

const SAMPLE_FILE = /^samples\/[A-Za-z0-9_-]{1,64}\.jpg$/;

export function buildProjectZip(
  json: ProjectJson,
  images: Map<string, Uint8Array>,
  weights: Float32Array | null,
): Uint8Array {
  const files: Zippable = { 'project.json': strToU8(JSON.stringify(json)) };
  for (const [path, bytes] of images) files[path] = [bytes, { level: 0 }];
  if (weights)
    files['model/weights.bin'] = new Uint8Array(
      weights.buffer,
      weights.byteOffset,
      weights.byteLength,
    );
  return zipSync(files, { level: 6 });
}

/**
 * Validates and parses a project zip. `expectDim(baseId)` gives the embedding size of a base
 * (or undefined if that base is unknown here) so a head that cannot fit is refused up front.
 */
/** Most bytes a project zip may unpack to (a zip bomb is refused before anything is inflated). */
export const MAX_UNZIPPED_BYTES = 1024 * 1024 * 1024;

export function parseProjectZip(
  bytes: Uint8Array,
  expectDim: (baseId: string) => number | undefined,
  maxUnzippedBytes = MAX_UNZIPPED_BYTES,
): ParsedProject {
  let files: Record<string, Uint8Array>;
  let unpacked = 0;
  try {
    // Every entry is checked from the central directory before it is inflated.
    files = unzipSync(bytes, {
      filter: (f) => {
        if (!isSafePath(f.name))
          throw new ProjectZipError(`Refused: the archive contains an unsafe path “${f.name}”.`);
        unpacked += f.originalSize;
        if (unpacked > maxUnzippedBytes)
          throw new ProjectZipError(
            `Refused: the archive unpacks to more than ${Math.round(maxUnzippedBytes / 2 ** 20)} MB (a zip bomb?).`,
          );
        return true;
      },
    });
  } catch (e) {
    if (e instanceof ProjectZipError) throw e;
    throw new ProjectZipError(
      `This file is not a valid .zip (corrupt or truncated): ${(e as Error).message}.`,
    );
  }
  const pj = files['project.json'];
  if (!pj) throw new ProjectZipError('This .zip is not an Ocellus project (no project.json).');
  let json: ProjectJson;
  try {
    json = JSON.parse(strFromU8(pj)) as ProjectJson;
  } catch {
    throw new ProjectZipError('project.json is not valid JSON.');
  }
  if (json.format !== PROJECT_FORMAT)
    throw new ProjectZipError('project.json is not an Ocellus project file.');
  if (json.version > PROJECT_VERSION)
    throw new ProjectZipError(`This project was made by a newer Ocellus (format ${json.version}).`);
  const classes = json.project?.classes;
  if (!Array.isArray(classes) || !Array.isArray(json.samples))
    throw new ProjectZipError('project.json has no class or sample list.');
  const classIds = new Set(classes.map((c) => c.id));
  const images = new Map<string, Uint8Array>();
  for (const s of json.samples) {
    if (!SAMPLE_FILE.test(s.file))
      throw new ProjectZipError(`Refused: unexpected sample path “${s.file}”.`);
    const data = files[s.file];
    if (!data)
      throw new ProjectZipError(`Sample ${s.file} is listed but missing from the archive.`);
    if (!classIds.has(s.classId))
      throw new ProjectZipError(`Sample ${s.file} belongs to an unknown class.`);
    images.set(s.id, data);
  }
  const weights: ParsedProject['weights'] = [];
  if (json.model && json.model.info.kind !== 'knn') {
    const { info, head } = json.model;
    const bin = files['model/weights.bin'];
    if (!bin)
      throw new ProjectZipError(
        'The project has a trained model but model/weights.bin is missing.',
      );
    if (bin.byteLength % 4) throw new ProjectZipError('model/weights.bin is truncated.');
    const all = new Float32Array(bin.slice().buffer);
    for (const w of head) {
      const size = w.shape.reduce((a, b) => a * b, 1);
      if (w.offset < 0 || w.offset + size > all.length)
        throw new ProjectZipError(
          `Shape mismatch: weight ${w.name} (${w.shape.join('x')}) does not fit in model/weights.bin.`,
        );
      weights.push({ name: w.name, shape: w.shape, data: all.slice(w.offset, w.offset + size) });
    }
    if (info.labels.length !== classes.length)
      throw new ProjectZipError(
        `Shape mismatch: the model has ${info.labels.length} classes, the project ${classes.length}.`,
      );
    const last = weights[weights.length - 1];
    if (!last || last.shape[last.shape.length - 1] !== info.labels.length)
      throw new ProjectZipError(
        `Shape mismatch: the model's output does not have ${info.labels.length} classes.`,
      );
    const dim = expectDim(info.baseId);
    if (dim === undefined)
      throw new ProjectZipError(
        `The project's base model “${info.baseId}” is not in this app's catalog.`,
      );
    if (info.kind === 'head' && weights[0].shape[0] !== dim)
      throw new ProjectZipError(
        `Shape mismatch: the head expects ${weights[0].shape[0]}-d embeddings but ${info.baseId} gives ${dim}.`,
      );
  }
  return { json, images, weights };
}
