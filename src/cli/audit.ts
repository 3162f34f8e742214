/**
 * `npm run audit:deps`: the dependency audit CI runs before the tests. It runs
 * `npm audit --omit=dev --json` (what ships to users: runtime dependencies only) and fails on any
 * advisory at or above --level (default high) that .ci/audit-allowlist.json does not accept.
 *
 *   --level <severity>   low | moderate | high | critical (default high)
 *   --allowlist <file>   default .ci/audit-allowlist.json
 *   --strict             also fail when the registry's audit endpoint cannot be reached
 *                        (also OCELLUS_AUDIT_STRICT=1)
 *
 * Exit codes: 0 clean (or audit endpoint unavailable without --strict), 1 advisories to fix,
 * 2 the audit itself is broken (invalid allowlist, npm error).
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseFlags, str } from './common';
import {
  describeAdvisory,
  evaluate,
  parseAllowlist,
  parseAuditOutput,
  type Severity,
} from './audit/policy';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const LEVELS: Severity[] = ['low', 'moderate', 'high', 'critical'];

function main(): number {
  const { flags } = parseFlags(process.argv.slice(2));
  const level = (str(flags, 'level') ?? 'high') as Severity;
  if (!LEVELS.includes(level)) {
    console.error(`[audit] --level must be one of ${LEVELS.join(', ')}`);
    return 2;
  }
  const strict = flags.strict === true || process.env.OCELLUS_AUDIT_STRICT === '1';
  const allowFile = resolve(root, str(flags, 'allowlist') ?? '.ci/audit-allowlist.json');
  let allowlist;
  try {
    allowlist = parseAllowlist(JSON.parse(readFileSync(allowFile, 'utf8')));
  } catch (e) {
    console.error(`[audit] ${allowFile}: ${(e as Error).message}`);
    return 2;
  }

  const run = spawnSync('npm', ['audit', '--omit=dev', '--json'], {
    cwd: root,
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
  });
  if (run.error) {
    console.error(`[audit] could not run npm audit: ${run.error.message}`);
    return 2;
  }
  const out = parseAuditOutput(run.stdout);
  if (out.kind === 'error') {
    console.error(`[audit] npm audit failed: ${out.reason}`);
    return 2;
  }
  if (out.kind === 'unavailable') {
    console.warn(
      `[audit] NOT AUDITED: the registry's security advisory endpoint is unavailable (${out.reason}).`,
    );
    if (strict) {
      console.error('[audit] --strict: failing because the audit could not run.');
      return 1;
    }
    console.warn('[audit] Not failing for that alone (run with --strict to make it fatal).');
    return 0;
  }

  const v = evaluate(out.advisories, allowlist, level);
  for (const { advisory, entry } of v.allowed)
    console.log(`[audit] allowed: ${describeAdvisory(advisory)}\n        reason: ${entry.reason}`);
  for (const a of v.below) console.log(`[audit] below ${level}: ${describeAdvisory(a)}`);
  for (const e of v.expired)
    console.warn(
      `[audit] allowlist entry for ${e.package} ${e.id ?? e.url} expired on ${e.expires}`,
    );
  for (const e of v.unused)
    console.warn(`[audit] allowlist entry for ${e.package} ${e.id ?? e.url} matches no advisory`);
  if (v.failing.length) {
    console.error(
      `[audit] FAILED: ${v.failing.length} ${level}-or-worse advisor${v.failing.length === 1 ? 'y' : 'ies'} in runtime dependencies:`,
    );
    for (const a of v.failing) console.error(`  ${describeAdvisory(a)}`);
    console.error(
      `[audit] Upgrade the package, or add an entry with a reason to ${allowFile.replace(`${root}/`, '')}.`,
    );
    return 1;
  }
  console.log(
    `[audit] OK: no ${level}-or-worse advisories in runtime dependencies (${out.advisories.length} advisor${out.advisories.length === 1 ? 'y' : 'ies'} in all, ${v.allowed.length} allowlisted).`,
  );
  return 0;
}

process.exitCode = main();
