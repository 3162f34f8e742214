/**
 * The dependency-audit policy (src/cli/audit/policy.ts) on npm 11's real `npm audit --json`
 * output, and the CLI end to end: real `npm audit` against a local stand-in for the registry's
 * advisory endpoint (answering advisories, or HTTP 405 as the registry here does).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import {
  entryMatches,
  evaluate,
  parseAllowlist,
  parseAuditOutput,
  type Advisory,
  type AllowlistEntry,
} from '../../../src/cli/audit/policy';

const ROOT = resolve(import.meta.dirname, '../../..');

/** Trimmed from what npm 11.19 printed for this project with three advisories served. */
const REPORT = {
  auditReportVersion: 2,
  vulnerabilities: {
    '@tensorflow/tfjs-core': {
      name: '@tensorflow/tfjs-core',
      severity: 'critical',
      isDirect: false,
      via: ['long', 'seedrandom'],
      effects: ['@tensorflow/tfjs'],
      range: '>=0.0.1',
      nodes: ['node_modules/@tensorflow/tfjs-core'],
      fixAvailable: false,
    },
    fflate: {
      name: 'fflate',
      severity: 'high',
      isDirect: true,
      via: [
        {
          source: 1100001,
          name: 'fflate',
          dependency: 'fflate',
          title: 'Test high',
          url: 'https://github.com/advisories/GHSA-aaaa-bbbb-cccc',
          severity: 'high',
          cwe: [],
          cvss: { score: 7.5 },
          range: '<=0.8.3',
        },
      ],
      effects: [],
      range: '',
      nodes: ['node_modules/fflate'],
      fixAvailable: false,
    },
    long: {
      name: 'long',
      severity: 'moderate',
      isDirect: false,
      via: [
        {
          source: 1100003,
          name: 'long',
          dependency: 'long',
          title: 'Test moderate',
          url: 'https://github.com/advisories/GHSA-gggg-hhhh-iiii',
          severity: 'moderate',
          cwe: [],
          cvss: { score: 5 },
          range: '<5.0.0',
        },
      ],
      effects: ['@tensorflow/tfjs-core'],
      range: '<5.0.0',
      nodes: ['node_modules/long'],
      fixAvailable: false,
    },
    seedrandom: {
      name: 'seedrandom',
      severity: 'critical',
      isDirect: false,
      via: [
        {
          source: 1100002,
          name: 'seedrandom',
          dependency: 'seedrandom',
          title: 'Test critical',
          url: 'https://github.com/advisories/GHSA-dddd-eeee-ffff',
          severity: 'critical',
          cwe: [],
          cvss: { score: 9.8 },
          range: '<4.0.0',
        },
      ],
      effects: ['@tensorflow/tfjs-core'],
      range: '<4.0.0',
      nodes: ['node_modules/seedrandom'],
      fixAvailable: false,
    },
  },
  metadata: { vulnerabilities: { moderate: 1, high: 1, critical: 2, total: 4 } },
};

/** npm 11.19's output when the registry answers the advisory endpoint with 405. */
const ENDPOINT_405 = {
  message:
    '405 Method Not Allowed - POST https://registry.npmjs.org/-/npm/v1/security/advisories/bulk',
  method: 'POST',
  uri: 'https://registry.npmjs.org/-/npm/v1/security/advisories/bulk',
  statusCode: 405,
  body: '',
  error: { summary: '', detail: '' },
};

function advisories(): Advisory[] {
  const out = parseAuditOutput(JSON.stringify(REPORT));
  if (out.kind !== 'report') throw new Error(`expected a report, got ${out.kind}`);
  return out.advisories;
}

