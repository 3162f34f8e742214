/** The colour classifier (tests/unit/colourModel.ts) as a live 'model' task, bytes and key. */
import { tf } from '../../../src/engine/tf';
import { modelContentKey } from '../../../src/pipeline/modelKey';
import type { ModelTaskArtifacts, ModelTaskSpec } from '../../../src/pipeline/protocol';
import { savedArtifacts } from '../layersFiles';
import { colourModel } from '../colourModel';

/** `swap` makes a different ("retrained") model: other weights, other key. */
export async function colourModelTaskSpec(swap = false, topK = 2): Promise<ModelTaskSpec> {
  const model = colourModel(tf, swap);
  const a = await savedArtifacts(tf, model);
  model.dispose();
  const artifacts: ModelTaskArtifacts = {
    modelTopology: a.modelTopology as object,
    weightSpecs: a.weightSpecs!,
    weightData: tf.io.CompositeArrayBuffer.join(a.weightData!),
  };
  return {
    kind: 'model',
    id: 'Your model',
    format: 'layers',
    key: await modelContentKey('layers', artifacts),
    artifacts,
    input: {
      name: 'image',
      width: 8,
      height: 8,
      range: [0, 1],
      layout: 'NHWC',
      channels: 'RGB',
      resize: 'center-crop',
    },
    labels: ['red', 'green'],
    outputKind: 'probabilities',
    topK,
  };
}
