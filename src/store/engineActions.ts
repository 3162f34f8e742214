/**
 * Actions that connect the engine and model registry to the store: the UI calls these, never
 * the engine directly, so every state change flows through the store.
 */
import { engine, type ModelHandle } from '../engine/engine';
import { SharedRuns } from '../engine/sharedRuns';
import { isBackendName, type BackendPreference } from '../engine/backends';
import { allAvailability, loadCatalogModel } from '../models/registry';
import { ModelIntegrityError } from '../models/loader';
import { catalogEntry } from '../models/catalog';
import { useApp } from './index';

let memoryTimer: ReturnType<typeof setInterval> | null = null;
let subscribed = false;

/** `?backend=` in the URL wins over the saved setting, so a link can pin a backend. */
export function backendFromUrl(
  search: string = globalThis.location?.search ?? '',
): BackendPreference | null {
  const v = new URLSearchParams(search).get('backend');
  if (v === 'auto' || isBackendName(v)) return v;
  return null;
}

function wireEngineEvents(): void {
  if (subscribed) return;
  subscribed = true;
  const { setEngine, notify } = useApp.getState();
  engine.subscribe((e) => {
    switch (e.type) {
      case 'state':
        setEngine({ engineState: e.state });
        break;
      case 'lost':
        setEngine({ engineStatus: 'recovering' });
        notify('warning', `${e.message}. Re-initialising the engine…`);
        break;
      case 'recovered':
        setEngine({ engineStatus: 'ready', engineState: e.state });
        notify('info', e.message);
        break;
      case 'recovery-failed':
        setEngine({ engineStatus: 'error', engineError: e.message });
        notify('error', e.message);
        break;
      case 'warmup':
        setEngine({
          warmup: e.done >= e.total ? null : { modelId: e.modelId, done: e.done, total: e.total },
        });
        break;
    }
  });
  // Only poll a started, healthy engine: tf.memory() on an uninitialised async backend throws.
  memoryTimer ??= setInterval(() => {
    if (useApp.getState().engineStatus !== 'ready' || engine.isRecovering) return;
    try {
      useApp.getState().setMemory(engine.memory());
    } catch {
      /* backend switching; the next tick reads it */
    }
  }, 1000);
}

export async function startEngine(): Promise<void> {
  wireEngineEvents();
  const { settings, setEngine, notify } = useApp.getState();
  const pref = backendFromUrl() ?? settings.backend;
  setEngine({ engineStatus: 'starting', engineError: null });
  try {
    const state = await engine.start(pref);
    setEngine({ engineStatus: 'ready', engineState: state });
    if (state.backend !== pref && pref !== 'auto') notify('warning', state.reasons.join('. '));
  } catch (e) {
    setEngine({ engineStatus: 'error', engineError: (e as Error).message });
    notify('error', (e as Error).message);
  }
  void refreshAvailability();
}

export async function switchBackend(pref: BackendPreference): Promise<void> {
  const { setEngine, updateSettings, notify } = useApp.getState();
  updateSettings({ backend: pref });
  setEngine({ engineStatus: 'starting' });
  try {
    const state = await engine.switchTo(pref);
    setEngine({ engineStatus: 'ready', engineState: state });
  } catch (e) {
    setEngine({ engineStatus: 'error', engineError: (e as Error).message });
    notify('error', (e as Error).message);
  }
}

export async function refreshAvailability(): Promise<void> {
  const { settings, setAvailability } = useApp.getState();
  setAvailability(await allAvailability(settings.modelUrls));
}

/** The input shape a model is warmed up with: the catalog's fixed input size, batch 1. */
export function defaultWarmShapes(id: string): number[][] {
  const { input, family } = catalogEntry(id);
  if (family === 'coco-ssd' || !input.width) return [[1, 300, 300, 3]];
  return input.layout === 'NCHW'
    ? [[1, 3, input.height, input.width]]
    : [[1, input.height, input.width, 3]];
}

/**
 * Loads in flight, by model id and URL. Tag, Live and Train may ask for the same model at once
 * (a Live snapshot arriving in Tag while photos are dropped); a second download would register
 * the model again, and registering disposes the copy the first caller is already running.
 */
const loadsInFlight = new SharedRuns<ModelHandle>();

/**
 * Loads a catalog model with byte progress in the store, then warms it up (compiling shaders
 * with visible progress) so the first real frame does not stall. Callers asking while it loads
 * share that one load (and its warm-up shapes).
 */
export async function loadModel(
  id: string,
  warmShapes: number[][] = defaultWarmShapes(id),
): Promise<ModelHandle> {
  const existing = engine.get(id);
  if (existing) return existing;
  const key = `${id}\u0000${useApp.getState().settings.modelUrls[id] ?? ''}`;
  return loadsInFlight.run(key, () => loadAndWarm(id, warmShapes));
}

const warmDtype = (id: string) => (catalogEntry(id).input.dtype === 'int32' ? 'int32' : 'float32');

async function loadAndWarm(id: string, warmShapes: number[][]): Promise<ModelHandle> {
  const { setModelStatus, settings, notify } = useApp.getState();
  setModelStatus(id, { error: undefined, loading: { phase: 'download', loaded: 0, total: 0 } });
  try {
    await engine.whenReady();
    const handle = await loadCatalogModel(id, {
      modelUrl: settings.modelUrls[id],
      onProgress: (p) => setModelStatus(id, { loading: p }),
    });
    if (!handle.fetched.cached && !handle.fetched.fromCache) {
      notify(
        'warning',
        `${catalogEntry(id).name} is loaded but could not be cached for offline use (storage full or unavailable).`,
      );
    }
    if (warmShapes.length) {
      await engine.warmUp(id, warmShapes, warmDtype(id));
    }
    setModelStatus(id, { loading: undefined, loaded: true });
    return handle;
  } catch (e) {
    const msg =
      e instanceof ModelIntegrityError
        ? `${catalogEntry(id).name}: ${e.message}`
        : `${catalogEntry(id).name} could not be loaded: ${(e as Error).message}`;
    setModelStatus(id, { loading: undefined, error: msg });
    notify('error', msg);
    throw e;
  }
}

export function stopMemoryPolling(): void {
  if (memoryTimer) clearInterval(memoryTimer);
  memoryTimer = null;
}
