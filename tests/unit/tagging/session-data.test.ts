import { describe, expect, it } from 'vitest';
import {
  CSV_HEADER,
  ImportError,
  csvCell,
  importedToRecords,
  parseImport,
  toCoco,
  toCsv,
  toExportJson,
} from '../../../src/tagging/exportFormats';
import * as edits from '../../../src/tagging/edits';
import { defaultView, needsReview, tagCounts, visibleIds } from '../../../src/tagging/view';
import { parseLabels } from '../../../src/tagging/userModels';
import type { TagImage } from '../../../src/tagging/types';

const model = { id: 'mobilenet_v1_0.25_224', version: '47417a9a7318' };

function image(
  id: string,
  name: string,
  preds: [string, number][],
  extra: Partial<TagImage> = {},
): TagImage {
  const base: TagImage = {
    id,
    name,
    path: `trip/${name}`,
    size: 1000 + id.length,
    type: 'image/jpeg',
    lastModified: 1,
    addedAt: Number(id.replace(/\D/g, '')) || 0,
    status: 'queued',
    predictions: [],
    tags: [],
    review: 'unreviewed',
    edits: [],
    hasThumb: true,
    width: 640,
    height: 480,
  };
  return {
    ...edits.withPredictions(
      base,
      preds.map(([label, score], index) => ({ label, score, index })),
      model,
    ),
    ...extra,
  };
}

const zebra = image('i1', 'zebra.jpg', [
  ['zebra', 0.91],
  ['tiger', 0.05],
  ['horse', 0.01],
]);
const cat = image('i2', '=cat, "tabby".jpg', [
  ['tabby, tabby cat', 0.42],
  ['tiger cat', 0.3],
]);
const broken: TagImage = {
  ...image('i3', 'notes.txt', []),
  status: 'error',
  error: { code: 'not-image', message: 'not an image' },
  predictions: [],
  tags: [],
  model: undefined,
  width: undefined,
  height: undefined,
};

describe('edits', () => {
  it('accepts, rejects, renames and tags by hand, logging each edit', () => {
    let img = edits.accept(zebra, 10);
    img = edits.addTag(img, ' safari ', 11);
    img = edits.removeTag(img, 'tiger', 12);
    img = edits.rename(img, 'Zebra at noon', 13);
    expect(img.review).toBe('accepted');
    expect(img.tags.map((t) => [t.label, t.source])).toEqual([
      ['safari', 'user'],
      ['zebra', 'model'],
      ['horse', 'model'],
    ]);
    expect(edits.displayName(img)).toBe('Zebra at noon');
    expect(img.edits).toEqual([
      { action: 'accept', at: 10 },
      { action: 'add-tag', value: 'safari', at: 11 },
      { action: 'remove-tag', value: 'tiger', at: 12 },
      { action: 'rename', value: 'Zebra at noon', at: 13 },
    ]);
    expect(edits.accept(img, 14)).toBe(img); // no-op edits are not logged
  });

  it('keeps hand tags and removals when the image is tagged again', () => {
    const edited = edits.removeTag(edits.addTag(zebra, 'safari', 1), 'tiger', 2);
    const again = edits.withPredictions(
      edited,
      [
        { label: 'tiger', score: 0.6, index: 292 },
        { label: 'zebra', score: 0.3, index: 340 },
      ],
      model,
    );
    expect(again.tags.map((t) => t.label)).toEqual(['safari', 'zebra']);
  });
});

describe('gallery view', () => {
  const images = { i1: zebra, i2: cat, i3: broken };
  const order = ['i1', 'i2', 'i3'];

  it('filters, searches and sorts', () => {
    expect(visibleIds(images, order, { ...defaultView, sort: 'confidence-asc' })).toEqual([
      'i3',
      'i2',
      'i1',
    ]);
    expect(visibleIds(images, order, { ...defaultView, sort: 'name' })).toEqual(['i2', 'i3', 'i1']);
    expect(visibleIds(images, order, { ...defaultView, search: 'TABBY' })).toEqual(['i2']);
    expect(visibleIds(images, order, { ...defaultView, tag: 'zebra' })).toEqual(['i1']);
    expect(visibleIds(images, order, { ...defaultView, show: 'errors' })).toEqual(['i3']);
  });

  it('puts low-confidence unreviewed images in "needs review"', () => {
    expect(needsReview(cat, 0.5)).toBe(true);
    expect(needsReview(zebra, 0.5)).toBe(false);
    expect(needsReview(edits.accept(cat), 0.5)).toBe(false);
    expect(visibleIds(images, order, { ...defaultView, show: 'review' })).toEqual(['i2']);
  });

  it('counts images under their primary tag', () => {
    expect(tagCounts({ i1: zebra, i2: cat, i4: { ...zebra, id: 'i4' } })).toEqual([
      { label: 'zebra', count: 2 },
      { label: 'tabby, tabby cat', count: 1 },
    ]);
  });
});

