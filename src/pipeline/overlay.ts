/**
 * Drawing live results over the preview with the same drawing code as Tag and Detect
 * (src/detection/draw.ts): boxes in their class colour over a dark outline, labels as white text
 * on a dark backing. Boxes arrive in video pixels and are mapped onto the element's letterboxed
 * (object-fit: contain) picture, mirrored when the preview is.
 */
import { containTransform, drawDetections, labelPlacement } from '../detection/draw';
import { LABEL_BACKING, LABEL_TEXT } from '../detection/colors';
import type { DrawnBox } from './tracks';
import type { LabelScore } from './smoothing';

const CLASSIFY_ACCENT = '#4cc9f0';

/** A classification label chip (top-left of the picture), styled like the box labels. */
function labelChip(
  ctx: CanvasRenderingContext2D,
  text: string,
  x: number,
  y: number,
  canvas: { width: number; height: number },
): void {
  const padX = 5;
  const h = 18;
  const w = ctx.measureText(text).width + padX * 2 + 4;
  const at = labelPlacement({ x, y, width: w, height: h }, w, h, canvas.width, canvas.height);
  ctx.fillStyle = LABEL_BACKING;
  ctx.fillRect(at.x, at.y, w, h);
  ctx.fillStyle = CLASSIFY_ACCENT;
  ctx.fillRect(at.x, at.y, 4, h);
  ctx.fillStyle = LABEL_TEXT;
  ctx.fillText(text, at.x + 4 + padX, at.y + h / 2);
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
  const t = containTransform(scene.videoWidth, scene.videoHeight, cw, ch);
  const shown = scene.boxes.filter((b) => b.opacity > 0);
  drawDetections(
    ctx,
    shown.map((b) => ({ ...b.box, label: b.label, classId: b.classId, score: b.score })),
    { ...t, mirror: scene.mirror },
    { alpha: (i) => shown[i].opacity, canvasWidth: cw, canvasHeight: ch },
  );
  ctx.font = '600 13px system-ui, sans-serif';
  ctx.textBaseline = 'middle';
  let y = t.offsetY + 6;
  for (const l of scene.labels) {
    labelChip(ctx, `${l.label} ${Math.round(l.probability * 100)}%`, t.offsetX + 8, y + 18, {
      width: cw,
      height: ch,
    });
    y += 22;
  }
}
