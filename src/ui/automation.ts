/**
 * A small, documented automation surface on `window.ocellus` for the e2e tests, the eval CLI and
 * the benchmark harness. It exposes the same modules the UI uses; nothing here is test-only logic.
 */
import { tf } from '../engine/tf';
import { engine } from '../engine/engine';
import { useApp } from '../store';
import { loadModel, switchBackend } from '../store/engineActions';
import { catalog, catalogEntry } from '../models/catalog';
import { classifyBatch, labelsFor } from '../classification/classifier';
import { toModelInput, type CropMode } from '../classification/preprocess';
import { trainAutomation, type TrainAutomation } from '../training/automation';
import { liveAutomation, type LiveAutomation } from './live/control';
import { tagAutomation, type TagAutomation } from '../tagging/automation';
import { detectionAutomation, type DetectionAutomation } from './detection/automation';

export interface OcellusAutomation {
  tf: typeof tf;
  engine: typeof engine;
  store: typeof useApp;
  catalog: typeof catalog;
  loadModel: typeof loadModel;
  switchBackend: typeof switchBackend;
  /** Classifies an image URL or Blob with a loaded catalog classifier. */
  classify: (
    modelId: string,
    image: string | Blob,
    opts?: { k?: number; crop?: CropMode },
  ) => Promise<{ index: number; label: string; probability: number }[]>;
  ready: () => Promise<void>;
  /** Train workspace: classes, samples, training, prediction, export/import (src/training). */
  train: TrainAutomation;
  /** The Live workspace's loop: HUD figures, the worker's memory, model-only timing. */
  live: LiveAutomation;
  /** Tag workspace: the batch pipeline on any images, session hooks (src/tagging). */
  tagging: TagAutomation;
  /** Object detection: the app's detector factory on any image (src/detection). */
  detection: DetectionAutomation;
}

declare global {
  interface Window {
    ocellus?: OcellusAutomation;
  }
}

async function decode(image: string | Blob): Promise<ImageBitmap> {
  const blob = typeof image === 'string' ? await (await fetch(image)).blob() : image;
  return createImageBitmap(blob, { imageOrientation: 'from-image' });
}

export function installAutomation(): void {
  window.ocellus = {
    tf,
    engine,
    store: useApp,
    catalog,
    loadModel,
    switchBackend,
    train: trainAutomation(),
    live: liveAutomation,
    tagging: tagAutomation(),
    detection: detectionAutomation(),
    ready: async () => {
      while (
        useApp.getState().engineStatus === 'starting' ||
        useApp.getState().engineStatus === 'idle'
      ) {
        await new Promise((r) => setTimeout(r, 50));
      }
      await engine.whenReady();
    },
    classify: async (modelId, image, opts = {}) => {
      const entry = catalogEntry(modelId);
      const handle = await loadModel(modelId);
      const bitmap = await decode(image);
      const pixels = tf.browser.fromPixels(bitmap);
      bitmap.close();
      const input = toModelInput(pixels, entry.input, opts.crop ?? 'center');
      pixels.dispose();
      try {
        const [preds] = await classifyBatch(
          handle,
          { output: entry.output, labels: labelsFor(entry) },
          input,
          opts.k ?? 5,
        );
        return preds;
      } finally {
        input.dispose();
      }
    },
  };
}
