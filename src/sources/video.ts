/**
 * A video file as a live source, for people without a camera: it plays (looped, muted) in the
 * same <video> element the camera uses, so it goes through the same frame pipeline.
 */

export interface PlayingFile {
  name: string;
  /** Stops playback and releases the object URL. */
  stop: () => void;
}

/** Whether this browser can probably decode the file (by MIME type; unknown types are tried). */
export function canPlayVideoFile(file: File, probe?: HTMLVideoElement): boolean {
  if (!file.type) return /\.(mp4|m4v|webm|ogv|mov|mkv)$/i.test(file.name);
  if (!file.type.startsWith('video/')) return false;
  const v = probe ?? document.createElement('video');
  return v.canPlayType(file.type) !== '';
}

/** Plays `file` in `video`; rejects with a readable message when it cannot be decoded. */
export async function playVideoFile(video: HTMLVideoElement, file: File): Promise<PlayingFile> {
  const url = URL.createObjectURL(file);
  video.srcObject = null;
  video.src = url;
  video.loop = true;
  video.muted = true;
  video.playsInline = true;
  const stop = () => {
    video.pause();
    if (video.src === url) {
      video.removeAttribute('src');
      video.load();
    }
    URL.revokeObjectURL(url);
  };
  try {
    await new Promise<void>((resolve, reject) => {
      const ok = () => {
        cleanup();
        resolve();
      };
      const bad = () => {
        cleanup();
        reject(new Error(`"${file.name}" could not be decoded by this browser`));
      };
      const cleanup = () => {
        video.removeEventListener('loadeddata', ok);
        video.removeEventListener('error', bad);
      };
      video.addEventListener('loadeddata', ok);
      video.addEventListener('error', bad);
    });
    await video.play();
  } catch (e) {
    stop();
    throw e;
  }
  return { name: file.name, stop };
}

/**
 * The frame `video` shows now, as a VideoFrame the caller closes (no pixel copy); null without
 * WebCodecs or while the element has no frame yet (e.g. none decoded).
 */
export function currentVideoFrame(video: HTMLVideoElement): VideoFrame | null {
  if (typeof VideoFrame === 'undefined') return null;
  try {
    return new VideoFrame(video);
  } catch {
    return null;
  }
}

/** HTMLMediaElement.HAVE_CURRENT_DATA, spelled out so this runs where the DOM constant is absent. */
const HAVE_CURRENT_DATA = 2;

/** What presentedFrame needs of a <video>. */
export type FrameSource = Pick<HTMLVideoElement, 'readyState' | 'paused' | 'addEventListener'> &
  Partial<Pick<HTMLVideoElement, 'requestVideoFrameCallback'>>;

/**
 * Resolves once the element shows a decoded frame, or after `timeoutMs` per wait: a stream that
 * has just started can report its size before its first frame is presented, and drawing it then
 * gives a black picture (a CI run tagged one "nematode, spotlight").
 */
export async function presentedFrame(video: FrameSource, timeoutMs = 2000): Promise<void> {
  const within = (p: Promise<unknown>) =>
    Promise.race([p, new Promise((r) => setTimeout(r, timeoutMs))]);
  if (video.readyState < HAVE_CURRENT_DATA) {
    await within(new Promise((r) => video.addEventListener('loadeddata', r, { once: true })));
  }
  // Browsers without requestVideoFrameCallback draw what they have.
  if (video.requestVideoFrameCallback && !video.paused) {
    const request = video.requestVideoFrameCallback.bind(video);
    await within(new Promise<void>((r) => request(() => r())));
  }
}
