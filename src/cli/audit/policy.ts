/**
 * The dependency-audit policy, as pure functions: read `npm audit --json` output, and decide which
 * advisories fail the build given a severity threshold and the allowlist (.ci/audit-allowlist.json).
 */

export type Severity = 'info' | 'low' | 'moderate' | 'high' | 'critical';
const ORDER: Severity[] = ['info', 'low', 'moderate', 'high', 'critical'];

export const atLeast = (s: Severity, level: Severity) => ORDER.indexOf(s) >= ORDER.indexOf(level);

export interface Advisory {
  /** npm's advisory id (`source` in the report). */
  id: number | string;
  url: string;
  /** The package the advisory is about. */
  package: string;
  severity: Severity;
  title: string;
  /** Vulnerable versions. */
  range: string;
  /** Where it is installed (node_modules paths). */
  nodes: string[];
}

export interface AllowlistEntry {
  /** npm advisory id, or the GHSA id (GHSA-xxxx-xxxx-xxxx). At least one of id and url. */
  id?: number | string;
  url?: string;
  package: string;
  /** Why the advisory does not apply to Ocellus, or why it is accepted for now. */
  reason: string;
  /** ISO date after which the entry no longer counts (it must be reviewed again). */
  expires?: string;
}

export type AuditOutput =
  | { kind: 'report'; advisories: Advisory[] }
  /** The registry's audit endpoint could not be used (HTTP error, no network). */
  | { kind: 'unavailable'; reason: string }
  /** npm failed for another reason (no lockfile, bad output): a real failure. */
  | { kind: 'error'; reason: string };

interface ReportVia {
  source: number | string;
  name: string;
  title?: string;
  url?: string;
  severity?: Severity;
  range?: string;
}

interface ReportVuln {
  name: string;
  severity: Severity;
  via: (ReportVia | string)[];
  nodes?: string[];
}

/** Parses `npm audit --json` stdout (audit report v2, or npm's error object). */
export function parseAuditOutput(stdout: string): AuditOutput {
  let json: unknown;
  try {
    json = JSON.parse(stdout);
  } catch {
    return { kind: 'error', reason: `npm audit printed no JSON: ${stdout.trim().slice(0, 300)}` };
  }
  const obj = (json ?? {}) as Record<string, unknown>;
  if (obj.vulnerabilities && typeof obj.vulnerabilities === 'object') {
    const seen = new Map<string, Advisory>();
    for (const v of Object.values(obj.vulnerabilities as Record<string, ReportVuln>)) {
      for (const via of v.via) {
        if (typeof via === 'string') continue; // a dependency that pulls in a listed advisory
        const key = `${via.name}#${via.source}`;
        const prev = seen.get(key);
        const nodes = via.name === v.name ? (v.nodes ?? []) : [];
        if (prev) {
          prev.nodes = [...new Set([...prev.nodes, ...nodes])];
          continue;
        }
        seen.set(key, {
          id: via.source,
          url: via.url ?? '',
          package: via.name,
          severity: via.severity ?? v.severity,
          title: via.title ?? '',
          range: via.range ?? '',
          nodes,
        });
      }
    }
    return { kind: 'report', advisories: [...seen.values()] };
  }
  const message = String(obj.message ?? '');
  const err = (obj.error ?? {}) as Record<string, unknown>;
  const summary = [message, err.code, err.summary, err.detail].filter(Boolean).join(' ').trim();
  // npm's own wording when the advisory endpoint fails: HTTP status, or the request broke off.
  if (/\/-\/npm\/v1\/security\//.test(message) || typeof obj.statusCode === 'number') {
    return { kind: 'unavailable', reason: summary || `HTTP ${String(obj.statusCode)}` };
  }
  return {
    kind: 'error',
    reason: summary || `unexpected npm audit output: ${stdout.slice(0, 300)}`,
  };
}

/** Checks the allowlist file's shape; returns its entries or throws with every problem listed. */
export function parseAllowlist(json: unknown): AllowlistEntry[] {
  const list = (json as { advisories?: unknown })?.advisories;
  if (!Array.isArray(list)) throw new Error('the allowlist needs an "advisories" array');
  const problems: string[] = [];
  list.forEach((e: Partial<AllowlistEntry>, i) => {
    const at = `advisories[${i}]`;
    if (typeof e?.package !== 'string' || !e.package) problems.push(`${at}: "package" is missing`);
    if (typeof e?.reason !== 'string' || e.reason.trim().length < 10)
      problems.push(`${at}: "reason" must say why the advisory is accepted`);
    if (e?.id === undefined && !e?.url) problems.push(`${at}: needs an "id" or a "url"`);
    if (e?.expires !== undefined && Number.isNaN(Date.parse(e.expires)))
      problems.push(`${at}: "expires" is not a date`);
  });
  if (problems.length) throw new Error(`invalid allowlist:\n  ${problems.join('\n  ')}`);
  return list as AllowlistEntry[];
}

/** Whether an allowlist entry names this advisory (same package, and same id, GHSA id or URL). */
export function entryMatches(e: AllowlistEntry, a: Advisory): boolean {
  if (e.package !== a.package) return false;
  if (e.url && e.url === a.url) return true;
  if (e.id === undefined) return false;
  const id = String(e.id);
  return id === String(a.id) || (id.startsWith('GHSA-') && a.url.endsWith(`/${id}`));
}

export interface Verdict {
  /** At or above the threshold and not allowlisted: these fail the build. */
  failing: Advisory[];
  allowed: { advisory: Advisory; entry: AllowlistEntry }[];
  /** Below the threshold: reported, never failing. */
  below: Advisory[];
  /** Entries past their expiry date (they no longer allow anything). */
  expired: AllowlistEntry[];
  /** Entries that match no current advisory (candidates for removal). */
  unused: AllowlistEntry[];
}

export function evaluate(
  advisories: Advisory[],
  allowlist: AllowlistEntry[],
  level: Severity = 'high',
  now: Date = new Date(),
): Verdict {
  const expired = allowlist.filter((e) => e.expires && Date.parse(e.expires) < now.getTime());
  const live = allowlist.filter((e) => !expired.includes(e));
  const used = new Set<AllowlistEntry>();
  const v: Verdict = { failing: [], allowed: [], below: [], expired, unused: [] };
  for (const a of advisories) {
    if (!atLeast(a.severity, level)) {
      v.below.push(a);
      continue;
    }
    const entry = live.find((e) => entryMatches(e, a));
    if (entry) {
      used.add(entry);
      v.allowed.push({ advisory: a, entry });
    } else v.failing.push(a);
  }
  v.unused = live.filter((e) => !used.has(e));
  return v;
}

export function describeAdvisory(a: Advisory): string {
  const where = a.nodes.length ? ` (${a.nodes.join(', ')})` : '';
  return `${a.severity.toUpperCase()} ${a.package} ${a.range}: ${a.title} [${a.id}] ${a.url}${where}`;
}
