/** A layers model as the files a user would drop: model.json text and weights.bin bytes. */
import type * as tfjs from '@tensorflow/tfjs';

/** The artifacts `model.save` hands a save handler (the model stays loaded). */
export async function savedArtifacts(
  tf: typeof tfjs,
  model: tfjs.LayersModel,
): Promise<tfjs.io.ModelArtifacts> {
  let art: tfjs.io.ModelArtifacts | null = null;
  await model.save(
    tf.io.withSaveHandler(async (a) => {
      art = a;
      return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
    }),
  );
  return art as unknown as tfjs.io.ModelArtifacts;
}

export async function layersModelFiles(
  tf: typeof tfjs,
  model: tfjs.LayersModel,
): Promise<{ json: string; weights: Uint8Array }> {
  const a = await savedArtifacts(tf, model);
  model.dispose();
  return {
    json: JSON.stringify({
      format: 'layers-model',
      modelTopology: a.modelTopology,
      weightsManifest: [{ paths: ['weights.bin'], weights: a.weightSpecs }],
    }),
    weights: new Uint8Array(tf.io.CompositeArrayBuffer.join(a.weightData!)),
  };
}
