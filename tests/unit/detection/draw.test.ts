import { describe, expect, it } from 'vitest';
import {
  classColor,
  classHue,
  LABEL_BACKING,
  LABEL_TEXT,
  OUTLINE_COLOR,
} from '../../../src/detection/colors';
import {
  containTransform,
  drawDetections,
  labelPlacement,
  labelText,
  toCanvasRect,
  type DrawableBox,
} from '../../../src/detection/draw';

const box = (
  x: number,
  y: number,
  w: number,
  h: number,
  classId = 0,
  label = 'person',
  score = 0.876,
): DrawableBox => ({
  x,
  y,
  width: w,
  height: h,
  classId,
  label,
  score,
});

describe('class colours', () => {
  it('gives every COCO class its own stable colour', () => {
    const colours = Array.from({ length: 80 }, (_, i) => classColor(i));
    expect(new Set(colours).size).toBe(80);
    expect(classColor(16)).toBe(classColor(16));
    // Golden-angle steps: neighbouring ids are far apart on the wheel.
    for (let i = 0; i < 79; i++) {
      const d = Math.abs(classHue(i + 1) - classHue(i)) % 360;
      expect(Math.min(d, 360 - d)).toBeGreaterThan(60);
    }
  });
});

describe('geometry', () => {
  it('fits a picture with object-fit: contain', () => {
    expect(containTransform(640, 480, 320, 320)).toEqual({ scale: 0.5, offsetX: 0, offsetY: 40 });
    expect(containTransform(480, 640, 320, 320)).toEqual({ scale: 0.5, offsetX: 40, offsetY: 0 });
  });

  it('maps boxes to the canvas, mirrored when asked', () => {
    const t = { scale: 0.5, offsetX: 0, offsetY: 40 };
    expect(toCanvasRect(box(100, 100, 200, 100), t, 320)).toEqual({
      x: 50,
      y: 90,
      width: 100,
      height: 50,
    });
    expect(toCanvasRect(box(100, 100, 200, 100), { ...t, mirror: true }, 320)).toEqual({
      x: 170,
      y: 90,
      width: 100,
      height: 50,
    });
  });

  it('puts the label above the box, inside it at the top edge, and never off the canvas', () => {
    expect(labelPlacement({ x: 50, y: 100, width: 80, height: 40 }, 60, 18, 320, 240)).toEqual({
      x: 50,
      y: 82,
    });
    expect(labelPlacement({ x: 50, y: 5, width: 80, height: 40 }, 60, 18, 320, 240)).toEqual({
      x: 50,
      y: 5,
    });
    expect(labelPlacement({ x: 300, y: 100, width: 20, height: 40 }, 60, 18, 320, 240)).toEqual({
      x: 260,
      y: 82,
    });
  });

  it('labels with class and rounded percent', () => {
    expect(labelText({ label: 'dog', score: 0.876 })).toBe('dog 88%');
  });
});

/** A 2D context that records what is drawn, with the state at each call. */
function recordingContext(width: number, height: number) {
  const calls: {
    op: string;
    args: number[] | string[];
    fill: string;
    stroke: string;
    lineWidth: number;
  }[] = [];
  const ctx = {
    canvas: { width, height },
    fillStyle: '',
    strokeStyle: '',
    lineWidth: 1,
    globalAlpha: 1,
    font: '',
    textBaseline: '',
    save: () => undefined,
    restore: () => undefined,
    measureText: (t: string) => ({ width: t.length * 7 }),
    strokeRect: (...args: number[]) =>
      calls.push({
        op: 'strokeRect',
        args,
        fill: ctx.fillStyle,
        stroke: ctx.strokeStyle,
        lineWidth: ctx.lineWidth,
      }),
    fillRect: (...args: number[]) =>
      calls.push({
        op: 'fillRect',
        args,
        fill: ctx.fillStyle,
        stroke: ctx.strokeStyle,
        lineWidth: ctx.lineWidth,
      }),
    fillText: (text: string) =>
      calls.push({
        op: 'fillText',
        args: [text],
        fill: ctx.fillStyle,
        stroke: ctx.strokeStyle,
        lineWidth: ctx.lineWidth,
      }),
  };
  return { ctx, calls };
}

describe('drawDetections', () => {
  it('strokes each box over a dark outline in its class colour and writes white text on a dark backing', () => {
    const { ctx, calls } = recordingContext(640, 480);
    drawDetections(
      ctx as unknown as CanvasRenderingContext2D,
      [box(10, 50, 100, 80, 0, 'person', 0.9), box(200, 200, 50, 50, 16, 'dog', 0.61)],
      { scale: 1, offsetX: 0, offsetY: 0 },
      { lineWidth: 2, fontSize: 12 },
    );
    const strokes = calls.filter((c) => c.op === 'strokeRect');
    expect(strokes.map((c) => c.stroke)).toEqual([
      OUTLINE_COLOR,
      classColor(0),
      OUTLINE_COLOR,
      classColor(16),
    ]);
    // The outline is wider than the colour, so it shows on both sides.
    expect(strokes[0].lineWidth).toBeGreaterThan(strokes[1].lineWidth);
    const texts = calls.filter((c) => c.op === 'fillText');
    expect(texts.map((c) => c.args[0])).toEqual(['person 90%', 'dog 61%']);
    expect(texts.every((c) => c.fill === LABEL_TEXT)).toBe(true);
    // Each text is preceded by its dark backing chip.
    for (const t of texts) {
      const i = calls.indexOf(t);
      expect(calls.slice(0, i).some((c) => c.op === 'fillRect' && c.fill === LABEL_BACKING)).toBe(
        true,
      );
    }
  });

  it('draws no labels when asked (thumbnails)', () => {
    const { ctx, calls } = recordingContext(100, 100);
    drawDetections(
      ctx as unknown as CanvasRenderingContext2D,
      [box(1, 1, 10, 10)],
      { scale: 1, offsetX: 0, offsetY: 0 },
      { labels: false },
    );
    expect(calls.map((c) => c.op)).toEqual(['strokeRect', 'strokeRect']);
  });
});
