import { useCallback, useEffect, useRef, useState, type DragEvent } from 'react';
import {
  useApp,
  selectDetection,
  selectEngineState,
  selectEngineStatus,
  selectLive,
  selectSettings,
} from '../../store';
import {
  RESOLUTIONS,
  classifyCameraError,
  listCameras,
  onCameraChange,
  openCamera,
  unpluggedProblem,
  type CameraInfo,
  type CameraProblem,
  type OpenedCamera,
} from '../../sources/camera';
import { canPlayVideoFile, playVideoFile, type PlayingFile } from '../../sources/video';
import { backendFromUrl } from '../../store/engineActions';
import { LiveLoop, type HudSnapshot, type LiveResult } from '../../pipeline/loop';
import type { PipelineClient } from '../../pipeline/client';
import {
  addLiveTask,
  getPipeline,
  liveTasks,
  removeLiveTask,
  onLiveTasksChange,
  onPipelineEvent,
  taskSignatures,
  uploadShortSide,
} from './session';
import { markTasksReady, recordResult, setActiveLoop } from './control';
import { addFilesToTag, addFilesToTrainClass, snapshotFile } from './snapshot';
import { Hud } from './Hud';
import { classColor } from '../../detection/colors';
import { ClassFilter } from '../detection/ClassFilter';
import { TRAINED_LIVE_TASK_ID, trainedLiveTask } from '../../training/liveTask';
import type { ModelTaskSpec } from '../../pipeline/protocol';
import { ClassCounts, countByClass } from '../detection/ClassCounts';
import { Announcer, useAnnouncement } from '../a11y/Announcer';
import { liveTopAnnouncement } from '../a11y/announcer';
import './live.css';

type Source = { kind: 'camera'; cam: OpenedCamera } | { kind: 'file'; file: PlayingFile } | null;

/** Results reach React at most this often; the canvas draws every frame regardless. */
const RESULT_UI_MS = 250;

