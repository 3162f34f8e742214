/**
 * A user's own classifier: dropped model.json + weight files + a labels file (one label per line,
 * or a metadata.json with `labels`), layers or graph format, [n,h,w,3] in and [n,K] out. The
 * files are checked here (manifest complete, shapes right, K matches the labels), kept in
 * IndexedDB and registered on the engine like a catalog model.
 */
import { tf } from '../engine/tf';
import { engine, type ModelHandle } from '../engine/engine';
import { SharedRuns } from '../engine/sharedRuns';
import { buildModel, sha256Hex } from '../models/loader';
import type { UserModelRecord } from './userModelTypes';

export type { UserModelRecord };

export class UserModelError extends Error {
  override name = 'UserModelError';
}

export const USER_MODEL_PREFIX = 'user:';

export const isUserModelId = (id: string) => id.startsWith(USER_MODEL_PREFIX);

/** Models added in this tab, so they work even when storage refused to keep them. */
const inThisTab = new Map<string, UserModelRecord>();

export function userModelInTab(id: string): UserModelRecord | undefined {
  return inThisTab.get(id);
}

const RANGE_KEYS = ['inputRange', 'range', 'imageRange', 'valueRange'] as const;

export interface LabelsAndMeta {
  labels: string[];
  range?: [number, number];
  name?: string;
}

function isRange(v: unknown): v is [number, number] {
  return (
    Array.isArray(v) &&
    v.length === 2 &&
    v.every((x) => typeof x === 'number' && Number.isFinite(x)) &&
    v[0] < v[1]
  );
}

/** Labels from `labels.txt` (a label per line) or a metadata JSON (`labels`, `wordLabels`, or an array). */
export function parseLabels(fileName: string, text: string): LabelsAndMeta {
  if (/\.json$/i.test(fileName)) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      throw new UserModelError(`${fileName} is not valid JSON`);
    }
    if (Array.isArray(parsed) && parsed.every((l) => typeof l === 'string'))
      return { labels: parsed.map((l) => l.trim()) };
    if (typeof parsed !== 'object' || parsed === null)
      throw new UserModelError(`${fileName} holds no labels`);
    const meta = parsed as Record<string, unknown>;
    const list = meta.labels ?? meta.wordLabels ?? meta.classes;
    if (!Array.isArray(list) || !list.every((l) => typeof l === 'string'))
      throw new UserModelError(`${fileName} has no "labels" list of strings`);
    const range = RANGE_KEYS.map((k) => meta[k]).find(isRange);
    const name = typeof meta.modelName === 'string' ? meta.modelName : undefined;
    return { labels: list.map((l: string) => l.trim()), range, name };
  }
  const labels = text
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter((l) => l.length > 0);
  if (!labels.length) throw new UserModelError(`${fileName} has no labels`);
  return { labels };
}

interface WeightSpec {
  name?: string;
  shape?: unknown;
  dtype?: string;
  quantization?: { dtype?: string };
}

interface ModelJsonShape {
  format?: string;
  modelTopology?: unknown;
  weightsManifest?: { paths: string[]; weights?: WeightSpec[] }[];
}

const BYTES_PER_ELEMENT: Record<string, number> = {
  float32: 4,
  int32: 4,
  bool: 1,
  uint8: 1,
  uint16: 2,
  float16: 2,
};

/**
 * Bytes the weights manifest says the weight files hold (quantized weights counted at their
 * stored size), or null when it cannot be known (string weights, unknown dtypes, bad shapes).
 */
export function manifestWeightBytes(manifest: ModelJsonShape['weightsManifest']): number | null {
  let total = 0;
  for (const group of manifest ?? []) {
    for (const w of group.weights ?? []) {
      const shape = w.shape;
      if (!Array.isArray(shape) || !shape.every((d) => Number.isInteger(d) && d >= 0)) return null;
      const per = BYTES_PER_ELEMENT[w.quantization?.dtype ?? w.dtype ?? 'float32'];
      if (!per) return null;
      total += (shape as number[]).reduce((a, b) => a * b, 1) * per;
    }
  }
  return total;
}

