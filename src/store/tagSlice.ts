import type { StateCreator } from 'zustand';
import type { AppState } from './index';
import type { ImageBox, TagImage } from '../tagging/types';
import { defaultView, type TagView } from '../tagging/view';
import type { QueueProgress } from '../tagging/queue';
import type { StorageState } from '../tagging/session';

export interface TagRunState {
  progress: QueueProgress;
  modelId: string;
  startedAt: number;
}

/** A classifier being switched to: loading, or failed (then the one in use stays). */
export interface TagModelChoice {
  id: string;
  error?: string;
}

export interface TagModelOption {
  id: string;
  name: string;
  user: boolean;
}

/** The Tag workspace: images by id in drop order, the gallery view, selection and the run. */
export interface TagSlice {
  tagImages: Record<string, TagImage>;
  tagOrder: string[];
  tagView: TagView;
  tagSelection: string[];
  tagFocus: string | null;
  tagLarge: string | null;
  tagRun: TagRunState | null;
  tagStorage: StorageState;
  /** The classifier Tag uses (catalog or user model); null follows the settings' classifier. */
  tagModelId: string | null;
  tagModelChoice: TagModelChoice | null;
  tagUserModels: TagModelOption[];
  tagLoaded: boolean;
  tagAdd: (images: TagImage[]) => void;
  tagPatch: (patches: Record<string, Partial<TagImage>>) => void;
  tagUpdate: (ids: readonly string[], fn: (img: TagImage) => TagImage) => void;
  tagRemove: (ids: readonly string[]) => void;
  tagReplaceAll: (images: TagImage[]) => void;
  /** Sets (or clears, with an empty list) the detection boxes of an image. */
  setImageBoxes: (id: string, boxes: ImageBox[]) => void;
  tagSetView: (patch: Partial<TagView>) => void;
  tagSetSelection: (ids: string[]) => void;
  tagSetFocus: (id: string | null) => void;
  tagSetLarge: (id: string | null) => void;
  tagSetRun: (run: TagRunState | null) => void;
  tagSetStorage: (s: StorageState) => void;
  tagSetModelId: (id: string | null) => void;
  tagSetModelChoice: (c: TagModelChoice | null) => void;
  tagSetUserModels: (list: TagModelOption[]) => void;
  tagSetLoaded: () => void;
}

export const createTagSlice: StateCreator<AppState, [], [], TagSlice> = (set) => ({
  tagImages: {},
  tagOrder: [],
  tagView: defaultView,
  tagSelection: [],
  tagFocus: null,
  tagLarge: null,
  tagRun: null,
  tagStorage: { state: 'ok' },
  tagModelId: null,
  tagModelChoice: null,
  tagUserModels: [],
  tagLoaded: false,
  tagAdd: (images) =>
    set((s) => {
      const tagImages = { ...s.tagImages };
      const fresh: string[] = [];
      for (const img of images) {
        if (!tagImages[img.id]) fresh.push(img.id);
        tagImages[img.id] = img;
      }
      return { tagImages, tagOrder: fresh.length ? [...s.tagOrder, ...fresh] : s.tagOrder };
    }),
  tagPatch: (patches) =>
    set((s) => {
      const tagImages = { ...s.tagImages };
      for (const [id, p] of Object.entries(patches))
        if (tagImages[id]) tagImages[id] = { ...tagImages[id], ...p };
      return { tagImages };
    }),
  tagUpdate: (ids, fn) =>
    set((s) => {
      const tagImages = { ...s.tagImages };
      for (const id of ids) if (tagImages[id]) tagImages[id] = fn(tagImages[id]);
      return { tagImages };
    }),
  tagRemove: (ids) =>
    set((s) => {
      const gone = new Set(ids);
      const tagImages = { ...s.tagImages };
      for (const id of ids) delete tagImages[id];
      return {
        tagImages,
        tagOrder: s.tagOrder.filter((id) => !gone.has(id)),
        tagSelection: s.tagSelection.filter((id) => !gone.has(id)),
        tagFocus: s.tagFocus && gone.has(s.tagFocus) ? null : s.tagFocus,
        tagLarge: s.tagLarge && gone.has(s.tagLarge) ? null : s.tagLarge,
      };
    }),
  tagReplaceAll: (images) =>
    set({
      tagImages: Object.fromEntries(images.map((i) => [i.id, i])),
      tagOrder: images.map((i) => i.id),
      tagSelection: [],
      tagFocus: null,
      tagLarge: null,
    }),
  setImageBoxes: (id, boxes) =>
    set((s) =>
      s.tagImages[id]
        ? {
            tagImages: {
              ...s.tagImages,
              [id]: { ...s.tagImages[id], boxes: boxes.length ? boxes : undefined },
            },
          }
        : {},
    ),
  tagSetView: (patch) => set((s) => ({ tagView: { ...s.tagView, ...patch } })),
  tagSetSelection: (tagSelection) => set({ tagSelection }),
  tagSetFocus: (tagFocus) => set({ tagFocus }),
  tagSetLarge: (tagLarge) => set({ tagLarge }),
  tagSetRun: (tagRun) => set({ tagRun }),
  tagSetStorage: (tagStorage) => set({ tagStorage }),
  tagSetModelId: (tagModelId) => set({ tagModelId }),
  tagSetModelChoice: (tagModelChoice) => set({ tagModelChoice }),
  tagSetUserModels: (tagUserModels) => set({ tagUserModels }),
  tagSetLoaded: () => set({ tagLoaded: true }),
});
