/**
 * `npm run bench`: runs named workloads in headless Chromium on each backend and prints a
 * Markdown table (median, min, max of N runs after warm-up; comparison rows with the reference's
 * median and the ratio, how many times better ours is).
 *
 *   --workload <name,...>  (default: all)     --backend <webgpu,wasm,webgl,cpu>
 *   --model <id,...>       --runs N (default 10)  --warmup N (default 2)
 *   --json <file>          also write the rows as JSON
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { appSession, list, parseFlags, str } from './common';
import { WORKLOADS } from './bench/workloads';
import type { BenchRow } from './bench/types';
import { isBackendName, type BackendName } from '../engine/backendNames';

const fmt = (v: number | undefined) =>
  v === undefined || !Number.isFinite(v)
    ? ''
    : Math.abs(v) >= 100
      ? v.toFixed(0)
      : Math.abs(v) >= 10
        ? v.toFixed(1)
        : v.toFixed(2);

export function markdownTable(rows: BenchRow[]): string {
  const head =
    '| workload | backend | model | metric | unit | median | min | max | n | reference | ref. median | ratio |';
  const sep = '|---|---|---|---|---|---:|---:|---:|---:|---|---:|---:|';
  const body = rows.map(
    (r) =>
      `| ${r.workload} | ${r.backend} | ${r.model} | ${r.metric} | ${r.unit} | ${fmt(r.median)} | ${fmt(r.min)} | ${fmt(r.max)} | ${r.n} | ${r.reference ?? ''} | ${fmt(r.referenceMedian)} | ${r.ratio !== undefined ? `${r.ratio.toFixed(2)}x` : ''} |`,
  );
  const extras = rows
    .filter((r) => r.extra)
    .map(
      (r) =>
        `- ${r.workload}/${r.backend}/${r.model}: ${Object.entries(r.extra!)
          .map(([k, v]) => `${k}=${typeof v === 'number' ? fmt(v) : v}`)
          .join(', ')}`,
    );
  return [head, sep, ...body, ...(extras.length ? ['', ...extras] : [])].join('\n');
}

async function main(): Promise<void> {
  const { flags } = parseFlags(process.argv.slice(2));
  if (flags.help) {
    console.log(
      `workloads:\n${WORKLOADS.map((w) => `  ${w.name.padEnd(16)} ${w.description}`).join('\n')}`,
    );
    return;
  }
  const names = list(flags, 'workload');
  const backends = list(flags, 'backend');
  for (const b of backends) if (!isBackendName(b)) throw new Error(`unknown backend ${b}`);
  const workloads = names.length ? WORKLOADS.filter((w) => names.includes(w.name)) : WORKLOADS;
  if (names.length && workloads.length !== names.length) {
    throw new Error(`unknown workload; known: ${WORKLOADS.map((w) => w.name).join(', ')}`);
  }
  const runs = Number(str(flags, 'runs', '10'));
  const warmup = Number(str(flags, 'warmup', '2'));
  const app = await appSession();
  const rows: BenchRow[] = [];
  const failures: string[] = [];
  const json = str(flags, 'json');
  // Rows are written after every workload, so a later crash keeps what was measured.
  const save = () => {
    if (!json) return;
    mkdirSync(dirname(json), { recursive: true });
    writeFileSync(json, JSON.stringify(rows, null, 2) + '\n');
  };
  try {
    for (const w of workloads) {
      for (const backend of (backends.length ? backends : w.backends) as BackendName[]) {
        const t0 = Date.now();
        try {
          rows.push(
            ...(await w.run({
              app,
              backend,
              models: list(flags, 'model'),
              runs,
              warmup,
              log: (m) => console.error(`[bench] ${m}`),
            })),
          );
        } catch (e) {
          const msg = `${w.name} on ${backend}: ${(e as Error).message.split('\n')[0]}`;
          failures.push(msg);
          console.error(`[bench] FAILED ${msg}`);
        }
        save();
        console.error(
          `[bench] ${w.name} on ${backend}: ${((Date.now() - t0) / 1000).toFixed(0)} s`,
        );
      }
    }
  } finally {
    await app.close();
  }
  console.log(markdownTable(rows));
  if (json) console.error(`[bench] wrote ${rows.length} rows to ${json}`);
  if (failures.length) {
    console.error(`[bench] ${failures.length} workload run(s) failed:\n  ${failures.join('\n  ')}`);
    process.exitCode = 1;
  }
}

main().catch((e: unknown) => {
  console.error(`bench failed: ${(e as Error).stack ?? e}`);
  process.exit(1);
});