const baseName = (p: string) => p.split('/').pop() ?? p;

export interface UserModelFiles {
  name: string;
  modelJson: ModelJsonShape;
  modelJsonText: string;
  weights: Record<string, ArrayBuffer>;
  labels: LabelsAndMeta;
}

/** Sorts dropped files into model.json, its weight shards and the labels file. */
export async function collectUserModelFiles(files: readonly File[]): Promise<UserModelFiles> {
  let model: { file: File; json: ModelJsonShape; text: string } | null = null;
  let labelsFile: File | null = null;
  /** Why a file named like a model (model.json, my-model.json) is not one. */
  let brokenModel: string | null = null;
  for (const f of files) {
    if (!/\.json$/i.test(f.name)) continue;
    const namedModel = /model\.json$/i.test(f.name);
    const text = await f.text();
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch (e) {
      if (namedModel) brokenModel = `${f.name} is not valid JSON (${(e as Error).message}).`;
      continue;
    }
    const j = json as ModelJsonShape;
    if (j && typeof j === 'object' && j.modelTopology && Array.isArray(j.weightsManifest)) {
      const pathsOk = (g: { paths?: unknown } | null) =>
        Array.isArray(g?.paths) && g.paths.every((p) => typeof p === 'string');
      if (!j.weightsManifest.every(pathsOk))
        throw new UserModelError(`${f.name} has a weightsManifest without "paths" lists.`);
      model = { file: f, json: j, text };
    } else if (namedModel)
      brokenModel = `${f.name} is not a TF.js model (it needs "modelTopology" and "weightsManifest").`;
    else labelsFile = f;
  }
  if (!model && brokenModel) throw new UserModelError(brokenModel);
  labelsFile ??= files.find((f) => /\.txt$/i.test(f.name)) ?? null;
  if (!model)
    throw new UserModelError(
      'No model.json found: drop the model.json, its weight files (.bin) and a labels file together.',
    );
  if (!labelsFile)
    throw new UserModelError(
      'No labels file found: add labels.txt (one label per line) or metadata.json.',
    );
  const byName = new Map(files.map((f) => [f.name, f]));
  const weights: Record<string, ArrayBuffer> = {};
  const missing: string[] = [];
  for (const group of model.json.weightsManifest ?? []) {
    for (const p of group.paths) {
      const f = byName.get(baseName(p));
      if (!f) missing.push(p);
      else weights[p] = await f.arrayBuffer();
    }
  }
  if (missing.length)
    throw new UserModelError(
      `Weight file(s) missing: ${missing.slice(0, 5).join(', ')}${missing.length > 5 ? '…' : ''}`,
    );
  // Checked here: tfjs builds the layers before it finds the weights short, and leaks them.
  const need = manifestWeightBytes(model.json.weightsManifest);
  const have = Object.values(weights).reduce((n, b) => n + b.byteLength, 0);
  if (need !== null && need !== have)
    throw new UserModelError(
      `The weight files hold ${have} bytes but ${model.file.name} describes ${need} bytes of weights: they do not belong together or are damaged.`,
    );
  const labels = parseLabels(labelsFile.name, await labelsFile.text());
  const name = labels.name ?? model.file.name.replace(/\.json$/i, '');
  return { name, modelJson: model.json, modelJsonText: model.text, weights, labels };
}

function slug(s: string): string {
  return (
    s
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, '-')
      .replace(/^-|-$/g, '')
      .slice(0, 32) || 'model'
  );
}

