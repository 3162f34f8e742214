/**
 * Keep and share: a standalone TF.js layers model download (the feature extractor included),
 * import of such a model or of a Teachable Machine image model, and whole-project .zip files.
 */
import { tf } from '../engine/tf';
import { useApp } from '../store';
import { catalogEntry, type InputSpec } from '../models/catalog';
import { getBackbone } from './backbone';
import { activateImported, activeParts, initProject, internals } from './project';
import { trainDb, type ModelRecord } from './db';
import {
  buildProjectZip,
  parseProjectZip,
  PROJECT_FORMAT,
  PROJECT_VERSION,
  type ProjectJson,
  type ZipWeightEntry,
} from './zipFormat';
import { ShapeMismatchError } from './head';
import { manifestWeightBytes } from '../tagging/userModels';
import type { Sample, TrainedInfo } from './types';

export interface ExportedFiles {
  modelJson: string;
  weights: ArrayBuffer;
  metadata: string;
}

export interface ExportMetadata {
  format: 'ocellus-transfer';
  version: 1;
  labels: string[];
  colors: string[];
  baseModel: string;
  baseModelName: string;
  kind: TrainedInfo['kind'];
  preprocessing: {
    width: number;
    height: number;
    range: [number, number];
    channels: 'RGB';
    layout: 'NHWC';
    crop: 'center';
  };
  /** Teachable Machine's key, so TM-compatible loaders find the input size. */
  imageSize: number;
  trainedAt: number;
  valAccuracy?: number;
  tfjsVersion: string;
}

async function toFiles(
  model: tf.LayersModel,
): Promise<{ modelJson: string; weights: ArrayBuffer }> {
  let artifacts: tf.io.ModelArtifacts | null = null;
  await model.save(
    tf.io.withSaveHandler(async (a) => {
      artifacts = a;
      return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
    }),
  );
  const a = artifacts as tf.io.ModelArtifacts | null;
  if (!a?.weightData || !a.weightSpecs) throw new Error('The model could not be serialised.');
  const modelJson = {
    format: 'layers-model',
    generatedBy: `TensorFlow.js tfjs-layers v${tf.version.tfjs}`,
    convertedBy: null,
    modelTopology: a.modelTopology,
    weightsManifest: [{ paths: ['weights.bin'], weights: a.weightSpecs }],
  };
  return {
    modelJson: JSON.stringify(modelJson),
    weights: tf.io.CompositeArrayBuffer.join(a.weightData),
  };
}

/** The trained classifier as one layers model: image [n,224,224,3] in the base's range → probabilities. */
export async function exportModel(): Promise<ExportedFiles> {
  const a = activeParts();
  if (!a?.model)
    throw new Error('Train a head or fine-tuned model first (KNN has no weights to export).');
  const { info } = a;
  let standalone: tf.LayersModel;
  let spec: InputSpec;
  if (a.spec) {
    standalone = a.model;
    spec = a.spec;
  } else {
    const bb = await getBackbone(info.baseId);
    if (!bb.isLayers)
      throw new Error(`${bb.entry.name} is a graph model; only layers bases can be exported.`);
    const { inputs, output } = bb.symbolic(info.kind === 'finetune' ? 'cut' : 'embed');
    // Apply the trained layers to the backbone's own graph: a wrapper that shares every layer
    // (never disposed here, since disposing it would free the live weights).
    const trained = a.model.layers.filter((l) => l.getClassName() !== 'InputLayer');
    let y = output;
    for (const l of trained) y = l.apply(y) as tf.SymbolicTensor;
    standalone = tf.model({ inputs, outputs: y, name: 'ocellus_classifier' });
    spec = bb.entry.input;
  }
  const { modelJson, weights } = await toFiles(standalone);
  const metadata: ExportMetadata = {
    format: 'ocellus-transfer',
    version: 1,
    labels: info.labels,
    colors: info.colors,
    baseModel: info.baseId,
    baseModelName: a.spec ? info.baseId : catalogEntry(info.baseId).name,
    kind: info.kind,
    preprocessing: {
      width: spec.width,
      height: spec.height,
      range: spec.range,
      channels: 'RGB',
      layout: 'NHWC',
      crop: 'center',
    },
    imageSize: spec.width,
    trainedAt: info.trainedAt,
    valAccuracy: info.valAccuracy,
    tfjsVersion: tf.version.tfjs,
  };
  return { modelJson, weights, metadata: JSON.stringify(metadata, null, 2) };
}

