/**
 * One view of every classifier the Tag workspace can use — catalog models and the user's own —
 * with what preprocessing and post-processing need, and a loader that puts it on the engine.
 */
import type { ModelHandle } from '../engine/engine';
import { catalog, catalogEntry, type CatalogEntry } from '../models/catalog';
import { labelsFor, type ClassifierSpec } from '../classification/classifier';
import { loadModel } from '../store/engineActions';
import { listUserModels } from './session';
import {
  isUserModelId,
  registerStoredUserModel,
  userModelInTab,
  type UserModelRecord,
} from './userModels';

export interface ClassifierInfo {
  id: string;
  name: string;
  input: { width: number; height: number; range: [number, number] };
  spec: ClassifierSpec;
  /** Identifies the exact weights: the model.json's sha256 prefix. */
  version: string;
  user: boolean;
}

export function catalogClassifiers(): CatalogEntry[] {
  return catalog.models.filter((m) => m.task === 'classify');
}

export function infoForCatalog(entry: CatalogEntry): ClassifierInfo {
  const sha = entry.files.find((f) => f.path === entry.entry)?.sha256;
  return {
    id: entry.id,
    name: entry.name,
    input: { width: entry.input.width, height: entry.input.height, range: entry.input.range },
    spec: { output: entry.output, labels: labelsFor(entry) },
    version: sha ? sha.slice(0, 12) : 'official-host',
    user: false,
  };
}

export function infoForUser(rec: UserModelRecord): ClassifierInfo {
  return {
    id: rec.id,
    name: `${rec.name} (yours)`,
    input: rec.input,
    spec: {
      output: { classes: rec.output.classes, kind: rec.output.kind },
      labels: rec.labels,
    },
    version: rec.modelJsonSha256.slice(0, 12),
    user: true,
  };
}

/** Loads (or finds) a classifier on the engine. */
export async function prepareClassifier(
  id: string,
): Promise<{ info: ClassifierInfo; handle: ModelHandle }> {
  if (isUserModelId(id)) {
    const rec = userModelInTab(id) ?? (await listUserModels()).find((m) => m.id === id);
    if (!rec) throw new Error(`Your model ${id} is no longer stored in this browser.`);
    return { info: infoForUser(rec), handle: await registerStoredUserModel(rec) };
  }
  const entry = catalogEntry(id);
  if (entry.task !== 'classify') throw new Error(`${entry.name} is not a classifier`);
  return { info: infoForCatalog(entry), handle: await loadModel(id) };
}