/** Input [n,h,w,3] and output [n,K] of a built model (K from a dry run when the graph hides it). */
async function inspect(
  model: tf.LayersModel | tf.GraphModel,
): Promise<{ width: number; height: number; classes: number; kind: 'probabilities' | 'logits' }> {
  const inShape = model.inputs[0]?.shape ?? [];
  if (model.inputs.length !== 1 || inShape.length !== 4 || inShape[3] !== 3)
    throw new UserModelError(`The model's input must be [n,h,w,3]; it is [${inShape.join(',')}].`);
  const height = inShape[1] && inShape[1] > 0 ? inShape[1] : 224;
  const width = inShape[2] && inShape[2] > 0 ? inShape[2] : 224;
  const x = tf.randomUniform([2, height, width, 3], 0, 1);
  let out: tf.Tensor | null = null;
  try {
    out = (
      model instanceof tf.GraphModel ? await model.executeAsync(x) : model.predict(x)
    ) as tf.Tensor;
    if (Array.isArray(out) || out.rank !== 2)
      throw new UserModelError(
        `The model's output must be one [n,K] tensor; it is [${Array.isArray(out) ? 'several tensors' : out.shape.join(',')}].`,
      );
    const v = await out.data();
    const classes = out.shape[1] ?? 0;
    // Softmax outputs are non-negative and each row sums to 1; anything else is treated as logits.
    let probs = true;
    for (let r = 0; r < 2; r++) {
      let s = 0;
      for (let c = 0; c < classes; c++) {
        const p = v[r * classes + c];
        if (p < 0) probs = false;
        s += p;
      }
      if (Math.abs(s - 1) > 1e-3) probs = false;
    }
    return { width, height, classes, kind: probs ? 'probabilities' : 'logits' };
  } finally {
    x.dispose();
    if (out) tf.dispose(out);
  }
}

/** Builds, checks and returns a storable record; the model is registered on the engine. */
export async function createUserModel(
  files: UserModelFiles,
  range: [number, number] | undefined,
): Promise<{ record: UserModelRecord; handle: ModelHandle }> {
  const chosenRange = files.labels.range ?? range;
  if (!chosenRange)
    throw new UserModelError(
      'Choose the value range the model expects ([0,1], [-1,1] or [0,255]).',
    );
  const sha = await sha256Hex(new TextEncoder().encode(files.modelJsonText).buffer as ArrayBuffer);
  const format: 'layers' | 'graph' =
    files.modelJson.format === 'graph-model' ||
    (files.modelJson.modelTopology as { node?: unknown })?.node !== undefined
      ? 'graph'
      : 'layers';
  const id = `${USER_MODEL_PREFIX}${slug(files.name)}-${sha.slice(0, 8)}`;
  const fetched = {
    modelJson: files.modelJson as tf.io.ModelJSON,
    modelJsonSha256: sha,
    weights: files.weights,
    fromCache: true,
    cached: true,
  };
  let handle: ModelHandle;
  try {
    handle = await engine.register(id, () => buildModel(format, fetched));
  } catch (e) {
    throw new UserModelError(`The model could not be built: ${(e as Error).message}`);
  }
  let shape;
  try {
    shape = await inspect(handle.model);
  } catch (e) {
    engine.unregister(id);
    throw e instanceof UserModelError
      ? e
      : new UserModelError(`The model failed a test run: ${(e as Error).message}`);
  }
  if (shape.classes !== files.labels.labels.length) {
    engine.unregister(id);
    throw new UserModelError(
      `The model has ${shape.classes} outputs but the labels file lists ${files.labels.labels.length} labels.`,
    );
  }
  const record: UserModelRecord = {
    id,
    name: files.name,
    format,
    modelJson: files.modelJson,
    modelJsonSha256: sha,
    weights: files.weights,
    labels: files.labels.labels,
    input: { width: shape.width, height: shape.height, range: chosenRange },
    output: { classes: shape.classes, kind: shape.kind },
    addedAt: Date.now(),
  };
  inThisTab.set(id, record);
  return { record, handle };
}

/** Builds of stored user models in flight, by id. */
const userModelBuilds = new SharedRuns<ModelHandle>();

/** Registers a stored user model on the engine (after a reload). */
export async function registerStoredUserModel(rec: UserModelRecord): Promise<ModelHandle> {
  const existing = engine.get(rec.id);
  if (existing) return existing;
  // Two runs starting at once share one build: a second would orphan the first's model.
  return userModelBuilds.run(rec.id, () => {
    const fetched = {
      modelJson: rec.modelJson as tf.io.ModelJSON,
      modelJsonSha256: rec.modelJsonSha256,
      weights: rec.weights,
      fromCache: true,
      cached: true,
    };
    return engine.register(rec.id, () => buildModel(rec.format, fetched));
  });
}