export function download(name: string, data: BlobPart, type: string): void {
  const url = URL.createObjectURL(new Blob([data], { type }));
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

export async function downloadModel(): Promise<void> {
  const f = await exportModel();
  download('model.json', f.modelJson, 'application/json');
  await new Promise((r) => setTimeout(r, 150));
  download('weights.bin', f.weights, 'application/octet-stream');
  await new Promise((r) => setTimeout(r, 150));
  download('metadata.json', f.metadata, 'application/json');
}

// ---------------------------------------------------------------- model import

interface ImportedMeta {
  labels: string[];
  colors?: string[];
  spec: InputSpec;
  baseId: string;
  source: 'teachable-machine' | 'ocellus';
}

function parseMetadata(text: string): ImportedMeta {
  let m: Record<string, unknown>;
  try {
    m = JSON.parse(text) as Record<string, unknown>;
  } catch {
    throw new Error('metadata.json is not valid JSON.');
  }
  const labels = m.labels;
  if (!Array.isArray(labels) || !labels.length || !labels.every((l) => typeof l === 'string'))
    throw new Error('metadata.json has no "labels" list.');
  const pre = m.preprocessing as ExportMetadata['preprocessing'] | undefined;
  const size = typeof m.imageSize === 'number' ? m.imageSize : 224;
  const spec: InputSpec = {
    name: 'input',
    width: pre?.width ?? size,
    height: pre?.height ?? size,
    // Teachable Machine image models take [-1, 1] (MobileNet preprocessing).
    range: pre?.range ?? [-1, 1],
    layout: 'NHWC',
    channels: 'RGB',
    resize: 'center-crop',
  };
  const ocellus = m.format === 'ocellus-transfer';
  return {
    labels: labels as string[],
    colors: Array.isArray(m.colors) ? (m.colors as string[]) : undefined,
    spec,
    baseId: ocellus
      ? String(m.baseModel)
      : `teachable-machine:${String(m.modelName ?? m.packageName ?? 'image')}`,
    source: ocellus ? 'ocellus' : 'teachable-machine',
  };
}

const PALETTE = ['#4cc9f0', '#f72585', '#7ee787', '#f2cc60', '#b388ff', '#ff8a65'];

async function loadAndCheck(
  artifacts: tf.io.ModelArtifacts,
  meta: ImportedMeta,
): Promise<tf.LayersModel> {
  let model: tf.LayersModel;
  try {
    model = await tf.loadLayersModel(tf.io.fromMemory(artifacts));
  } catch (e) {
    throw new Error(
      `model.json / weights could not be loaded as a TF.js layers model: ${(e as Error).message}`,
    );
  }
  const inShape = model.inputs[0].shape;
  const outShape = model.outputs[0].shape;
  const problem =
    inShape.length !== 4 || inShape[3] !== 3
      ? `its input is ${JSON.stringify(inShape)}, not an RGB image batch [n, h, w, 3]`
      : inShape[1] !== meta.spec.height || inShape[2] !== meta.spec.width
        ? `its input is ${inShape[1]}x${inShape[2]} but metadata.json says ${meta.spec.height}x${meta.spec.width}`
        : outShape.length !== 2 || outShape[1] !== meta.labels.length
          ? `it has ${String(outShape[outShape.length - 1])} outputs but metadata.json lists ${meta.labels.length} labels`
          : null;
  if (problem) {
    model.dispose();
    throw new ShapeMismatchError(`The model does not match: ${problem}.`);
  }
  return model;
}

/** Reads model.json + weights (+ metadata.json) from dropped or picked files into memory. */
export async function readModelFiles(
  files: File[],
): Promise<{ artifacts: tf.io.ModelArtifacts; metaText: string }> {
  const byName = new Map(files.map((f) => [f.name, f]));
  const jsonFile =
    byName.get('model.json') ??
    files.find((f) => f.name.endsWith('.json') && f.name !== 'metadata.json');
  const metaFile = byName.get('metadata.json');
  if (!jsonFile)
    throw new Error('Select model.json together with its weights file(s) and metadata.json.');
  if (!metaFile) throw new Error('metadata.json is missing: it holds the class labels.');
  let json: tf.io.ModelJSON;
  try {
    json = JSON.parse(await jsonFile.text()) as tf.io.ModelJSON;
  } catch {
    throw new Error('model.json is not valid JSON.');
  }
  if (!json.modelTopology || !json.weightsManifest)
    throw new Error('model.json is not a TF.js layers model.');
  const artifacts = await tf.io.getModelArtifactsForJSON(json, async (manifest) => {
    const specs = manifest.flatMap((g) => g.weights);
    const parts: ArrayBuffer[] = [];
    for (const p of manifest.flatMap((g) => g.paths)) {
      const f = byName.get(p.split('/').pop()!);
      if (!f) throw new Error(`Weights file “${p}” named in model.json was not provided.`);
      parts.push(await f.arrayBuffer());
    }
    // Checked before building: tfjs makes the layers first and leaks them when weights are short.
    const need = manifestWeightBytes(manifest);
    const have = parts.reduce((n, b) => n + b.byteLength, 0);
    if (need !== null && need !== have)
      throw new Error(
        `The weight files hold ${have} bytes but ${jsonFile.name} describes ${need} bytes of weights: they do not belong together or are damaged.`,
      );
    return [specs, tf.io.CompositeArrayBuffer.join(parts)];
  });
  return { artifacts, metaText: await metaFile.text() };
}

/** Imports an Ocellus export or a Teachable Machine image model and makes it the active model. */
export async function importModel(files: File[]): Promise<TrainedInfo> {
  const { artifacts, metaText } = await readModelFiles(files);
  const meta = parseMetadata(metaText);
  const model = await loadAndCheck(artifacts, meta);
  const info: TrainedInfo = {
    kind: 'imported',
    baseId: meta.baseId,
    labels: meta.labels,
    colors: meta.labels.map((_, i) => meta.colors?.[i] ?? PALETTE[i % PALETTE.length]),
    classIds: meta.labels.map((_, i) => `imported-${i}`),
    dim: 0,
    hidden: 0,
    dropout: 0,
    trainedAt: Date.now(),
  };
  let first: tf.LayersModel | null = model;
  await activateImported(
    async () => {
      const m = first ?? (await tf.loadLayersModel(tf.io.fromMemory(artifacts)));
      first = null;
      return m;
    },
    info,
    meta.spec,
  );
  const weightData = tf.io.CompositeArrayBuffer.join(artifacts.weightData!);
  try {
    await trainDb.saveModel({
      info,
      weights: { head: [] },
      imported: {
        modelTopology: artifacts.modelTopology ?? null,
        weightSpecs: artifacts.weightSpecs!,
        weightData,
        spec: meta.spec,
      },
    });
  } catch (e) {
    useApp
      .getState()
      .notify('warning', `The imported model works now but was not saved: ${(e as Error).message}`);
  }
  return info;
}

// ---------------------------------------------------------------- project zip

export async function exportProject(): Promise<Blob> {
  const t = useApp.getState().train;
  // The model in use first: with storage full or unavailable it may never have been saved.
  const rec = internals.activeRecord() ?? (await trainDb.loadModel().catch(() => undefined));
  const images = new Map<string, Uint8Array>();
  const sampleEntries = t.samples.map((v) => {
    const s = internals.samples.get(v.id)!;
    return {
      id: s.id,
      classId: s.classId,
      source: s.source,
      createdAt: s.createdAt,
      file: `samples/${s.id}.jpg`,
    };
  });
  for (const e of sampleEntries)
    images.set(e.file, new Uint8Array(await internals.samples.get(e.id)!.image.arrayBuffer()));
  let weights: Float32Array | null = null;
  let model: ProjectJson['model'] = null;
  if (rec && rec.info.kind !== 'imported') {
    const head: ZipWeightEntry[] = [];
    let offset = 0;
    for (const w of rec.weights.head) {
      head.push({ name: w.name, shape: w.shape, offset });
      offset += w.data.length;
    }
    weights = new Float32Array(offset);
    rec.weights.head.forEach((w, i) => weights!.set(w.data, head[i].offset));
    model = { info: rec.info, head };
  }
  const json: ProjectJson = {
    format: PROJECT_FORMAT,
    version: PROJECT_VERSION,
    project: internals.projectRecord(),
    samples: sampleEntries,
    model,
  };
  const zip = buildProjectZip(json, images, weights);
  return new Blob([zip.slice().buffer], { type: 'application/zip' });
}

function dimOf(baseId: string): number | undefined {
  try {
    return catalogEntry(baseId).embedding?.dim;
  } catch {
    return undefined;
  }
}

/**
 * Imports a project .zip. Everything is validated before anything is written; the current
 * project is first saved as a backup in IndexedDB, so nothing saved is lost.
 */
export async function importProject(file: Blob): Promise<void> {
  const parsed = parseProjectZip(new Uint8Array(await file.arrayBuffer()), dimOf);
  const { json } = parsed;
  const samples: Sample[] = json.samples.map((s) => ({
    id: s.id,
    classId: s.classId,
    source: s.source,
    createdAt: s.createdAt,
    image: new Blob([parsed.images.get(s.id)!.slice().buffer], { type: 'image/jpeg' }),
  }));
  const model: ModelRecord | null = json.model
    ? { info: json.model.info, weights: { head: parsed.weights } }
    : null;
  if (model && model.info.kind !== 'knn' && model.info.kind !== 'imported') {
    // Build it once to check it fits the base before replacing anything.
    const { rebuild } = await import('./head');
    const bb = await getBackbone(model.info.baseId);
    rebuild(bb, model.info, model.weights.head).model.dispose();
  }
  if (useApp.getState().train.samples.length)
    await trainDb.addBackup('before import', await exportProject());
  await trainDb.replaceAll({ ...json.project, updatedAt: Date.now() }, samples, model);
  await reloadFromDb();
}

/** Drops the in-memory project and reads it again from IndexedDB. */
async function reloadFromDb(): Promise<void> {
  internals.dropActive();
  for (const u of internals.urls.values()) URL.revokeObjectURL(u);
  internals.urls.clear();
  internals.samples.clear();
  internals.embeddings.clear();
  await initProject(true);
}
