/**
 * The live pipeline's lifetime is the page's, not the Live tab's: switching tabs keeps the worker
 * and its loaded models; a backend change restarts it. Extra tasks (e.g. a trained model) are
 * registered here and run on the same frame as the classifier and detector.
 */
import type { BackendName, BackendPreference } from '../../engine/backendNames';
import { PipelineClient, type PipelineEvent } from '../../pipeline/client';
import type { ModelTaskSpec, TaskSpec } from '../../pipeline/protocol';
import type { Settings } from '../../store/settingsSlice';
import { catalogEntry } from '../../models/catalog';
import type { LivePrefs } from '../../store/liveSlice';
import { classFilterOf, type DetectionPrefs } from '../../store/detectionSlice';

let current: { client: Promise<PipelineClient>; key: string } | null = null;
const listeners = new Set<(e: PipelineEvent) => void>();
const extraTasks = new Map<string, ModelTaskSpec>();
const extraListeners = new Set<() => void>();

export function onPipelineEvent(fn: (e: PipelineEvent) => void): () => void {
  listeners.add(fn);
  return () => listeners.delete(fn);
}

/** The running pipeline for this backend preference, started on first use. */
export function getPipeline(
  backend: BackendPreference,
  mainBackend: BackendName | null,
): Promise<PipelineClient> {
  const key = `${backend}|${mainBackend}`;
  if (current?.key === key) return current.client;
  disposePipeline();
  const client = PipelineClient.start({
    backend,
    mainBackend,
    onEvent: (e) => listeners.forEach((fn) => fn(e)),
  });
  current = { client, key };
  // A failed start must not be cached: the next call retries.
  client.catch(() => {
    if (current?.client === client) current = null;
  });
  return client;
}

export function disposePipeline(): void {
  const c = current;
  current = null;
  void c?.client.then((cl) => cl.dispose()).catch(() => undefined);
}

/** Adds a task (e.g. a trained model from the Train workspace) to every live frame. */
export function addLiveTask(spec: ModelTaskSpec): void {
  extraTasks.set(spec.id, spec);
  extraListeners.forEach((fn) => fn());
}

export function removeLiveTask(id: string): void {
  if (extraTasks.delete(id)) extraListeners.forEach((fn) => fn());
}

export function onLiveTasksChange(fn: () => void): () => void {
  extraListeners.add(fn);
  return () => extraListeners.delete(fn);
}

/** The tasks every frame runs, from the settings, the Live toggles and the class filter. */
export function liveTasks(
  settings: Settings,
  prefs: LivePrefs,
  detection?: Pick<DetectionPrefs, 'filterMode' | 'classes'>,
): TaskSpec[] {
  const tasks: TaskSpec[] = [];
  if (prefs.classify) {
    tasks.push({
      kind: 'classify',
      id: 'classifier',
      modelId: settings.classifierId,
      topK: settings.topK,
    });
  }
  if (prefs.detect) {
    tasks.push({
      kind: 'detect',
      id: 'detector',
      modelId: settings.detectorId,
      minScore: settings.minScore,
      maxResults: settings.maxResults,
      ...(detection && classFilterOf(detection) ? { classes: classFilterOf(detection) } : {}),
    });
  }
  tasks.push(...extraTasks.values());
  return tasks;
}

/**
 * What a task's labels and boxes depend on: its kind and its model. Settings such as top-k or
 * the score threshold are left out: changing them keeps what is on screen.
 */
export function taskSignature(spec: TaskSpec): string {
  return `${spec.kind}:${spec.kind === 'model' ? spec.key : spec.modelId}`;
}

export function taskSignatures(tasks: readonly TaskSpec[]): Record<string, string> {
  return Object.fromEntries(tasks.map((t) => [t.id, taskSignature(t)]));
}

/**
 * The shorter side a live frame needs for these tasks: the largest model input among them, or 0
 * (full size) when one takes any size (COCO-SSD resizes inside its graph).
 */
export function uploadShortSide(tasks: readonly TaskSpec[]): number {
  let side = 0;
  for (const t of tasks) {
    const input = t.kind === 'model' ? t.input : catalogEntry(t.modelId).input;
    const need = Math.max(input.width, input.height);
    if (!(need > 0)) return 0;
    side = Math.max(side, need);
  }
  return side;
}