export function LiveWorkspace() {
  const prefs = useApp(selectLive);
  const settings = useApp(selectSettings);
  const engineStatus = useApp(selectEngineStatus);
  const engineState = useApp(selectEngineState);
  const updateLive = useApp((s) => s.updateLive);
  const setLiveRuntime = useApp((s) => s.setLiveRuntime);
  const notify = useApp((s) => s.notify);
  const trainClasses = useApp((s) => s.train.classes);
  const detection = useApp(selectDetection);
  const trainInfo = useApp((s) => s.train.info);

  const videoRef = useRef<HTMLVideoElement>(null);
  const canvasRef = useRef<HTMLCanvasElement>(null);
  const loopRef = useRef<LiveLoop | null>(null);
  const sourceRef = useRef<Source>(null);

  const [client, setClient] = useState<PipelineClient | null>(null);
  const [pipelineError, setPipelineError] = useState<string | null>(null);
  const [progress, setProgress] = useState<string | null>(null);
  const [tasksVersion, setTasksVersion] = useState(0);
  // A model that could not load, and whether earlier tasks are still running in its place.
  const [tasksError, setTasksError] = useState<{ message: string; kept: boolean } | null>(null);
  const tasksLoaded = useRef(false);
  const [cameras, setCameras] = useState<CameraInfo[]>([]);
  const [problem, setProblem] = useState<CameraProblem | null>(null);
  const [sourceLabel, setSourceLabel] = useState<string>('');
  const [sourceKind, setSourceKind] = useState<'camera' | 'file' | null>(null);
  const [cameraAttempt, setCameraAttempt] = useState(0);
  const [paused, setPaused] = useState(false);
  const [result, setResult] = useState<LiveResult | null>(null);
  const [hud, setHud] = useState<HudSnapshot | null>(null);
  const [dragging, setDragging] = useState(false);
  const [trainTarget, setTrainTarget] = useState('');
  const [fileMode, setFileMode] = useState(false);

  const backendPref = backendFromUrl() ?? settings.backend;
  const mainBackend = engineState?.backend ?? null;

  // ---- pipeline: worker (or main-thread fallback) + loop ----
  useEffect(() => {
    if (engineStatus !== 'ready') return;
    let cancelled = false;
    let deviceLost = false;
    const off = onPipelineEvent((e) => {
      if (e.progress) {
        const p = e.progress;
        const pct = p.total > 0 ? ` ${Math.round((100 * p.loaded) / p.total)}%` : '';
        setProgress(`${p.phase} ${p.modelId ?? p.message}${pct}`);
      }
      if (e.error?.fatal) setPipelineError(e.error.message);
      if (e.error?.where === 'device') {
        deviceLost = true;
        setProgress(`GPU device lost (${e.error.message}): reloading the models…`);
      }
      // After a GPU-loss recovery the inference side may be on another backend.
      if (e.ready) {
        setLiveRuntime({ ...useApp.getState().liveRuntime, backend: e.ready.backend });
        if (deviceLost) {
          deviceLost = false;
          setProgress(null);
          notify('info', `Live recovered from a lost GPU device and runs on ${e.ready.backend}.`);
        }
      }
    });
    getPipeline(backendPref, mainBackend)
      .then((c) => {
        if (cancelled) return;
        setPipelineError(null);
        setLiveRuntime({ where: c.where, why: c.whyWhere, backend: c.backend });
        setClient(c);
      })
      .catch((e: Error) => {
        if (!cancelled) setPipelineError(`Live inference could not start: ${e.message}`);
      });
    return () => {
      cancelled = true;
      off();
    };
  }, [engineStatus, backendPref, mainBackend, setLiveRuntime, notify]);

  useEffect(() => {
    const video = videoRef.current;
    const canvas = canvasRef.current;
    if (!client || !video || !canvas) return;
    let lastUi = 0;
    const { live, settings: s } = useApp.getState();
    const loop = new LiveLoop({
      client,
      video,
      canvas,
      smoothing: live.smoothing,
      mirror: live.mirror,
      topK: s.topK,
      onResult: (r) => {
        recordResult(r);
        const now = performance.now();
        if (now - lastUi >= RESULT_UI_MS) {
          lastUi = now;
          setResult(r);
        }
      },
      onError: (m) => setProgress(`frame failed: ${m}`),
    });
    loopRef.current = loop;
    setActiveLoop({ loop, video });
    loop.start();
    const timer = setInterval(() => setHud(loop.hud()), 500);
    return () => {
      clearInterval(timer);
      loop.stop();
      setActiveLoop(null);
      loopRef.current = null;
    };
  }, [client]);

  useEffect(() => loopRef.current?.setMirror(prefs.mirror), [prefs.mirror, client]);
  useEffect(() => loopRef.current?.setSmoothing(prefs.smoothing), [prefs.smoothing, client]);
  useEffect(() => loopRef.current?.setTopK(settings.topK), [settings.topK, client]);
  useEffect(() => onLiveTasksChange(() => setTasksVersion((v) => v + 1)), []);

  // The trained model joins every frame as one more task. Serialising it (backbone included) is
  // the costly part, so it happens once per trained model; a top-k change only edits the spec.
  const trainedSpec = useRef<{ info: typeof trainInfo; spec: Promise<ModelTaskSpec> } | null>(null);
  useEffect(() => {
    if (!prefs.trained || !trainInfo || trainInfo.kind === 'knn') {
      removeLiveTask(TRAINED_LIVE_TASK_ID);
      return;
    }
    if (trainedSpec.current?.info !== trainInfo) {
      trainedSpec.current = { info: trainInfo, spec: trainedLiveTask() };
    }
    let cancelled = false;
    trainedSpec.current.spec
      .then((spec) => {
        if (!cancelled) addLiveTask({ ...spec, topK: Math.min(settings.topK, spec.labels.length) });
      })
      .catch((e: unknown) => {
        trainedSpec.current = null;
        if (cancelled) return;
        notify('error', `Your model cannot run live: ${(e as Error).message}`);
        updateLive({ trained: false });
      });
    return () => {
      cancelled = true;
    };
  }, [prefs.trained, trainInfo, settings.topK, notify, updateLive]);

  // ---- tasks: what runs on every frame ----
  useEffect(() => {
    if (!client) return;
    let cancelled = false;
    const tasks = liveTasks(settings, prefs, detection);
    client
      .setTasks(tasks)
      .then(() => {
        if (cancelled) return;
        loopRef.current?.setUploadShortSide(uploadShortSide(tasks));
        loopRef.current?.tasksChanged(taskSignatures(tasks));
        markTasksReady();
        setProgress(null);
        setTasksError(null);
        tasksLoaded.current = true;
      })
      .catch((e: Error) => {
        if (cancelled) return;
        setProgress(null);
        setTasksError({ message: e.message, kept: tasksLoaded.current });
      });
    return () => {
      cancelled = true;
    };
    // Only the fields that change the tasks.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [
    client,
    tasksVersion,
    prefs.classify,
    prefs.detect,
    settings.classifierId,
    settings.detectorId,
    settings.topK,
    settings.minScore,
    settings.maxResults,
    detection.filterMode,
    detection.classes,
  ]);

  // ---- sources ----
  const stopSource = useCallback(() => {
    const s = sourceRef.current;
    if (s?.kind === 'camera') s.cam.stop();
    if (s?.kind === 'file') s.file.stop();
    sourceRef.current = null;
    setSourceKind(null);
  }, []);

  const refreshCameras = useCallback(async () => {
    try {
      setCameras(await listCameras());
    } catch {
      setCameras([]);
    }
  }, []);

  // Camera: (re)opened when chosen options change or on Retry; recovers after an unplug.
  useEffect(() => {
    if (fileMode) return;
    const video = videoRef.current;
    if (!video) return;
    let cancelled = false;
    const res = RESOLUTIONS.find((r) => r.id === prefs.resolution) ?? RESOLUTIONS[0];
    (async () => {
      try {
        const cam = await openCamera({
          deviceId: prefs.cameraId || undefined,
          width: res.width,
          height: res.height,
        });
        if (cancelled) {
          cam.stop();
          return;
        }
        stopSource();
        sourceRef.current = { kind: 'camera', cam };
        setSourceKind('camera');
        setSourceLabel(cam.label || 'camera');
        setProblem(null);
        video.srcObject = cam.stream;
        video.muted = true;
        await video.play().catch(() => undefined);
        loopRef.current?.resetSource();
        cam.track.addEventListener('ended', () => {
          if (sourceRef.current?.kind === 'camera' && sourceRef.current.cam === cam) {
            setProblem(unpluggedProblem(cam.label));
          }
        });
        void refreshCameras();
      } catch (e) {
        if (!cancelled) setProblem(classifyCameraError(e));
        void refreshCameras();
      }
    })();
    return () => {
      cancelled = true;
    };
  }, [fileMode, prefs.cameraId, prefs.resolution, cameraAttempt, stopSource, refreshCameras]);

  // Plugging a camera in (or back in) retries by itself.
  useEffect(
    () =>
      onCameraChange(() => {
        void refreshCameras();
        if (problem && problem.kind !== 'denied' && !fileMode) setCameraAttempt((n) => n + 1);
      }),
    [problem, fileMode, refreshCameras],
  );

  useEffect(() => () => stopSource(), [stopSource]);

  const playFile = useCallback(
    async (file: File) => {
      const video = videoRef.current;
      if (!video) return;
      if (!canPlayVideoFile(file, video)) {
        notify('error', `"${file.name}" is not a video this browser can play.`);
        return;
      }
      setFileMode(true);
      stopSource();
      try {
        const playing = await playVideoFile(video, file);
        sourceRef.current = { kind: 'file', file: playing };
        setSourceKind('file');
        setSourceLabel(file.name);
        setProblem(null);
        loopRef.current?.resetSource();
      } catch (e) {
        notify('error', (e as Error).message);
      }
    },
    [notify, stopSource],
  );

  const useCamera = () => {
    stopSource();
    setFileMode(false);
    setCameraAttempt((n) => n + 1);
  };

  const onDrop = (e: DragEvent) => {
    e.preventDefault();
    setDragging(false);
    const file = [...e.dataTransfer.files].find((f) => canPlayVideoFile(f));
    if (file) void playFile(file);
    else notify('warning', 'Drop a video file (mp4, webm) to run it through the live pipeline.');
  };

  const togglePause = () => {
    const next = !paused;
    setPaused(next);
    loopRef.current?.setPaused(next);
    const v = videoRef.current;
    if (v) void (next ? v.pause() : v.play().catch(() => undefined));
  };

  const snapshot = async (target: 'tag' | 'train') => {
    const video = videoRef.current;
    if (!video) return;
    try {
      const file = await snapshotFile(video);
      if (target === 'tag') {
        if (addFilesToTag([file])) notify('info', `Snapshot ${file.name} added to Tag.`);
        else notify('warning', 'The Tag workspace is not ready to receive snapshots yet.');
      } else {
        const cls = trainClasses.find((c) => c.id === trainTarget);
        if (!cls) return;
        await addFilesToTrainClass([file], cls.id);
        notify('info', `Snapshot added to training class "${cls.name}".`);
      }
    } catch (e) {
      notify('error', `Snapshot failed: ${(e as Error).message}`);
    }
  };

  const labels = result ? Object.entries(result.labels) : [];
  const top = liveTopAnnouncement(result);
  const announcement = useAnnouncement(top?.key ?? null, top?.message ?? '');
  const hasFrames = sourceKind !== null && !problem;

  return (
    <section aria-label="Live" className="ws live">
      <h2 className="visually-hidden">Live</h2>
      <div className="live-toolbar" role="toolbar" aria-label="Live controls">
        <label>
          Camera{' '}
          <select
            value={prefs.cameraId}
            onChange={(e) => {
              setFileMode(false);
              updateLive({ cameraId: e.target.value });
            }}
          >
            <option value="">Default camera</option>
            {cameras.map((c) => (
              <option key={c.deviceId} value={c.deviceId}>
                {c.label}
              </option>
            ))}
          </select>
        </label>
        <label>
          Resolution{' '}
          <select
            value={prefs.resolution}
            onChange={(e) => updateLive({ resolution: e.target.value })}
          >
            {RESOLUTIONS.map((r) => (
              <option key={r.id} value={r.id}>
                {r.width}×{r.height}
              </option>
            ))}
          </select>
        </label>
        <label className="check">
          <input
            type="checkbox"
            checked={prefs.mirror}
            onChange={(e) => updateLive({ mirror: e.target.checked })}
          />{' '}
          Mirror
        </label>
        <label className="check">
          <input
            type="checkbox"
            checked={prefs.classify}
            onChange={(e) => updateLive({ classify: e.target.checked })}
          />{' '}
          Classify
        </label>
        <label className="check">
          <input
            type="checkbox"
            checked={prefs.detect}
            onChange={(e) => updateLive({ detect: e.target.checked })}
          />{' '}
          Detect
        </label>
        {trainInfo && trainInfo.kind !== 'knn' && (
          <label className="check">
            <input
              type="checkbox"
              checked={prefs.trained}
              onChange={(e) => updateLive({ trained: e.target.checked })}
            />{' '}
            Your model
          </label>
        )}
        <label>
          Smoothing{' '}
          <input
            type="range"
            min={0}
            max={0.95}
            step={0.05}
            value={prefs.smoothing}
            aria-valuetext={prefs.smoothing === 0 ? 'off' : String(prefs.smoothing)}
            onChange={(e) => updateLive({ smoothing: Number(e.target.value) })}
          />
        </label>
        <button type="button" onClick={togglePause} disabled={!hasFrames} aria-pressed={paused}>
          {paused ? 'Resume' : 'Pause'}
        </button>
        <button type="button" onClick={() => void snapshot('tag')} disabled={!hasFrames}>
          Snapshot → Tag
        </button>
        {trainClasses.length > 0 && (
          <span className="live-train">
            <select
              aria-label="Training class for snapshots"
              value={trainTarget}
              onChange={(e) => setTrainTarget(e.target.value)}
            >
              <option value="">Training class…</option>
              {trainClasses.map((c) => (
                <option key={c.id} value={c.id}>
                  {c.name}
                </option>
              ))}
            </select>
            <button
              type="button"
              onClick={() => void snapshot('train')}
              disabled={!hasFrames || !trainTarget}
            >
              Snapshot → class
            </button>
          </span>
        )}
        <label className="file-pick">
          Video file…{' '}
          <input
            type="file"
            accept="video/*"
            onChange={(e) => {
              const f = e.target.files?.[0];
              if (f) void playFile(f);
              e.target.value = '';
            }}
          />
        </label>
        {sourceKind === 'file' && (
          <button type="button" onClick={useCamera}>
            Back to camera
          </button>
        )}
      </div>

      <div
        className={dragging ? 'live-stage dragging' : 'live-stage'}
        data-testid="live-stage"
        onDragOver={(e) => {
          e.preventDefault();
          setDragging(true);
        }}
        onDragLeave={() => setDragging(false)}
        onDrop={onDrop}
      >
        <video
          ref={videoRef}
          className={prefs.mirror ? 'live-video mirror' : 'live-video'}
          playsInline
          muted
          aria-label={sourceLabel ? `Live preview: ${sourceLabel}` : 'Live preview'}
        />
        <canvas ref={canvasRef} className="live-overlay" data-testid="live-overlay" aria-hidden />
        {hud && <Hud hud={hud} />}
        {problem && (
          <div
            className="live-problem"
            role="alert"
            data-testid="camera-problem"
            data-kind={problem.kind}
          >
            <h3>{problem.message}</h3>
            <p>{problem.help}</p>
            <div className="row">
              <button type="button" onClick={() => setCameraAttempt((n) => n + 1)}>
                Retry
              </button>
              <label className="file-pick">
                Use a video file…{' '}
                <input
                  type="file"
                  accept="video/*"
                  onChange={(e) => {
                    const f = e.target.files?.[0];
                    if (f) void playFile(f);
                    e.target.value = '';
                  }}
                />
              </label>
            </div>
          </div>
        )}
        {!problem && !sourceKind && <p className="live-hint">Starting the camera…</p>}
      </div>

      {/* Not a live region: model progress changes by the percent. Errors are alerts; the
          top prediction is spoken, rate-limited, by the announcer below. */}
      <div className="live-status">
        {pipelineError && (
          <p className="err" role="alert">
            {pipelineError}
          </p>
        )}
        {progress && <p data-testid="live-progress">{progress}</p>}
        {tasksError && (
          <p className="err" role="alert" data-testid="live-tasks-error">
            Could not load the models: {tasksError.message}{' '}
            {tasksError.kept
              ? 'Live goes on with the models it had.'
              : 'Nothing runs on the frames until a model loads.'}{' '}
            <button onClick={() => setTasksVersion((v) => v + 1)}>Retry</button>
          </p>
        )}
        {client && (
          <p className="muted" data-testid="live-where">
            Inference: {client.where === 'worker' ? 'Web Worker' : 'main thread'} on{' '}
            {client.backend ?? '…'}
            {client.where === 'main' ? ` (${client.whyWhere})` : ''}
          </p>
        )}
      </div>

      <Announcer text={announcement} testId="live-announcer" />
      <div className="live-results">
        {labels.map(([taskId, ls]) => (
          <div key={taskId} data-task={taskId}>
            <h3>{taskId === 'classifier' ? 'Looks like' : taskId}</h3>
            <ol data-testid="live-labels">
              {ls.map((l) => (
                <li key={l.label}>
                  {l.label} <span className="muted">{Math.round(l.probability * 100)}%</span>
                </li>
              ))}
            </ol>
          </div>
        ))}
        {prefs.detect && result && (
          <div>
            <h3>Objects</h3>
            <ClassFilter />
            <ClassCounts counts={countByClass(result.boxes)} />
            <ul data-testid="live-detections">
              {result.boxes.length === 0 && <li className="muted">none above the threshold</li>}
              {result.boxes.map((b, i) => (
                <li
                  key={`${b.label}-${i}`}
                  data-label={b.label}
                  data-score={b.score.toFixed(3)}
                  data-box={[b.box.x, b.box.y, b.box.width, b.box.height]
                    .map((v) => Math.round(v))
                    .join(',')}
                >
                  <span className="swatch" style={{ background: classColor(b.classId) }} />
                  {b.label} <span className="muted">{Math.round(b.score * 100)}%</span>
                </li>
              ))}
            </ul>
          </div>
        )}
      </div>
    </section>
  );
}
