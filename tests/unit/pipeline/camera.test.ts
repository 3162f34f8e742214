import { describe, expect, it } from 'vitest';
import { CameraError, classifyCameraError, unpluggedProblem } from '../../../src/sources/camera';

const err = (name: string, message = '') => Object.assign(new Error(message), { name });

describe('camera error classification', () => {
  it.each([
    ['NotAllowedError', 'denied'],
    ['PermissionDeniedError', 'denied'],
    ['SecurityError', 'denied'],
    ['NotFoundError', 'no-camera'],
    ['DevicesNotFoundError', 'no-camera'],
    ['OverconstrainedError', 'no-camera'],
    ['NotReadableError', 'in-use'],
    ['TrackStartError', 'in-use'],
    ['AbortError', 'in-use'],
  ])('%s → %s', (name, kind) => {
    const p = classifyCameraError(err(name));
    expect(p.kind).toBe(kind);
    expect(p.message.length).toBeGreaterThan(10);
    expect(p.help.length).toBeGreaterThan(10);
  });

  it('falls back on the message when the name is unhelpful', () => {
    expect(classifyCameraError(err('Error', 'Permission denied by system')).kind).toBe('denied');
    expect(classifyCameraError(err('Error', 'Could not start video source')).kind).toBe('in-use');
  });

  it('unknown errors keep their detail and still give advice', () => {
    const p = classifyCameraError(err('WeirdError', 'something odd'));
    expect(p.kind).toBe('unknown');
    expect(p.message).toContain('something odd');
    expect(p.help).toMatch(/Retry|video file/);
  });

  it('passes a CameraError problem through, and describes an unplugged camera', () => {
    const inner = unpluggedProblem('USB cam');
    expect(classifyCameraError(new CameraError(inner))).toBe(inner);
    expect(inner.kind).toBe('unplugged');
    expect(inner.message).toContain('USB cam');
    expect(inner.help).toMatch(/Plug it back in/);
  });

  it('denied permission advice says how to allow it again', () => {
    expect(classifyCameraError(err('NotAllowedError')).help).toMatch(/Allow the camera/);
  });
});
