/** The webcam for capturing samples: open/close, and grabbing the current frame as a stored image. */
import { useCallback, useEffect, useRef, useState } from 'react';
import { CameraError, openCamera, type OpenedCamera } from '../../sources/camera';
import { toStoredImage } from '../../training/images';

export function useWebcam() {
  const videoRef = useRef<HTMLVideoElement | null>(null);
  const camRef = useRef<OpenedCamera | null>(null);
  const [on, setOn] = useState(false);
  const [error, setError] = useState<string | null>(null);

  const stop = useCallback(() => {
    camRef.current?.stop();
    camRef.current = null;
    setOn(false);
  }, []);

  const start = useCallback(async () => {
    setError(null);
    try {
      const cam = await openCamera({ width: 640, height: 480 });
      camRef.current = cam;
      const v = videoRef.current;
      if (v) {
        v.srcObject = cam.stream;
        await v.play();
      }
      cam.track.addEventListener('ended', () => {
        setError('The camera was disconnected.');
        stop();
      });
      setOn(true);
    } catch (e) {
      setError(
        e instanceof CameraError ? `${e.problem.message} ${e.problem.help}` : (e as Error).message,
      );
    }
  }, [stop]);

  useEffect(() => stop, [stop]);

  /** The current frame, downscaled and JPEG-encoded like every stored sample. */
  const grab = useCallback(async (): Promise<Blob | null> => {
    const v = videoRef.current;
    if (!v || !on || v.readyState < 2 || !v.videoWidth) return null;
    return toStoredImage(v);
  }, [on]);

  return { videoRef, on, error, start, stop, grab };
}
