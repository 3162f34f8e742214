import type { ImageBox } from '../../tagging/types';
import { classColor } from '../../detection/colors';

/**
 * Detection boxes over an image shown with object-fit: contain: the SVG uses the image's pixel
 * size as its viewBox with the same centring, so boxes in source pixels land in place.
 */
export function BoxOverlay({
  boxes,
  width,
  height,
  labels = true,
}: {
  boxes: readonly ImageBox[];
  width: number;
  height: number;
  labels?: boolean;
}) {
  const stroke = Math.max(2, Math.max(width, height) / 200);
  const font = Math.max(12, Math.max(width, height) / 40);
  return (
    <svg
      className="tag-boxes"
      viewBox={`0 0 ${width} ${height}`}
      preserveAspectRatio="xMidYMid meet"
      aria-hidden="true"
    >
      {boxes.map((b, i) => (
        <g key={i}>
          <rect
            x={b.x}
            y={b.y}
            width={b.width}
            height={b.height}
            strokeWidth={stroke}
            style={{ stroke: classColor(b.classId) }}
          />
          {labels && (
            <text x={b.x + stroke} y={b.y + font} fontSize={font}>
              {b.label} {Math.round(b.score * 100)}%
            </text>
          )}
        </g>
      ))}
    </svg>
  );
}