describe('parseAuditOutput', () => {
  it('lists each advisory once, on the package it is about, skipping transitive mentions', () => {
    const list = advisories();
    expect(list.map((a) => [a.package, a.id, a.severity]).sort()).toEqual([
      ['fflate', 1100001, 'high'],
      ['long', 1100003, 'moderate'],
      ['seedrandom', 1100002, 'critical'],
    ]);
    expect(list.find((a) => a.package === 'seedrandom')).toMatchObject({
      url: 'https://github.com/advisories/GHSA-dddd-eeee-ffff',
      range: '<4.0.0',
      nodes: ['node_modules/seedrandom'],
    });
  });

  it('tells an unreachable advisory endpoint apart from a broken npm run', () => {
    expect(parseAuditOutput(JSON.stringify(ENDPOINT_405))).toEqual({
      kind: 'unavailable',
      reason: ENDPOINT_405.message,
    });
    const refused = {
      message:
        'request to http://127.0.0.1:9/-/npm/v1/security/advisories/bulk failed, reason: connect ECONNREFUSED 127.0.0.1:9',
      error: { summary: '', detail: '' },
    };
    expect(parseAuditOutput(JSON.stringify(refused)).kind).toBe('unavailable');
    const noLock = {
      error: {
        code: 'ENOLOCK',
        summary: 'This command requires an existing lockfile.',
        detail: '',
      },
    };
    expect(parseAuditOutput(JSON.stringify(noLock))).toEqual({
      kind: 'error',
      reason: 'ENOLOCK This command requires an existing lockfile.',
    });
    expect(parseAuditOutput('npm ERR! something').kind).toBe('error');
  });

  it('reads a clean report as no advisories', () => {
    expect(
      parseAuditOutput(JSON.stringify({ auditReportVersion: 2, vulnerabilities: {} })),
    ).toEqual({ kind: 'report', advisories: [] });
  });
});

describe('allowlist filtering', () => {
  const reason = 'fflate only unzips files the user picked, in the page; not reachable here.';

  it('fails on high and critical advisories, never on lower ones', () => {
    const v = evaluate(advisories(), [], 'high');
    expect(v.failing.map((a) => a.package).sort()).toEqual(['fflate', 'seedrandom']);
    expect(v.below.map((a) => a.package)).toEqual(['long']);
    expect(evaluate(advisories(), [], 'critical').failing.map((a) => a.package)).toEqual([
      'seedrandom',
    ]);
  });

  it('accepts an advisory listed by id, GHSA id or URL for the same package only', () => {
    const byId: AllowlistEntry = { id: 1100001, package: 'fflate', reason };
    const byGhsa: AllowlistEntry = { id: 'GHSA-aaaa-bbbb-cccc', package: 'fflate', reason };
    const byUrl: AllowlistEntry = {
      url: 'https://github.com/advisories/GHSA-aaaa-bbbb-cccc',
      package: 'fflate',
      reason,
    };
    const fflate = advisories().find((a) => a.package === 'fflate')!;
    for (const e of [byId, byGhsa, byUrl]) expect(entryMatches(e, fflate)).toBe(true);
    expect(entryMatches({ ...byId, package: 'seedrandom' }, fflate)).toBe(false);
    expect(entryMatches({ ...byId, id: 1100002 }, fflate)).toBe(false);
    expect(entryMatches({ ...byGhsa, id: 'GHSA-aaaa-bbbb' }, fflate)).toBe(false);

    const v = evaluate(advisories(), [byGhsa], 'high');
    expect(v.failing.map((a) => a.package)).toEqual(['seedrandom']);
    expect(v.allowed).toEqual([{ advisory: fflate, entry: byGhsa }]);
    expect(v.unused).toEqual([]);
  });

  it('stops honouring an expired entry and reports entries that match nothing', () => {
    const expired: AllowlistEntry = {
      id: 1100001,
      package: 'fflate',
      reason,
      expires: '2026-01-01',
    };
    const stale: AllowlistEntry = { id: 42, package: 'react', reason };
    const v = evaluate(advisories(), [expired, stale], 'high', new Date('2026-06-01'));
    expect(v.failing.map((a) => a.package).sort()).toEqual(['fflate', 'seedrandom']);
    expect(v.expired).toEqual([expired]);
    expect(v.unused).toEqual([stale]);
    const before = evaluate(advisories(), [expired], 'high', new Date('2025-12-31'));
    expect(before.failing.map((a) => a.package)).toEqual(['seedrandom']);
  });

  it('rejects allowlist entries without a package, a reason, or an id/url', () => {
    expect(parseAllowlist({ advisories: [] })).toEqual([]);
    expect(() => parseAllowlist({})).toThrow(/"advisories" array/);
    expect(() =>
      parseAllowlist({
        advisories: [
          { package: 'fflate', reason: 'ok' },
          { id: 1, reason },
        ],
      }),
    ).toThrow(
      /advisories\[0\]: "reason" must say why[\s\S]*advisories\[0\]: needs an "id" or a "url"[\s\S]*advisories\[1\]: "package" is missing/,
    );
  });

  it('the committed allowlist is valid', async () => {
    const { readFileSync } = await import('node:fs');
    const json = JSON.parse(readFileSync(join(ROOT, '.ci/audit-allowlist.json'), 'utf8'));
    expect(() => parseAllowlist(json)).not.toThrow();
  });
});

