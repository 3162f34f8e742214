import { describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const ROOT = resolve(import.meta.dirname, '../../..');
const SHARED = resolve(ROOT, '../shared/models');

function runModels(args: string[], weights: string): string {
  return execFileSync(join(ROOT, 'node_modules/.bin/tsx'), ['src/cli/models.ts', ...args], {
    cwd: ROOT,
    env: { ...process.env, OCELLUS_WEIGHTS_DIR: weights, OCELLUS_MODELS_DIR: '' },
    encoding: 'utf8',
  });
}

describe('npm run models', () => {
  it('copies local weights, verifies them, and is idempotent', () => {
    const weights = mkdtempSync(join(tmpdir(), 'ocellus-w-'));
    const first = runModels(['--from', SHARED, '--only', 'mobilenet_v1_0.25_224_tfhub'], weights);
    expect(first).toMatch(/ready\s+mobilenet_v1_0\.25_224_tfhub\s+copied from .* and verified/);
    const manifest = JSON.parse(readFileSync(join(weights, 'manifest.json'), 'utf8'));
    expect(Object.keys(manifest.models)).toEqual(['mobilenet_v1_0.25_224_tfhub']);
    const second = runModels(['--from', SHARED, '--only', 'mobilenet_v1_0.25_224_tfhub'], weights);
    expect(second).toMatch(/ready\s+mobilenet_v1_0\.25_224_tfhub\s+verified \(sha256\)/);
  });

  it('refuses a tampered local copy and reports the model as unavailable in one line, not an error', () => {
    const weights = mkdtempSync(join(tmpdir(), 'ocellus-w-'));
    const from = mkdtempSync(join(tmpdir(), 'ocellus-from-'));
    cpSync(join(SHARED, 'mobilenet_v1_0.25_224_tfhub'), join(from, 'mobilenet_v1_0.25_224_tfhub'), {
      recursive: true,
    });
    const bin = join(from, 'mobilenet_v1_0.25_224_tfhub/group1-shard1of1.bin');
    const b = readFileSync(bin);
    b[1234] ^= 0x55;
    writeFileSync(bin, b);
    const out = runModels(['--from', from, '--only', 'mobilenet_v1_0.25_224_tfhub'], weights);
    expect(out).toMatch(
      /unavailable\s+mobilenet_v1_0\.25_224_tfhub\s+group1-shard1of1\.bin in .* fails its sha256 check/,
    );
    expect(existsSync(join(weights, 'mobilenet_v1_0.25_224_tfhub'))).toBe(false);
  });

  it('lists official-host models as remote with how to self-host them', () => {
    const weights = mkdtempSync(join(tmpdir(), 'ocellus-w-'));
    const out = runModels(['--only', 'coco-ssd-lite_mobilenet_v2'], weights);
    expect(out).toMatch(
      /remote\s+coco-ssd-lite_mobilenet_v2\s+the app can load it from storage\.googleapis\.com; to self-host run: npm run models -- --official/,
    );
  });
});
