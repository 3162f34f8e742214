/**
 * Hands the trained classifier to the Tag workspace as one of the user's own models: the same
 * standalone export (backbone + trained layers, labels and value range in metadata.json), kept in
 * IndexedDB with the other user models and picked as Tag's classifier.
 */
import { addUserModel } from '../tagging/actions';
import { exportModel } from './modelio';

/** Registers the active trained model in Tag and selects it; returns its Tag model id. */
export async function sendTrainedModelToTag(): Promise<string> {
  const files = await exportModel();
  const meta = JSON.parse(files.metadata) as { preprocessing: { range: [number, number] } };
  return addUserModel(
    [
      new File([files.modelJson], 'model.json', { type: 'application/json' }),
      new File([files.weights], 'weights.bin', { type: 'application/octet-stream' }),
      new File([files.metadata], 'metadata.json', { type: 'application/json' }),
    ],
    meta.preprocessing.range,
  );
}
