/**
 * The trained classifier as a live frame task: the standalone model (backbone + trained layers,
 * the same one "Export model" writes) is handed to the live pipeline's worker, where it runs on
 * the frame tensor every other task shares.
 */
import type { ModelTaskArtifacts, ModelTaskSpec } from '../pipeline/protocol';
import { modelContentKey } from '../pipeline/modelKey';
import { exportModel } from './modelio';

export const TRAINED_LIVE_TASK_ID = 'Your model';

interface ExportMeta {
  labels: string[];
  preprocessing: { width: number; height: number; range: [number, number] };
}

/**
 * The task spec for the active trained model, every class in its top-k (the caller may lower it),
 * with its content key; throws when there is none (or it is KNN).
 */
export async function trainedLiveTask(): Promise<ModelTaskSpec> {
  const files = await exportModel();
  const json = JSON.parse(files.modelJson) as {
    modelTopology: object;
    weightsManifest: { weights: ModelTaskArtifacts['weightSpecs'] }[];
  };
  const meta = JSON.parse(files.metadata) as ExportMeta;
  const { width, height, range } = meta.preprocessing;
  const artifacts: ModelTaskArtifacts = {
    modelTopology: json.modelTopology,
    weightSpecs: json.weightsManifest.flatMap((g) => g.weights),
    weightData: files.weights,
  };
  return {
    kind: 'model',
    id: TRAINED_LIVE_TASK_ID,
    format: 'layers',
    key: await modelContentKey('layers', artifacts),
    artifacts,
    input: {
      name: 'image',
      width,
      height,
      range,
      layout: 'NHWC',
      channels: 'RGB',
      resize: 'center-crop',
    },
    labels: meta.labels,
    outputKind: 'probabilities',
    topK: meta.labels.length,
  };
}
