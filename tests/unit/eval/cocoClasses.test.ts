import { describe, expect, it } from 'vitest';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CLASSES } from '@tensorflow-models/coco-ssd/dist/classes';
import {
  COCO80_NAMES,
  COCO80_TO_CATEGORY_ID,
  COCO_SSD_DISPLAY_NAMES,
  categoryIdToCoco80,
  coco80IdOf,
} from '../../../src/eval/cocoClasses';
import { COCO128 } from '../detection/support/photos';

describe('COCO class tables', () => {
  it.skipIf(!existsSync(join(COCO128, 'config.yaml')))('match coco128 config.yaml order', () => {
    const yaml = readFileSync(join(COCO128, 'config.yaml'), 'utf8');
    const names = [...yaml.matchAll(/^\s+(\d+): (.+)$/gm)].map(
      (m) => [Number(m[1]), m[2].trim()] as const,
    );
    expect(names).toHaveLength(80);
    for (const [i, name] of names) expect(COCO80_NAMES[i]).toBe(name);
  });

  it.skipIf(!existsSync(join(COCO128, 'annotations')))(
    'map to the COCO JSON category ids and names',
    () => {
      const json = JSON.parse(
        readFileSync(join(COCO128, 'annotations/instances_train2017.json'), 'utf8'),
      ) as {
        categories: { id: number; name: string }[];
      };
      expect(json.categories.map((c) => c.id)).toEqual(COCO80_TO_CATEGORY_ID);
      expect(json.categories.map((c) => c.name)).toEqual(COCO80_NAMES);
    },
  );

  it("equal coco-ssd's 90-id display-name table", () => {
    const table = CLASSES as Record<string, { id: number; displayName: string }>;
    expect(Object.keys(table).map(Number)).toEqual(COCO80_TO_CATEGORY_ID);
    for (const [id, entry] of Object.entries(table)) {
      expect(COCO_SSD_DISPLAY_NAMES[Number(id)]).toBe(entry.displayName);
    }
  });

  it('convert ids both ways and reject unused ids and unknown names', () => {
    COCO80_TO_CATEGORY_ID.forEach((id, i) => expect(categoryIdToCoco80(id)).toBe(i));
    for (const unused of [0, 12, 26, 29, 30, 45, 66, 68, 69, 71, 83, 91, -1, 1.5]) {
      expect(categoryIdToCoco80(unused)).toBe(-1);
    }
    expect(coco80IdOf('person')).toBe(0);
    expect(coco80IdOf('toothbrush')).toBe(79);
    expect(coco80IdOf('Person')).toBe(-1);
  });
});
