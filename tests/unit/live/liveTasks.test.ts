import { describe, expect, it } from 'vitest';
import { liveTasks, taskSignatures, uploadShortSide } from '../../../src/ui/live/session';
import { captureSize, scaleResult, staleTasks } from '../../../src/pipeline/loop';
import { defaultSettings } from '../../../src/store/settingsSlice';
import { defaultLivePrefs } from '../../../src/store/liveSlice';
import type { ModelTaskSpec } from '../../../src/pipeline/protocol';

describe('the tasks a live frame runs', () => {
  const settings = { ...defaultSettings, detectorId: 'centernet-mobilenetv3', minScore: 0.4 };

  it('follows the Classify/Detect toggles and the detector settings', () => {
    const tasks = liveTasks(settings, { ...defaultLivePrefs, classify: true, detect: true });
    expect(tasks.map((t) => t.kind)).toEqual(['classify', 'detect']);
    expect(tasks[1]).toMatchObject({ modelId: 'centernet-mobilenetv3', minScore: 0.4 });
    expect(liveTasks(settings, { ...defaultLivePrefs, classify: false, detect: false })).toEqual(
      [],
    );
  });

  it('passes the shared class filter to the detector, and none when it is off', () => {
    const prefs = { ...defaultLivePrefs, classify: false, detect: true };
    const [onlyDogs] = liveTasks(settings, prefs, { filterMode: 'include', classes: ['dog'] });
    expect(onlyDogs).toMatchObject({ kind: 'detect', classes: { include: ['dog'] } });
    const [noPeople] = liveTasks(settings, prefs, { filterMode: 'exclude', classes: ['person'] });
    expect(noPeople).toMatchObject({ classes: { exclude: ['person'] } });
    const [all] = liveTasks(settings, prefs, { filterMode: 'include', classes: [] });
    expect(all).not.toHaveProperty('classes');
  });
});

describe('how big a live frame crosses to the worker', () => {
  const prefs = { ...defaultLivePrefs, classify: true, detect: false };

  it('is as big as the largest model input among the tasks, or full size for any-size models', () => {
    expect(uploadShortSide(liveTasks(defaultSettings, prefs))).toBe(224);
    const withCenterNet = { ...defaultSettings, detectorId: 'centernet-mobilenetv3' };
    expect(uploadShortSide(liveTasks(withCenterNet, { ...prefs, detect: true }))).toBe(512);
    const withSsd = { ...defaultSettings, detectorId: 'coco-ssd-lite_mobilenet_v2' };
    expect(uploadShortSide(liveTasks(withSsd, { ...prefs, detect: true }))).toBe(0);
  });

  it('downscales a 640x480 frame to a 224 short side, never upscales, and maps boxes back', () => {
    expect(captureSize(640, 480, 224)).toEqual({ width: 299, height: 224 });
    expect(captureSize(640, 480, 512)).toEqual({ width: 640, height: 480 });
    expect(captureSize(640, 480, 0)).toEqual({ width: 640, height: 480 });
    const res = {
      type: 'result' as const,
      frameId: 7,
      width: 320,
      height: 240,
      results: [
        {
          id: 'd',
          kind: 'detect' as const,
          ms: 1,
          detections: [
            { box: { x: 10, y: 20, width: 30, height: 40 }, label: 'dog', classId: 16, score: 0.9 },
          ],
        },
      ],
    } as unknown as Parameters<typeof scaleResult>[0];
    const back = scaleResult(res, 2, 640, 480);
    expect(back.width).toBe(640);
    expect(back.height).toBe(480);
    const [r] = back.results;
    expect(r.kind === 'detect' && r.detections[0].box).toEqual({
      x: 20,
      y: 40,
      width: 60,
      height: 80,
    });
    expect(scaleResult(res, 1, 640, 480)).toBe(res);
  });
});

describe('what a change of live tasks clears from the screen', () => {
  const prefs = { ...defaultLivePrefs, classify: true, detect: true };
  const base = { ...defaultSettings, classifierId: 'mobilenet_v1_0.25_224', minScore: 0.4 };
  const before = taskSignatures(liveTasks(base, prefs));

  it('keeps labels and boxes when only a setting moved (score threshold, top-k, class filter)', () => {
    const moved = taskSignatures(
      liveTasks({ ...base, minScore: 0.7, topK: 1, maxResults: 3 }, prefs, {
        filterMode: 'include',
        classes: ['dog'],
      }),
    );
    expect(staleTasks(before, moved)).toEqual([]);
  });

  it('clears a task that now runs another model, and one that was switched off', () => {
    const otherClassifier = taskSignatures(
      liveTasks({ ...base, classifierId: 'mobilenet_v1_1.0_224' }, prefs),
    );
    expect(staleTasks(before, otherClassifier)).toEqual(['classifier']);
    const noDetector = taskSignatures(liveTasks(base, { ...prefs, detect: false }));
    expect(staleTasks(before, noDetector)).toEqual(['detector']);
    expect(before.detector).toMatch(/^detect:/);
  });

  it('tells a retrained model from the same model sent again by its content key', () => {
    const trained = (key: string, topK: number): ModelTaskSpec => ({
      kind: 'model',
      id: 'Your model',
      format: 'layers',
      key,
      input: {
        name: 'image',
        width: 224,
        height: 224,
        range: [0, 1],
        layout: 'NHWC',
        channels: 'RGB',
        resize: 'center-crop',
      },
      labels: ['a', 'b'],
      outputKind: 'probabilities',
      topK,
    });
    const a = taskSignatures([trained('k1', 2)]);
    expect(staleTasks(a, taskSignatures([trained('k1', 1)]))).toEqual([]);
    expect(staleTasks(a, taskSignatures([trained('k2', 2)]))).toEqual(['Your model']);
  });
});
