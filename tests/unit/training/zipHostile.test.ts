/**
 * Hostile project zips: unsafe entry names and zip bombs are refused from the zip's directory,
 * before anything is inflated, with a message that says why.
 */
import { describe, expect, it } from 'vitest';
import { strToU8, zipSync } from 'fflate';
import {
  MAX_UNZIPPED_BYTES,
  PROJECT_FORMAT,
  ProjectZipError,
  parseProjectZip,
  type ProjectJson,
} from '../../../src/training/zipFormat';
import { DEFAULT_SETTINGS } from '../../../src/training/types';

const project = (): ProjectJson => ({
  format: PROJECT_FORMAT,
  version: 1,
  project: {
    name: 'p',
    classes: [{ id: 'c1', name: 'a', color: '#fff' }],
    settings: DEFAULT_SETTINGS,
    history: [],
    report: null,
    updatedAt: 0,
  },
  samples: [{ id: 's1', classId: 'c1', source: 'file', createdAt: 1, file: 'samples/s1.jpg' }],
  model: null,
});
const noDim = () => undefined;

describe('hostile project zips', () => {
  it('refuses a zip bomb from its declared sizes, and accepts the same zip under the limit', () => {
    const zip = zipSync(
      {
        'project.json': strToU8(JSON.stringify(project())),
        'samples/s1.jpg': new Uint8Array([1, 2, 3]),
        'samples/padding.bin': new Uint8Array(8 * 2 ** 20), // 8 MB of zeros: ~8 KB zipped
      },
      { level: 9 },
    );
    expect(zip.length).toBeLessThan(64 * 1024);
    expect(() => parseProjectZip(zip, noDim, 2 ** 20)).toThrow(ProjectZipError);
    expect(() => parseProjectZip(zip, noDim, 2 ** 20)).toThrow(
      'Refused: the archive unpacks to more than 1 MB (a zip bomb?).',
    );
    expect(parseProjectZip(zip, noDim, 16 * 2 ** 20).images.get('s1')).toEqual(
      new Uint8Array([1, 2, 3]),
    );
    expect(MAX_UNZIPPED_BYTES).toBe(2 ** 30);
  });

  it('refuses traversal, absolute, drive, backslash and NUL names, naming the entry', () => {
    for (const bad of [
      '../../.bashrc',
      'samples/../../../etc/passwd',
      './project.json',
      '/etc/passwd',
      'C:/Windows/evil.dll',
      'samples\\..\\evil.jpg',
      'samples/a\0.jpg',
    ]) {
      const zip = zipSync({
        'project.json': strToU8(JSON.stringify(project())),
        'samples/s1.jpg': new Uint8Array([1]),
        [bad]: new Uint8Array([0]),
      });
      expect(() => parseProjectZip(zip, noDim), bad).toThrow(
        `Refused: the archive contains an unsafe path “${bad}”.`,
      );
    }
  });

  it('refuses a project.json that points a sample outside samples/', () => {
    const j = project();
    j.samples[0].file = 'samples/../project.json';
    const zip = zipSync({
      'project.json': strToU8(JSON.stringify(j)),
      'samples/s1.jpg': new Uint8Array([1]),
    });
    expect(() => parseProjectZip(zip, noDim)).toThrow(
      'Refused: unexpected sample path “samples/../project.json”.',
    );
  });
});
