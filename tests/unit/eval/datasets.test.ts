import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  imageSizeFromHeader,
  loadCocoDataset,
  parseCocoAnnotations,
  parseYoloLabels,
  type AnnotatedImage,
} from '../../../src/eval/datasets';
import { COCO128, hasCoco128, loadCoco128, nodeIo } from '../detection/support/photos';

describe('parseYoloLabels', () => {
  it('converts normalised centre boxes to pixel corner boxes', () => {
    const boxes = parseYoloLabels('0 0.5 0.5 0.5 0.25\n\n45 0.1 0.2 0.2 0.4\r\n', 640, 480);
    expect(boxes).toEqual([
      { box: { x: 160, y: 180, width: 320, height: 120 }, classId: 0 },
      { box: { x: 0, y: 0, width: 128, height: 192 }, classId: 45 },
    ]);
    expect(parseYoloLabels('', 10, 10)).toEqual([]);
  });

  it('reduces segmentation polygons to their bounding box', () => {
    const [b] = parseYoloLabels('3 0.1 0.2 0.5 0.1 0.3 0.6', 100, 100);
    expect(b.classId).toBe(3);
    expect(b.box.x).toBeCloseTo(10);
    expect(b.box.y).toBeCloseTo(10);
    expect(b.box.width).toBeCloseTo(40);
    expect(b.box.height).toBeCloseTo(50);
  });

  it('rejects malformed lines with their line number', () => {
    expect(() => parseYoloLabels('0 0.5 0.5 0.5', 10, 10)).toThrow(/line 1/);
    expect(() => parseYoloLabels('0 0.5 0.5 0.5 0.5\n80 0.5 0.5 0.5 0.5', 10, 10)).toThrow(
      /line 2/,
    );
    expect(() => parseYoloLabels('x 0.5 0.5 0.5 0.5', 10, 10)).toThrow(/malformed/);
  });
});

describe('parseCocoAnnotations', () => {
  const json = {
    images: [
      { id: 7, file_name: '000000000007.jpg', width: 640, height: 480 },
      { id: 8, file_name: '000000000008.jpg', width: 100, height: 50 },
    ],
    annotations: [
      { image_id: 7, category_id: 90, bbox: [1, 2, 3, 4], iscrowd: 0 },
      { image_id: 7, category_id: 1, bbox: [10, 20, 30, 40], iscrowd: 1 },
    ],
  };

  it('maps category ids to COCO80 and keeps pixel boxes and crowd flags', () => {
    expect(parseCocoAnnotations(json, 'images/train2017')).toEqual<AnnotatedImage[]>([
      {
        id: '000000000007',
        file: 'images/train2017/000000000007.jpg',
        width: 640,
        height: 480,
        boxes: [
          { box: { x: 1, y: 2, width: 3, height: 4 }, classId: 79, iscrowd: false },
          { box: { x: 10, y: 20, width: 30, height: 40 }, classId: 0, iscrowd: true },
        ],
      },
      {
        id: '000000000008',
        file: 'images/train2017/000000000008.jpg',
        width: 100,
        height: 50,
        boxes: [],
      },
    ]);
  });

  it('rejects unused category ids, unknown images and non-COCO input', () => {
    const withCategory = (category_id: number) => ({
      ...json,
      annotations: [{ image_id: 7, category_id, bbox: [0, 0, 1, 1], iscrowd: 0 }],
    });
    expect(() => parseCocoAnnotations(withCategory(12))).toThrow(/category id 12/);
    expect(() =>
      parseCocoAnnotations({ ...json, annotations: [{ ...json.annotations[0], image_id: 9 }] }),
    ).toThrow(/unknown image/);
    expect(() => parseCocoAnnotations({ images: [] })).toThrow(/annotations/);
  });
});

describe('imageSizeFromHeader', () => {
  it('reads PNG IHDR and JPEG SOF headers', () => {
    const png = new Uint8Array(24);
    png.set([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13, 0x49, 0x48, 0x44, 0x52]);
    png.set([0, 0, 0x01, 0x02, 0, 0, 0, 0x30], 16);
    expect(imageSizeFromHeader(png)).toEqual({ width: 258, height: 48 });
    // SOI, an APP0 segment to skip, a fill byte, then a progressive SOF2: 480 high, 640 wide.
    const jpeg = new Uint8Array([
      0xff, 0xd8, 0xff, 0xe0, 0x00, 0x04, 0x00, 0x00, 0xff, 0xff, 0xc2, 0x00, 0x11, 0x08, 0x01,
      0xe0, 0x02, 0x80, 0x03,
    ]);
    expect(imageSizeFromHeader(jpeg)).toEqual({ width: 640, height: 480 });
    expect(() => imageSizeFromHeader(new Uint8Array([1, 2, 3, 4]))).toThrow(/Not a JPEG/);
  });
});

describe.skipIf(!hasCoco128)('coco128 readers', () => {
  it('read the YOLO labels, treat images without a label file as empty, and agree with the COCO JSON', async () => {
    const yolo = await loadCoco128();
    const coco = await loadCocoDataset(
      nodeIo,
      join(COCO128, 'annotations/instances_train2017.json'),
      'images/train2017',
    );
    expect(yolo).toHaveLength(128);
    expect(yolo.filter((im) => im.boxes.length === 0).map((im) => im.id)).toEqual([
      '000000000250',
      '000000000508',
    ]);
    const byId = new Map(coco.map((im) => [im.id, im]));
    for (const im of yolo) {
      const ref = byId.get(im.id)!;
      // Header sizes equal the JSON's, so YOLO boxes land on the same pixels.
      expect([im.width, im.height]).toEqual([ref.width, ref.height]);
      const real = ref.boxes.filter((b) => !b.iscrowd);
      expect(im.boxes.map((b) => b.classId).sort()).toEqual(real.map((b) => b.classId).sort());
      const key = (b: { box: { x: number; y: number } }) => b.box.x * 1e4 + b.box.y;
      const a = [...im.boxes].sort((p, q) => key(p) - key(q));
      const b = [...real].sort((p, q) => key(p) - key(q));
      a.forEach((box, i) => {
        expect(Math.abs(box.box.x - b[i].box.x)).toBeLessThan(1);
        expect(Math.abs(box.box.width - b[i].box.width)).toBeLessThan(1);
      });
    }
    expect(coco.flatMap((im) => im.boxes).filter((b) => b.iscrowd).length).toBeGreaterThan(0);
    // File paths resolve against the dataset root.
    expect(readFileSync(join(COCO128, yolo[0].file)).length).toBeGreaterThan(0);
  });
});
