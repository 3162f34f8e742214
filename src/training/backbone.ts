/**
 * The frozen feature extractor: a private copy of a catalog classifier (so training never
 * touches the model Live uses), registered on the engine so it is rebuilt after a GPU loss.
 * Cut points: global pooling (the embedding, for head-only training and KNN) and the input of
 * the top conv block (for fine-tuning, which trains copies of the top block's layers).
 */
import { tf } from '../engine/tf';
import { engine, type ModelHandle } from '../engine/engine';
import { SharedRuns } from '../engine/sharedRuns';
import { catalogEntry, officialUrl, type CatalogEntry } from '../models/catalog';
import { fetchManifest, selfHostedUrl } from '../models/registry';
import { buildModel, fetchModel, type FetchedModel } from '../models/loader';

export const BACKBONE_ID = 'train/backbone';

interface Derived {
  generation: number;
  embed?: tf.LayersModel;
  lower?: tf.LayersModel;
  top?: tf.layers.Layer[];
  cutShape?: number[];
}

export class Backbone {
  private derived: Derived = { generation: -1 };

  constructor(
    readonly entry: CatalogEntry,
    readonly handle: ModelHandle,
  ) {}

  get id(): string {
    return this.entry.id;
  }

  get dim(): number {
    return this.entry.embedding?.dim ?? 0;
  }

  get isLayers(): boolean {
    return this.entry.format === 'layers';
  }

  get canFinetune(): boolean {
    return this.isLayers && Boolean(this.entry.embedding?.convLayer && this.entry.embedding.layer);
  }

  get layersModel(): tf.LayersModel {
    const m = this.handle.model;
    if (!(m instanceof tf.LayersModel)) throw new Error(`${this.entry.name} is a graph model`);
    return m;
  }

  /** Wrapper models share the backbone's layers (never dispose them); rebuilt after a GPU loss. */
  private ensure(): Derived {
    if (this.derived.generation === this.handle.generation) return this.derived;
    const d: Derived = { generation: this.handle.generation };
    if (this.isLayers) {
      const m = this.layersModel;
      const emb = this.entry.embedding!;
      const embLayer = m.getLayer(emb.layer!);
      d.embed = tf.model({ inputs: m.inputs, outputs: embLayer.output as tf.SymbolicTensor });
      if (this.canFinetune) {
        const layers = m.layers;
        const convIdx = layers.findIndex((l) => l.name === emb.convLayer);
        const embIdx = layers.indexOf(embLayer);
        // The trainable top starts at the last pointwise (1x1) conv before the cut: it holds most
        // of the top block's weights, and as a per-pixel matmul its gradient runs on every
        // backend (wasm has no conv or depthwise-conv backprop kernels).
        let start = convIdx;
        while (start > 0 && layers[start].getClassName() !== 'Conv2D') start--;
        const cut = layers[start - 1];
        d.lower = tf.model({ inputs: m.inputs, outputs: cut.output as tf.SymbolicTensor });
        d.top = layers.slice(start, embIdx + 1);
        d.cutShape = (cut.output as tf.SymbolicTensor).shape.slice(1) as number[];
      }
    }
    this.derived = d;
    return d;
  }

  /** [n,H,W,3] model input → [n, dim] embeddings. */
  embed(x: tf.Tensor4D): tf.Tensor2D {
    return tf.tidy(() => {
      if (this.isLayers) {
        const y = this.ensure().embed!.predict(x) as tf.Tensor;
        return tf.reshape(y, [y.shape[0], -1]) as tf.Tensor2D;
      }
      const g = this.handle.model as tf.GraphModel;
      const y = g.execute({ [this.entry.input.name]: x }, this.entry.embedding!.node!) as tf.Tensor;
      return tf.reshape(y, [y.shape[0], -1]) as tf.Tensor2D;
    });
  }

  /** [n,H,W,3] → features at the fine-tuning cut, e.g. [n,7,7,C]. */
  lower(x: tf.Tensor4D): tf.Tensor4D {
    const d = this.ensure();
    if (!d.lower) throw new Error(`${this.entry.name} cannot be fine-tuned`);
    return d.lower.predict(x) as tf.Tensor4D;
  }

