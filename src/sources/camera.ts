/**
 * Camera access for every workspace (Live, Train): list cameras, open one at a resolution, and
 * turn any failure into a problem a person can act on.
 *
 * API:
 * - `listCameras()`: video inputs; labels are empty until the page has been granted the camera.
 * - `openCamera({ deviceId, width, height })`: `{ stream, track, deviceId, settings, stop() }`;
 *   throws a `CameraError` (with `.problem`) on failure. A remembered device that has gone away
 *   falls back to any camera rather than failing.
 * - `classifyCameraError(e)`: `{ kind, message, help }` for a getUserMedia error (or anything).
 * - `unpluggedProblem(label)`: the problem to show when a live track ends.
 * - `onCameraChange(fn)`: `devicechange` subscription (plugging/unplugging), returns unsubscribe.
 */

export type CameraProblemKind = 'denied' | 'no-camera' | 'in-use' | 'unplugged' | 'unknown';

export interface CameraProblem {
  kind: CameraProblemKind;
  /** What happened, one sentence. */
  message: string;
  /** What to do about it. */
  help: string;
}

export interface CameraInfo {
  deviceId: string;
  label: string;
  groupId: string;
}

export interface CameraRequest {
  /** A device from `listCameras()`; absent or unknown = the browser's default camera. */
  deviceId?: string;
  /** Ideal capture size; the camera picks the nearest it supports. */
  width?: number;
  height?: number;
}

export interface OpenedCamera {
  stream: MediaStream;
  track: MediaStreamTrack;
  /** The device actually opened (may differ from the one asked for). */
  deviceId: string;
  label: string;
  settings: MediaTrackSettings;
  /** Stops every track; safe to call twice. */
  stop: () => void;
}

/** Resolutions offered in the UI (ideal constraints, not exact). */
export const RESOLUTIONS = [
  { id: '640x480', width: 640, height: 480 },
  { id: '1280x720', width: 1280, height: 720 },
  { id: '1920x1080', width: 1920, height: 1080 },
] as const;

export class CameraError extends Error {
  constructor(readonly problem: CameraProblem) {
    super(problem.message);
    this.name = 'CameraError';
  }
}

function mediaDevices(): MediaDevices | null {
  // Absent outside secure contexts (http on a LAN address) and in old browsers.
  const md = typeof navigator !== 'undefined' ? navigator.mediaDevices : undefined;
  return md && typeof md.getUserMedia === 'function' ? md : null;
}

/** Every video input. Labels are blank until permission has been granted once. */
export async function listCameras(): Promise<CameraInfo[]> {
  const md = mediaDevices();
  if (!md?.enumerateDevices) return [];
  const devices = await md.enumerateDevices();
  return devices
    .filter((d) => d.kind === 'videoinput')
    .map((d, i) => ({
      deviceId: d.deviceId,
      label: d.label || `Camera ${i + 1}`,
      groupId: d.groupId,
    }));
}

function errorName(e: unknown): string {
  if (e && typeof e === 'object' && 'name' in e) return String((e as { name: unknown }).name);
  return '';
}

function errorText(e: unknown): string {
  if (e instanceof Error) return e.message;
  return typeof e === 'string' ? e : '';
}

/**
 * Maps a getUserMedia failure onto a problem with advice. Browser spellings differ (Chrome's
 * legacy names, Firefox's messages), so the name is matched first, then the message.
 */
export function classifyCameraError(e: unknown): CameraProblem {
  if (e instanceof CameraError) return e.problem;
  const name = errorName(e);
  const text = errorText(e);
  const detail = [name, text].filter(Boolean).join(': ');
  if (
    name === 'NotAllowedError' ||
    name === 'PermissionDeniedError' ||
    name === 'SecurityError' ||
    /permission denied|not allowed/i.test(text)
  ) {
    return {
      kind: 'denied',
      message: 'Camera access was blocked for this page.',
      help: "Allow the camera from the icon at the left of the address bar (or the browser's site settings), then press Retry. Nothing leaves your device: frames are processed here only.",
    };
  }
  if (
    name === 'NotFoundError' ||
    name === 'DevicesNotFoundError' ||
    name === 'OverconstrainedError' ||
    /requested device not found|no camera/i.test(text)
  ) {
    return {
      kind: 'no-camera',
      message: 'No camera was found.',
      help: 'Connect a camera and press Retry; it is picked up as soon as it is plugged in. Without a camera you can drop a video file here instead.',
    };
  }
  if (
    name === 'NotReadableError' ||
    name === 'TrackStartError' ||
    name === 'AbortError' ||
    /could not start video source|in use|busy/i.test(text)
  ) {
    return {
      kind: 'in-use',
      message: 'The camera could not be started: another application or tab is probably using it.',
      help: 'Close the other app or tab using the camera (video calls, other camera pages), then press Retry.',
    };
  }
  if (name === 'TypeError' && !mediaDevices()) {
    return {
      kind: 'unknown',
      message: 'This browser gives this page no camera access.',
      help: 'Open the app over https (or on localhost) in a current browser. You can still drop a video file here.',
    };
  }
  return {
    kind: 'unknown',
    message: `The camera failed to start${detail ? ` (${detail})` : ''}.`,
    help: 'Press Retry, or pick another camera. You can still drop a video file here.',
  };
}

/** The problem shown when a running camera's track ends (unplugged, or revoked by the OS). */
export function unpluggedProblem(label?: string): CameraProblem {
  return {
    kind: 'unplugged',
    message: `${label ? `"${label}"` : 'The camera'} stopped sending video: it was unplugged or turned off.`,
    help: 'Plug it back in: the preview resumes by itself. Or pick another camera.',
  };
}

/** Opens a camera; throws `CameraError` with a classified problem on failure. */
export async function openCamera(req: CameraRequest = {}): Promise<OpenedCamera> {
  const md = mediaDevices();
  if (!md) throw new CameraError(classifyCameraError(new TypeError('no mediaDevices')));
  const size: MediaTrackConstraints = {};
  if (req.width) size.width = { ideal: req.width };
  if (req.height) size.height = { ideal: req.height };
  const attempt = (deviceId?: string) =>
    md.getUserMedia({
      audio: false,
      video: deviceId ? { ...size, deviceId: { exact: deviceId } } : size,
    });
  let stream: MediaStream;
  try {
    stream = await attempt(req.deviceId);
  } catch (e) {
    // A remembered camera that is gone is not a reason to show nothing: use the default one.
    const gone = ['NotFoundError', 'OverconstrainedError'].includes(errorName(e));
    if (!req.deviceId || !gone) throw new CameraError(classifyCameraError(e));
    try {
      stream = await attempt();
    } catch (e2) {
      throw new CameraError(classifyCameraError(e2));
    }
  }
  const track = stream.getVideoTracks()[0];
  if (!track) {
    stream.getTracks().forEach((t) => t.stop());
    throw new CameraError(classifyCameraError({ name: 'NotFoundError' }));
  }
  const settings = track.getSettings();
  let stopped = false;
  return {
    stream,
    track,
    deviceId: settings.deviceId ?? req.deviceId ?? '',
    label: track.label,
    settings,
    stop: () => {
      if (stopped) return;
      stopped = true;
      stream.getTracks().forEach((t) => t.stop());
    },
  };
}

/** Calls `fn` when cameras are plugged or unplugged; returns the unsubscribe function. */
export function onCameraChange(fn: () => void): () => void {
  const md = mediaDevices();
  if (!md) return () => undefined;
  md.addEventListener('devicechange', fn);
  return () => md.removeEventListener('devicechange', fn);
}
