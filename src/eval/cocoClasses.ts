/**
 * COCO class tables. The app's canonical class id is the contiguous "COCO80" index (0..79) in
 * the order of YOLO's coco128 `config.yaml`, which is also the ascending order of the original
 * COCO category ids (1..90, with 10 ids unused). CenterNet and NanoDet emit COCO80 indices
 * directly; COCO JSON annotations and COCO-SSD use the sparse 1..90 category ids.
 */

/** The 80 COCO class names, index = COCO80 class id (YOLO config.yaml order). */
export const COCO80_NAMES: readonly string[] = Object.freeze([
  'person',
  'bicycle',
  'car',
  'motorcycle',
  'airplane',
  'bus',
  'train',
  'truck',
  'boat',
  'traffic light',
  'fire hydrant',
  'stop sign',
  'parking meter',
  'bench',
  'bird',
  'cat',
  'dog',
  'horse',
  'sheep',
  'cow',
  'elephant',
  'bear',
  'zebra',
  'giraffe',
  'backpack',
  'umbrella',
  'handbag',
  'tie',
  'suitcase',
  'frisbee',
  'skis',
  'snowboard',
  'sports ball',
  'kite',
  'baseball bat',
  'baseball glove',
  'skateboard',
  'surfboard',
  'tennis racket',
  'bottle',
  'wine glass',
  'cup',
  'fork',
  'knife',
  'spoon',
  'bowl',
  'banana',
  'apple',
  'sandwich',
  'orange',
  'broccoli',
  'carrot',
  'hot dog',
  'pizza',
  'donut',
  'cake',
  'chair',
  'couch',
  'potted plant',
  'bed',
  'dining table',
  'toilet',
  'tv',
  'laptop',
  'mouse',
  'remote',
  'keyboard',
  'cell phone',
  'microwave',
  'oven',
  'toaster',
  'sink',
  'refrigerator',
  'book',
  'clock',
  'vase',
  'scissors',
  'teddy bear',
  'hair drier',
  'toothbrush',
]);

/** Original COCO category id (1..90) of each COCO80 class, index = COCO80 class id. */
export const COCO80_TO_CATEGORY_ID: readonly number[] = Object.freeze([
  1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 27, 28, 31,
  32, 33, 34, 35, 36, 37, 38, 39, 40, 41, 42, 43, 44, 46, 47, 48, 49, 50, 51, 52, 53, 54, 55, 56,
  57, 58, 59, 60, 61, 62, 63, 64, 65, 67, 70, 72, 73, 74, 75, 76, 77, 78, 79, 80, 81, 82, 84, 85,
  86, 87, 88, 89, 90,
]);

/** Largest COCO category id; COCO-SSD's score tensor has one column per id 1..90. */
export const COCO_MAX_CATEGORY_ID = 90;

// Inverse table, index = category id (0 and the 10 unused ids map to -1).
const CATEGORY_TO_COCO80: readonly number[] = (() => {
  const table = new Array<number>(COCO_MAX_CATEGORY_ID + 1).fill(-1);
  COCO80_TO_CATEGORY_ID.forEach((id, i) => (table[id] = i));
  return table;
})();

/** COCO80 class id of a COCO category id (1..90), or -1 for the 10 unused ids. */
export function categoryIdToCoco80(categoryId: number): number {
  return Number.isInteger(categoryId) && categoryId >= 0 && categoryId <= COCO_MAX_CATEGORY_ID
    ? CATEGORY_TO_COCO80[categoryId]
    : -1;
}

/**
 * COCO-SSD's display names keyed by category id, as in its `classes.js` table. They equal
 * COCO80_NAMES (a unit test checks this against node_modules), so a COCO-SSD label and a
 * CenterNet/NanoDet label for the same class compare equal.
 */
export const COCO_SSD_DISPLAY_NAMES: Readonly<Record<number, string>> = Object.freeze(
  Object.fromEntries(COCO80_TO_CATEGORY_ID.map((id, i) => [id, COCO80_NAMES[i]])),
);

const NAME_TO_COCO80: ReadonlyMap<string, number> = new Map(COCO80_NAMES.map((n, i) => [n, i]));

/** COCO80 class id for a class name, or -1 if the name is not a COCO class. */
export function coco80IdOf(name: string): number {
  return NAME_TO_COCO80.get(name) ?? -1;
}
