/**
 * Canvas drawing of detections: each box in its class colour over a dark outline, and its
 * label + score as white text on a dark backing box, so both read on any background (white
 * snow, black night, or a colour equal to the class colour). Pure geometry is split out for
 * unit tests; the drawing itself only needs a 2D context.
 */
import { classColor, LABEL_BACKING, LABEL_TEXT, OUTLINE_COLOR } from './colors';
import type { BoxXYWH } from './types';

/** What draw needs of a detection (Detection and the Tag slice's ImageBox both fit). */
export interface DrawableBox extends BoxXYWH {
  label: string;
  classId: number;
  score: number;
}

/** Source-pixel -> canvas-pixel mapping: canvas = source * scale + offset (then mirrored). */
export interface DrawTransform {
  scale: number;
  offsetX: number;
  offsetY: number;
  /** Mirror horizontally about the canvas width (selfie previews). */
  mirror?: boolean;
}

export interface DrawOptions {
  /** Box line width in canvas pixels. */
  lineWidth?: number;
  /** Label font size in canvas pixels. */
  fontSize?: number;
  /** Draw label chips (off for tiny thumbnails). */
  labels?: boolean;
  /** Opacity per box (fading tracks); 1 when absent. */
  alpha?: (index: number) => number;
  /** Drawing-space size when the context is scaled (devicePixelRatio); the canvas size if absent. */
  canvasWidth?: number;
  canvasHeight?: number;
}

/** Where a `srcW`x`srcH` picture lands in a `dstW`x`dstH` area under object-fit: contain. */
export function containTransform(
  srcW: number,
  srcH: number,
  dstW: number,
  dstH: number,
): DrawTransform {
  if (!(srcW > 0 && srcH > 0)) return { scale: 1, offsetX: 0, offsetY: 0 };
  const scale = Math.min(dstW / srcW, dstH / srcH);
  return { scale, offsetX: (dstW - srcW * scale) / 2, offsetY: (dstH - srcH * scale) / 2 };
}

/** A source-pixel box in canvas pixels. */
export function toCanvasRect(box: BoxXYWH, t: DrawTransform, canvasWidth: number): BoxXYWH {
  const width = box.width * t.scale;
  const height = box.height * t.scale;
  const x = t.offsetX + box.x * t.scale;
  return {
    x: t.mirror ? canvasWidth - x - width : x,
    y: t.offsetY + box.y * t.scale,
    width,
    height,
  };
}

/** "person 87%": the label text drawn on a box. */
export function labelText(box: Pick<DrawableBox, 'label' | 'score'>): string {
  return `${box.label} ${Math.round(box.score * 100)}%`;
}

/**
 * Where a label chip of `chipW`x`chipH` goes for a box: above its top-left corner, or just
 * inside the box when there is no room above; always kept inside the canvas.
 */
export function labelPlacement(
  rect: BoxXYWH,
  chipW: number,
  chipH: number,
  canvasW: number,
  canvasH: number,
): { x: number; y: number } {
  const x = Math.max(0, Math.min(rect.x, canvasW - chipW));
  const above = rect.y - chipH;
  const y = above >= 0 ? above : Math.max(0, Math.min(rect.y, canvasH - chipH));
  return { x, y };
}

/**
 * A label chip for `rect` (a box, or just a point to hang it from): white text on a dark backing
 * with a swatch of `accent`, placed by `labelPlacement`. Expects the context's font to be set.
 */
export function drawLabelChip(
  ctx: CanvasRenderingContext2D | OffscreenCanvasRenderingContext2D,
  text: string,
  rect: BoxXYWH,
  accent: string,
  fontSize: number,
  canvasW: number,
  canvasH: number,
): void {
  const padX = Math.round(fontSize * 0.4);
  const chipH = Math.round(fontSize * 1.45);
  const swatch = Math.max(3, Math.round(fontSize * 0.3));
  const chipW = ctx.measureText(text).width + padX * 2 + swatch;
  const at = labelPlacement(rect, chipW, chipH, canvasW, canvasH);
  ctx.fillStyle = LABEL_BACKING;
  ctx.fillRect(at.x, at.y, chipW, chipH);
  ctx.fillStyle = accent;
  ctx.fillRect(at.x, at.y, swatch, chipH);
  ctx.fillStyle = LABEL_TEXT;
  ctx.fillText(text, at.x + swatch + padX, at.y + chipH / 2);
}

/**
 * Draws boxes onto `ctx` (which it does not clear). Sizes default to values that stay legible
 * from thumbnails to full-screen video.
 */
export function drawDetections(
  ctx: CanvasRenderingContext2D | OffscreenCanvasRenderingContext2D,
  boxes: readonly DrawableBox[],
  transform: DrawTransform,
  opts: DrawOptions = {},
): void {
  const canvasW = opts.canvasWidth ?? ctx.canvas.width;
  const canvasH = opts.canvasHeight ?? ctx.canvas.height;
  const lineWidth = opts.lineWidth ?? 2;
  const fontSize = opts.fontSize ?? 13;
  ctx.save();
  ctx.font = `600 ${fontSize}px system-ui, sans-serif`;
  ctx.textBaseline = 'middle';
  boxes.forEach((b, i) => {
    const colour = classColor(b.classId);
    const r = toCanvasRect(b, transform, canvasW);
    ctx.globalAlpha = opts.alpha?.(i) ?? 1;
    // Dark outline first, class colour on top: visible whatever the photo's colour there.
    ctx.lineWidth = lineWidth + 2;
    ctx.strokeStyle = OUTLINE_COLOR;
    ctx.strokeRect(r.x, r.y, r.width, r.height);
    ctx.lineWidth = lineWidth;
    ctx.strokeStyle = colour;
    ctx.strokeRect(r.x, r.y, r.width, r.height);
    if (opts.labels === false) return;
    drawLabelChip(ctx, labelText(b), r, colour, fontSize, canvasW, canvasH);
  });
  ctx.restore();
}
