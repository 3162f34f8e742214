/**
 * The project's IndexedDB store. Every change is written through as it happens; a failed write
 * (storage full) is reported and leaves what was saved before intact. Model weights live in
 * their own record, written only after a training run completes, so a cancelled run or a reload
 * mid-training keeps the last good model.
 */
import type { InputSpec } from '../models/catalog';
import type { io } from '@tensorflow/tfjs';
import { openDB, type DBSchema, type IDBPDatabase } from 'idb';
import type {
  EpochLog,
  EvalReport,
  Sample,
  SampleEmbedding,
  SavedModelWeights,
  TrainClass,
  TrainedInfo,
  TrainSettings,
} from './types';

export interface ProjectRecord {
  name: string;
  classes: TrainClass[];
  settings: TrainSettings;
  history: EpochLog[];
  report: EvalReport | null;
  updatedAt: number;
}

export interface ModelRecord {
  info: TrainedInfo;
  weights: SavedModelWeights;
  /** A standalone imported model (Teachable Machine or an Ocellus export), kept as artifacts. */
  imported?: {
    modelTopology: unknown;
    weightSpecs: WeightSpec[];
    weightData: ArrayBuffer;
    spec: InputSpec;
  };
}

type WeightSpec = io.WeightsManifestEntry;

interface TrainDB extends DBSchema {
  meta: { key: string; value: ProjectRecord | ModelRecord };
  samples: { key: string; value: Sample; indexes: { byClass: string } };
  embeddings: { key: string; value: SampleEmbedding };
  backups: { key: number; value: { createdAt: number; name: string; zip: Blob } };
}

const DB_NAME = 'ocellus-train';
let dbp: Promise<IDBPDatabase<TrainDB>> | null = null;

function db(): Promise<IDBPDatabase<TrainDB>> {
  dbp ??= openDB<TrainDB>(DB_NAME, 1, {
    upgrade(d) {
      d.createObjectStore('meta');
      d.createObjectStore('samples', { keyPath: 'id' }).createIndex('byClass', 'classId');
      d.createObjectStore('embeddings', { keyPath: 'sampleId' });
      d.createObjectStore('backups', { autoIncrement: true });
    },
  });
  return dbp;
}

export class StorageError extends Error {
  constructor(cause: unknown) {
    const quota = (cause as { name?: string })?.name === 'QuotaExceededError';
    super(
      quota
        ? 'Storage is full: the latest change could not be saved. Everything saved before is intact; free space or export the project as a .zip.'
        : `Could not save to IndexedDB: ${(cause as Error)?.message ?? String(cause)}. Everything saved before is intact.`,
    );
    this.name = 'StorageError';
  }
}

async function guard<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (e) {
    throw new StorageError(e);
  }
}

export const trainDb = {
  async loadProject(): Promise<ProjectRecord | undefined> {
    return (await (await db()).get('meta', 'project')) as ProjectRecord | undefined;
  },
  saveProject: (p: ProjectRecord) =>
    guard(async () => void (await (await db()).put('meta', p, 'project'))),
  async loadModel(): Promise<ModelRecord | undefined> {
    return (await (await db()).get('meta', 'model')) as ModelRecord | undefined;
  },
  saveModel: (m: ModelRecord) =>
    guard(async () => void (await (await db()).put('meta', m, 'model'))),
  deleteModel: () => guard(async () => void (await (await db()).delete('meta', 'model'))),
  async samples(): Promise<Sample[]> {
    return (await db()).getAll('samples');
  },
  putSamples: (ss: Sample[]) =>
    guard(async () => {
      const tx = (await db()).transaction('samples', 'readwrite');
      await Promise.all([...ss.map((s) => tx.store.put(s)), tx.done]);
    }),
  deleteSamples: (ids: string[]) =>
    guard(async () => {
      const tx = (await db()).transaction(['samples', 'embeddings'], 'readwrite');
      await Promise.all([
        ...ids.flatMap((id) => [
          tx.objectStore('samples').delete(id),
          tx.objectStore('embeddings').delete(id),
        ]),
        tx.done,
      ]);
    }),
  async embeddings(): Promise<SampleEmbedding[]> {
    return (await db()).getAll('embeddings');
  },
  putEmbeddings: (es: SampleEmbedding[]) =>
    guard(async () => {
      const tx = (await db()).transaction('embeddings', 'readwrite');
      await Promise.all([...es.map((e) => tx.store.put(e)), tx.done]);
    }),
  /** Replaces the whole project in one transaction (zip import), after a backup of the old one. */
  replaceAll: (p: ProjectRecord, samples: Sample[], model: ModelRecord | null) =>
    guard(async () => {
      const tx = (await db()).transaction(['meta', 'samples', 'embeddings'], 'readwrite');
      const meta = tx.objectStore('meta');
      await Promise.all([
        tx.objectStore('samples').clear(),
        tx.objectStore('embeddings').clear(),
        meta.put(p, 'project'),
        model ? meta.put(model, 'model') : meta.delete('model'),
        ...samples.map((s) => tx.objectStore('samples').put(s)),
        tx.done,
      ]);
    }),
  addBackup: (name: string, zip: Blob) =>
    guard(async () => {
      const d = await db();
      await d.add('backups', { createdAt: Date.now(), name, zip });
      // Keep the three most recent backups.
      const keys = await d.getAllKeys('backups');
      for (const k of keys.slice(0, Math.max(0, keys.length - 3))) await d.delete('backups', k);
    }),
  async backups() {
    return (await db()).getAll('backups');
  },
};