describe('exports', () => {
  it('writes CSV with quoting and formula-injection guards', () => {
    expect(csvCell('a,b')).toBe('"a,b"');
    expect(csvCell('say "hi"')).toBe('"say ""hi"""');
    expect(csvCell('=HYPERLINK("x")')).toBe(`"'=HYPERLINK(""x"")"`);
    expect(csvCell(-3)).toBe('-3');
    const csv = toCsv([zebra, cat, broken]).split('\r\n');
    expect(csv[0]).toBe(CSV_HEADER.join(','));
    expect(csv[1]).toBe(
      'trip/zebra.jpg,zebra.jpg,1002,640,480,done,unreviewed,zebra,0.9100,zebra (0.910); tiger (0.050); horse (0.010),,0,mobilenet_v1_0.25_224,47417a9a7318,',
    );
    expect(csv[2].startsWith(`"trip/=cat, ""tabby"".jpg","'=cat, ""tabby"".jpg",`)).toBe(true);
    expect(csv[3]).toBe('trip/notes.txt,notes.txt,1002,,,error,unreviewed,,,,,0,,,not an image');
    expect(csv).toHaveLength(5); // header, 3 rows, final CRLF
  });

  it('writes COCO annotations with original category ids and pixel boxes', () => {
    const withBoxes: TagImage = {
      ...zebra,
      boxes: [
        {
          x: 10.123,
          y: 20,
          width: 100,
          height: 50.555,
          label: 'zebra',
          classId: 22,
          score: 0.87654,
        },
        { x: 0, y: 0, width: 5, height: 5, label: 'person', classId: 0, score: 0.5 },
      ],
    };
    const coco = toCoco([withBoxes, cat, broken], new Date('2026-01-01T00:00:00Z'));
    expect(coco.images).toEqual([
      { id: 1, file_name: 'trip/zebra.jpg', width: 640, height: 480 },
      { id: 2, file_name: 'trip/=cat, "tabby".jpg', width: 640, height: 480 },
    ]);
    expect(coco.annotations).toEqual([
      {
        id: 1,
        image_id: 1,
        category_id: 24,
        bbox: [10.12, 20, 100, 50.56],
        area: 5055.5,
        iscrowd: 0,
        score: 0.8765,
      },
      { id: 2, image_id: 1, category_id: 1, bbox: [0, 0, 5, 5], area: 25, iscrowd: 0, score: 0.5 },
    ]);
    expect(coco.categories).toHaveLength(80);
    expect(coco.categories.find((c) => c.id === 90)?.name).toBe('toothbrush');
  });

  it('round-trips a JSON export through import', () => {
    const edited = edits.rename(edits.addTag(edits.accept(zebra, 5), 'safari', 6), 'Z', 7);
    const text = JSON.stringify(toExportJson([edited, broken], new Date('2026-01-01T00:00:00Z')));
    const parsed = parseImport(text);
    expect(parsed).toHaveLength(2);
    let n = 0;
    const records = importedToRecords(
      parsed,
      () => `new${++n}`,
      new Map([[`${zebra.path}\u0000${zebra.size}`, zebra]]),
      99,
    );
    expect(records[0]).toEqual({ ...edited, hasThumb: true, format: undefined });
    expect(records[1]).toMatchObject({
      id: 'new1',
      status: 'error',
      error: { code: 'not-image', message: 'not an image' },
    });
  });

  it('refuses imports that are not an Ocellus session, naming the problem', () => {
    expect(() => parseImport('not json')).toThrow(ImportError);
    expect(() => parseImport('{"format":"other"}')).toThrow(/not an Ocellus Tag export/);
    expect(() => parseImport('{"format":"ocellus-tag-session","version":2,"images":[]}')).toThrow(
      /version 2/,
    );
    expect(() =>
      parseImport(
        '{"format":"ocellus-tag-session","version":1,"images":[{"name":"a","path":"a","size":1,"tags":[{"label":3}]}]}',
      ),
    ).toThrow(/image 1 tag 1: a tag needs a label/);
    expect(() =>
      parseImport(
        '{"format":"ocellus-tag-session","version":1,"images":[{"name":"a","path":"a","size":1,"tags":[],"boxes":[{"x":1}]}]}',
      ),
    ).toThrow(/image 1 box 1/);
  });
});

describe('user model labels', () => {
  it('reads labels.txt and metadata.json (with a value range)', () => {
    expect(parseLabels('labels.txt', 'cat\r\ndog\n\n bird \n')).toEqual({
      labels: ['cat', 'dog', 'bird'],
    });
    expect(
      parseLabels(
        'metadata.json',
        JSON.stringify({ labels: ['a', 'b'], inputRange: [0, 1], modelName: 'mine' }),
      ),
    ).toEqual({ labels: ['a', 'b'], range: [0, 1], name: 'mine' });
    expect(parseLabels('metadata.json', JSON.stringify({ wordLabels: ['x'] })).labels).toEqual([
      'x',
    ]);
    expect(() => parseLabels('metadata.json', '{"labels": [1, 2]}')).toThrow(/no "labels" list/);
    expect(() => parseLabels('labels.txt', '\n\n')).toThrow(/no labels/);
  });
});
