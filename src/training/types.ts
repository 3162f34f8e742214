/** Shared types of the Train workspace: a project is classes, samples, settings and a trained model. */

export interface TrainClass {
  id: string;
  name: string;
  color: string;
}

export type SampleSource = 'webcam' | 'file' | 'tag';

export interface Sample {
  id: string;
  classId: string;
  /** The photo or frame, downscaled (short side 256) and JPEG-encoded; used for re-embedding. */
  image: Blob;
  source: SampleSource;
  createdAt: number;
}

/** Embeddings of one sample for one base: view 0 is the clean image, the rest augmented views. */
export interface SampleEmbedding {
  sampleId: string;
  /** `${baseId}|${augmentViews}` so a change of base or view count re-embeds. */
  key: string;
  views: number;
  dim: number;
  data: Float32Array;
}

export type TrainMode = 'head' | 'finetune' | 'knn';

export interface TrainSettings {
  baseId: string;
  mode: TrainMode;
  augment: boolean;
  /** Augmented views cached per sample (besides the clean one). */
  augmentViews: number;
  hidden: number;
  dropout: number;
  learningRate: number;
  epochs: number;
  batchSize: number;
  valSplit: number;
  patience: number;
  classWeights: boolean;
  finetuneLearningRate: number;
  finetuneEpochs: number;
  knnK: number;
  seed: number;
}

export const DEFAULT_SETTINGS: TrainSettings = {
  baseId: 'mobilenet_v1_0.25_224',
  mode: 'head',
  augment: true,
  augmentViews: 4,
  hidden: 128,
  dropout: 0.3,
  learningRate: 0.001,
  epochs: 60,
  batchSize: 32,
  valSplit: 0.2,
  patience: 10,
  classWeights: true,
  finetuneLearningRate: 0.0001,
  finetuneEpochs: 10,
  knnK: 5,
  seed: 1,
};

export interface EpochLog {
  epoch: number;
  phase: 'head' | 'finetune';
  loss: number;
  acc: number;
  valLoss?: number;
  valAcc?: number;
}

export interface ClassMetrics {
  precision: number;
  recall: number;
  support: number;
}

export interface EvalReport {
  accuracy: number;
  labels: string[];
  perClass: ClassMetrics[];
  /** confusion[true][predicted] counts. */
  confusion: number[][];
  misclassified: { sampleId: string; trueIndex: number; predIndex: number; confidence: number }[];
  n: number;
}

export interface SerializedWeight {
  name: string;
  shape: number[];
  data: Float32Array;
}

/** What a trained model is: enough to rebuild it after a reload. */
export interface TrainedInfo {
  kind: 'head' | 'finetune' | 'knn' | 'imported';
  baseId: string;
  labels: string[];
  colors: string[];
  classIds: string[];
  dim: number;
  hidden: number;
  dropout: number;
  trainedAt: number;
  /** Best epoch (restored weights), when trained. */
  bestEpoch?: number;
  valAccuracy?: number;
}

export interface SavedModelWeights {
  head: SerializedWeight[];
  /** The fine-tuned top block of the backbone (fine-tune mode only). */
  top?: SerializedWeight[];
}