  /** Cut features → embeddings through the pretrained top block (same result as `embed`). */
  embedFromLower(features: tf.Tensor4D): tf.Tensor2D {
    const d = this.ensure();
    return tf.tidy(() => {
      let y: tf.Tensor = features;
      for (const l of d.top!) y = l.apply(y, { training: false }) as tf.Tensor;
      return tf.reshape(y, [y.shape[0], -1]) as tf.Tensor2D;
    });
  }

  get cutShape(): number[] {
    const d = this.ensure();
    if (!d.cutShape) throw new Error(`${this.entry.name} cannot be fine-tuned`);
    return d.cutShape;
  }

  /** Symbolic tensors for building a standalone model on top of the backbone's own layers. */
  symbolic(at: 'embed' | 'cut'): { inputs: tf.SymbolicTensor[]; output: tf.SymbolicTensor } {
    const d = this.ensure();
    const m = at === 'embed' ? d.embed : d.lower;
    if (!m)
      throw new Error(`${this.entry.name} cannot be exported as a layers model (graph base).`);
    return { inputs: m.inputs, output: m.outputs[0] };
  }

  /** Fresh, independent copies of the top block's layers with the pretrained weights. */
  cloneTop(): tf.layers.Layer[] {
    const d = this.ensure();
    if (!d.top) throw new Error(`${this.entry.name} cannot be fine-tuned`);
    const map = tf.serialization.SerializationMap.getMap().classNameMap;
    const inShape = [null, ...this.cutShape];
    let shape: (number | null)[] = inShape;
    return d.top.map((l) => {
      const cfg = l.getConfig();
      const src = l.getWeights();
      let copy: tf.layers.Layer;
      let weights = src;
      const k = cfg.kernelSize as number[] | undefined;
      const st = cfg.strides as number[] | undefined;
      if (l.getClassName() === 'Conv2D' && k?.every((v) => v === 1) && st?.every((v) => v === 1)) {
        // A 1x1 conv is a dense layer on the channel axis: same maths, matmul gradients.
        copy = tf.layers.dense({
          units: cfg.filters as number,
          useBias: Boolean(cfg.useBias),
          name: l.name,
        });
        weights = [tf.reshape(src[0], src[0].shape.slice(2)), ...src.slice(1)];
      } else {
        const [cls, fromConfig] = map[l.getClassName()];
        copy = fromConfig(cls, cfg) as tf.layers.Layer;
      }
      copy.build(shape as tf.Shape);
      shape = copy.computeOutputShape(shape as tf.Shape) as (number | null)[];
      if (weights.length) copy.setWeights(weights);
      if (weights !== src) weights[0].dispose();
      return copy;
    });
  }
}

/** Loaded bases by id: the active model's base stays loaded while another one trains. */
const loaded = new Map<string, Backbone>();
const loading = new SharedRuns<Backbone>();

async function fetchBase(entry: CatalogEntry): Promise<FetchedModel> {
  const manifest = await fetchManifest();
  const url = selfHostedUrl(entry, manifest) ?? officialUrl(entry);
  if (!url) throw new Error(`${entry.name} is not available here (run npm run models).`);
  return fetchModel({ id: entry.id, url, files: entry.files });
}

/** Loads (once) the backbone for `baseId`, registered on the engine as `train/backbone:<id>`. */
export async function getBackbone(baseId: string): Promise<Backbone> {
  const hit = loaded.get(baseId);
  if (hit && engine.get(`${BACKBONE_ID}:${baseId}`)) return hit;
  return loading.run(baseId, async () => {
    const entry = catalogEntry(baseId);
    if (entry.task !== 'classify' || !entry.embedding)
      throw new Error(`${entry.name} has no embedding layer and cannot be a base.`);
    const fetched = await fetchBase(entry);
    await engine.whenReady();
    const handle = await engine.register(`${BACKBONE_ID}:${baseId}`, () =>
      buildModel(entry.format, fetched),
    );
    const bb = new Backbone(entry, handle);
    loaded.set(baseId, bb);
    return bb;
  });
}

/** Frees every loaded base except those listed (the active model's and the selected one). */
export function releaseBackbones(keep: string[]): void {
  for (const id of [...loaded.keys()]) {
    if (keep.includes(id)) continue;
    engine.unregister(`${BACKBONE_ID}:${id}`);
    loaded.delete(id);
  }
}