describe('npm run audit:deps against a stand-in advisory endpoint', () => {
  let server: Server;
  let registry = '';
  let answer: { status: number; body: unknown } = { status: 200, body: {} };
  const dir = mkdtempSync(join(tmpdir(), 'ocellus-audit-'));

  beforeAll(async () => {
    server = createServer((req, res) => {
      req.resume();
      req.on('end', () => {
        if (req.url?.includes('/-/npm/v1/security/advisories/bulk')) {
          res.statusCode = answer.status;
          res.setHeader('content-type', 'application/json');
          res.end(answer.status === 200 ? JSON.stringify(answer.body) : '');
        } else {
          res.statusCode = 404; // packuments: npm then reports no fix available
          res.end('{}');
        }
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const addr = server.address() as { port: number };
    registry = `http://127.0.0.1:${addr.port}/`;
  });
  afterAll(() => new Promise<void>((r) => server.close(() => r())));

  const run = (args: string[]) =>
    new Promise<{ code: number; out: string }>((res) => {
      execFile(
        join(ROOT, 'node_modules/.bin/tsx'),
        ['src/cli/audit.ts', ...args],
        { cwd: ROOT, env: { ...process.env, npm_config_registry: registry } },
        (err, stdout, stderr) =>
          res({ code: err ? Number(err.code ?? 1) : 0, out: `${stdout}${stderr}` }),
      );
    });

  const advisory = {
    fflate: [
      {
        id: 1100001,
        url: 'https://github.com/advisories/GHSA-aaaa-bbbb-cccc',
        title: 'Test high',
        severity: 'high',
        vulnerable_versions: '<=0.8.3',
        cwe: [],
        cvss: { score: 7.5 },
      },
    ],
  };

  it('fails on a high advisory in a runtime dependency and names it', async () => {
    answer = { status: 200, body: advisory };
    const r = await run([]);
    expect(r.code).toBe(1);
    expect(r.out).toMatch(/FAILED: 1 high-or-worse advisory/);
    expect(r.out).toMatch(/HIGH fflate <=0\.8\.3: Test high \[1100001\]/);
  });

  it('passes when that advisory is allowlisted, and prints the reason', async () => {
    answer = { status: 200, body: advisory };
    const file = join(dir, 'allow.json');
    const reason = 'Test: accepted for the duration of this test run.';
    writeFileSync(
      file,
      JSON.stringify({ advisories: [{ id: 1100001, package: 'fflate', reason }] }),
    );
    const r = await run(['--allowlist', file]);
    expect(r.code).toBe(0);
    expect(r.out).toContain(`reason: ${reason}`);
    expect(r.out).toMatch(/OK: no high-or-worse advisories .*1 allowlisted/);
  });

  it('says clearly when the endpoint answers 405, and fails on it only with --strict', async () => {
    answer = { status: 405, body: '' };
    const r = await run([]);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/NOT AUDITED: the registry's security advisory endpoint is unavailable/);
    expect(r.out).toMatch(/405/);
    expect((await run(['--strict'])).code).toBe(1);
  });
});
