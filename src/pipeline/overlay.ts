/**
 * Drawing live results over the preview with the same drawing code as Tag and Detect
 * (src/detection/draw.ts): boxes in their class colour over a dark outline, labels as white text
 * on a dark backing. Boxes arrive in video pixels and are mapped onto the element's letterboxed
 * (object-fit: contain) picture, mirrored when the preview is.
 */
import { containTransform, drawDetections, drawLabelChip } from '../detection/draw';
import type { DrawnBox } from './tracks';
import type { LabelScore } from './smoothing';

const CLASSIFY_ACCENT = '#4cc9f0';
const CHIP_FONT = 13;

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
  // Classification labels, one chip per line from the picture's top-left corner.
  ctx.font = `600 ${CHIP_FONT}px system-ui, sans-serif`;
  ctx.textBaseline = 'middle';
  scene.labels.forEach((l, k) => {
    const text = `${l.label} ${Math.round(l.probability * 100)}%`;
    // A zero-size rect just below where the chip goes: it is placed above it.
    const at = { x: t.offsetX + 8, y: t.offsetY + 25 + k * 22, width: 0, height: 0 };
    drawLabelChip(ctx, text, at, CLASSIFY_ACCENT, CHIP_FONT, cw, ch);
  });
}
