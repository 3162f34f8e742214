/**
 * Drawing results over the preview: boxes in one colour per class with a dark outline, labels
 * as light text on a dark backing, so both read on any background. Boxes arrive in video pixels
 * and are mapped onto the element's letterboxed (object-fit: contain) picture, mirrored when the
 * preview is.
 */
import type { DrawnBox } from './tracks';
import type { LabelScore } from './smoothing';

export interface Fit {
  scale: number;
  offsetX: number;
  offsetY: number;
}

/** Where a `vw`x`vh` picture lands in a `cw`x`ch` box under object-fit: contain. */
export function fitContain(vw: number, vh: number, cw: number, ch: number): Fit {
  if (vw <= 0 || vh <= 0) return { scale: 1, offsetX: 0, offsetY: 0 };
  const scale = Math.min(cw / vw, ch / vh);
  return { scale, offsetX: (cw - vw * scale) / 2, offsetY: (ch - vh * scale) / 2 };
}

/** A video-pixel box in canvas (CSS) pixels; mirrored about the canvas centre when asked. */
export function toCanvasBox(
  b: { x: number; y: number; width: number; height: number },
  fit: Fit,
  canvasWidth: number,
  mirror: boolean,
): { x: number; y: number; width: number; height: number } {
  const width = b.width * fit.scale;
  const height = b.height * fit.scale;
  const x0 = fit.offsetX + b.x * fit.scale;
  return {
    x: mirror ? canvasWidth - x0 - width : x0,
    y: fit.offsetY + b.y * fit.scale,
    width,
    height,
  };
}

/** One stable, saturated colour per class id (golden-angle hues). */
export function classColour(classId: number): string {
  const hue = (classId * 137.508) % 360;
  return `hsl(${hue.toFixed(1)} 90% 60%)`;
}

function labelChip(
  ctx: CanvasRenderingContext2D,
  text: string,
  x: number,
  y: number,
  accent: string,
  maxX: number,
): void {
  const padX = 5;
  const h = 18;
  const w = ctx.measureText(text).width + padX * 2 + 4;
  const left = Math.max(0, Math.min(x, maxX - w));
  const top = Math.max(0, y - h);
  ctx.fillStyle = 'rgba(0, 0, 0, 0.78)';
  ctx.fillRect(left, top, w, h);
  ctx.fillStyle = accent;
  ctx.fillRect(left, top, 4, h);
  ctx.fillStyle = '#ffffff';
  ctx.fillText(text, left + 4 + padX, top + h - 5);
}

export interface OverlayScene {
  videoWidth: number;
  videoHeight: number;
  boxes: DrawnBox[];
  labels: LabelScore[];
  mirror: boolean;
}

/** Clears and redraws the overlay canvas (sized to its CSS box times devicePixelRatio). */
export function drawOverlay(canvas: HTMLCanvasElement, scene: OverlayScene): void {
  const dpr = globalThis.devicePixelRatio || 1;
  const cw = canvas.clientWidth;
  const ch = canvas.clientHeight;
  if (canvas.width !== Math.round(cw * dpr) || canvas.height !== Math.round(ch * dpr)) {
    canvas.width = Math.round(cw * dpr);
    canvas.height = Math.round(ch * dpr);
  }
  const ctx = canvas.getContext('2d');
  if (!ctx) return;
  ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
  ctx.clearRect(0, 0, cw, ch);
  ctx.font = '600 13px system-ui, sans-serif';
  ctx.textBaseline = 'alphabetic';
  const fit = fitContain(scene.videoWidth, scene.videoHeight, cw, ch);
  for (const b of scene.boxes) {
    if (b.opacity <= 0) continue;
    const r = toCanvasBox(b.box, fit, cw, scene.mirror);
    const colour = classColour(b.classId);
    ctx.globalAlpha = b.opacity;
    ctx.lineWidth = 4;
    ctx.strokeStyle = 'rgba(0, 0, 0, 0.7)';
    ctx.strokeRect(r.x, r.y, r.width, r.height);
    ctx.lineWidth = 2;
    ctx.strokeStyle = colour;
    ctx.strokeRect(r.x, r.y, r.width, r.height);
    labelChip(ctx, `${b.label} ${Math.round(b.score * 100)}%`, r.x, r.y, colour, cw);
  }
  ctx.globalAlpha = 1;
  let y = fit.offsetY + 24;
  for (const l of scene.labels) {
    labelChip(
      ctx,
      `${l.label} ${Math.round(l.probability * 100)}%`,
      fit.offsetX + 8,
      y,
      '#4cc9f0',
      cw,
    );
    y += 22;
  }
}
