/**
 * Real-photo helpers for detector tests. No JPEG decoder is installed as an npm dependency, so
 * photos are decoded to raw RGB with the ffmpeg binary (already used by the e2e harness for
 * its fake webcam); tests that need photos skip when ffmpeg or ../shared is missing.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type * as tfType from '@tensorflow/tfjs';
import {
  imageSizeFromHeader,
  loadYoloDataset,
  type DatasetIo,
} from '../../../../src/eval/datasets';
import { readdir, readFile } from 'node:fs/promises';

export const ROOT = resolve(import.meta.dirname, '../../../..');
export const SHARED = resolve(process.env.OCELLUS_SHARED_DIR ?? resolve(ROOT, '../shared'));
export const COCO128 = join(SHARED, 'data/coco128');

export const hasCoco128 = existsSync(join(COCO128, 'images/train2017'));
export const hasFfmpeg = spawnSync('ffmpeg', ['-version'], { stdio: 'ignore' }).status === 0;

/** DatasetIo over node:fs. */
export const nodeIo: DatasetIo = {
  readText: (p) => readFile(p, 'utf8'),
  readBytes: async (p) => new Uint8Array(await readFile(p)),
  exists: async (p) => existsSync(p),
  list: (d) => readdir(d),
};

export function loadCoco128() {
  return loadYoloDataset(nodeIo, COCO128, 'train2017');
}

/** Decodes a JPEG/PNG to RGB bytes, [height, width, 3] row-major. */
export function decodePhoto(path: string): { data: Uint8Array; width: number; height: number } {
  const { width, height } = imageSizeFromHeader(new Uint8Array(readFileSync(path)));
  const raw = execFileSync(
    'ffmpeg',
    ['-v', 'error', '-i', path, '-f', 'rawvideo', '-pix_fmt', 'rgb24', '-'],
    {
      maxBuffer: 64 * 1024 * 1024,
    },
  );
  if (raw.length !== width * height * 3)
    throw new Error(`${path}: decoded ${raw.length} bytes for ${width}x${height}`);
  return { data: new Uint8Array(raw.buffer, raw.byteOffset, raw.length), width, height };
}

export function photoTensor(tf: typeof tfType, path: string): tfType.Tensor3D {
  const { data, width, height } = decodePhoto(path);
  return tf.tensor3d(data, [height, width, 3], 'int32');
}

/** model.json + weight files on disk -> in-memory model artifacts (node has no fetch of file paths). */
export function readModelArtifacts(modelJsonPath: string): tfType.io.ModelArtifacts {
  const json = JSON.parse(readFileSync(modelJsonPath, 'utf8')) as {
    modelTopology: object;
    weightsManifest: { paths: string[]; weights: tfType.io.WeightsManifestEntry[] }[];
  };
  const dir = resolve(modelJsonPath, '..');
  const weightData = Buffer.concat(
    json.weightsManifest.flatMap((g) => g.paths.map((p) => readFileSync(join(dir, p)))),
  );
  return {
    modelTopology: json.modelTopology,
    weightSpecs: json.weightsManifest.flatMap((g) => g.weights),
    weightData: weightData.buffer.slice(
      weightData.byteOffset,
      weightData.byteOffset + weightData.byteLength,
    ),
  };
}

export function loadGraphModelFromDir(
  tf: typeof tfType,
  modelJsonPath: string,
): Promise<tfType.GraphModel> {
  return tf.loadGraphModel(tf.io.fromMemory(readModelArtifacts(modelJsonPath)));
}

/** A model.json under models/weights/<id>/ (from `npm run models`) or in $<envVar>, if present. */
export function findModel(envVar: string, id: string, file: string): string | null {
  const dirs = [process.env[envVar], join(ROOT, 'models/weights', id)].filter(
    (d): d is string => !!d,
  );
  for (const d of dirs) if (existsSync(join(d, file))) return join(d, file);
  return null;
}
