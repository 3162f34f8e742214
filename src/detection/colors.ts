/**
 * One colour per COCO class, shared by every place that draws boxes (Live overlay, Tag
 * thumbnails and large view), so a class looks the same everywhere.
 */

/** Golden-angle hue steps keep neighbouring class ids far apart on the colour wheel. */
const GOLDEN_ANGLE = 137.508;

/** Hue in degrees (0..360) of a class id. */
export function classHue(classId: number): number {
  const id = Number.isFinite(classId) ? Math.abs(Math.trunc(classId)) : 0;
  return (id * GOLDEN_ANGLE) % 360;
}

/**
 * A saturated, light colour for the class: bright enough to stand out on dark photos, and
 * drawn with a dark outline (see draw.ts) so it also reads on light ones.
 */
export function classColor(classId: number): string {
  return `hsl(${classHue(classId).toFixed(1)} 90% 60%)`;
}

/** Colour of the outline under a box stroke and the label backing: near-black, mostly opaque. */
export const OUTLINE_COLOR = 'rgba(0, 0, 0, 0.8)';
export const LABEL_BACKING = 'rgba(0, 0, 0, 0.78)';
export const LABEL_TEXT = '#ffffff';
