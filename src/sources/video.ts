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
