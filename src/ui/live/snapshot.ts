/**
 * Snapshots from the live preview as image Files, and where they go. The Tag workspace's inbox
 * (src/tagging/inbox.ts) picks files up from the `ocellus:add-files` window event; a training
 * class gets them through the Train workspace's own `addSamples`.
 */
import { addSamples } from '../../training/project';
import { ADD_FILES_EVENT, type AddFilesDetail } from '../../tagging/inbox';
import { currentVideoFrame, presentedFrame } from '../../sources/video';

/**
 * The current video frame as a JPEG File (what the camera shows, never mirrored). The frame is
 * taken at once, before anything is awaited: a user who snaps and switches to Tag in one go
 * stops the camera (Live lets it go), and a frame drawn after that is black.
 */
export async function snapshotFile(video: HTMLVideoElement): Promise<File> {
  let frame = currentVideoFrame(video);
  if (!frame) {
    // A stream that has just started: wait for its first presented frame.
    await presentedFrame(video);
    frame = currentVideoFrame(video);
  }
  const canvas = document.createElement('canvas');
  canvas.width = frame?.displayWidth ?? video.videoWidth;
  canvas.height = frame?.displayHeight ?? video.videoHeight;
  const ctx = canvas.getContext('2d');
  try {
    // With WebCodecs, no frame means there is none to take; without, the element draws itself.
    if (!ctx || !canvas.width || (!frame && typeof VideoFrame !== 'undefined'))
      throw new Error('there is no video frame to capture yet');
    ctx.drawImage(frame ?? video, 0, 0);
  } finally {
    frame?.close();
  }
  const blob = await new Promise<Blob | null>((r) => canvas.toBlob(r, 'image/jpeg', 0.92));
  if (!blob) throw new Error('the frame could not be encoded');
  const stamp = new Date().toISOString().replace(/[:.]/g, '-');
  return new File([blob], `live-${stamp}.jpg`, { type: 'image/jpeg' });
}

/** Hands files to the Tag workspace. Returns false when nothing is listening. */
export function addFilesToTag(files: File[]): boolean {
  const ev = new CustomEvent<AddFilesDetail>(ADD_FILES_EVENT, {
    detail: { target: 'tag', files },
    cancelable: true,
  });
  // A listener that takes the files calls preventDefault(), so we know they arrived.
  return !window.dispatchEvent(ev);
}

/** Adds files to a training class as webcam samples. */
export async function addFilesToTrainClass(files: File[], classId: string): Promise<void> {
  await addSamples(classId, files, 'webcam');
}
