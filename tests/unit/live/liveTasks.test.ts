import { describe, expect, it } from 'vitest';
import { liveTasks } from '../../../src/ui/live/session';
import { defaultSettings } from '../../../src/store/settingsSlice';
import { defaultLivePrefs } from '../../../src/store/liveSlice';

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
