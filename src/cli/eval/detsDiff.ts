/**
 * `npm run eval -- dets-diff --a <a.json> --b <b.json> [--min-score 0.3]`: how closely two `--dets`
 * files agree box by box (src/eval/detsDiff.ts), e.g. one detector on wasm and on webgpu.
 */
import { readFile } from 'node:fs/promises';
import { compareDetections, type DetRecord } from '../../eval/detsDiff';
import { str, type Flags } from '../common';

export async function detsDiff(flags: Flags): Promise<void> {
  const fileA = str(flags, 'a');
  const fileB = str(flags, 'b');
  if (!fileA || !fileB)
    throw new Error('usage: npm run eval -- dets-diff --a <a.json> --b <b.json>');
  const read = async (f: string) => JSON.parse(await readFile(f, 'utf8')) as DetRecord[];
  const minScore = Number(str(flags, 'min-score', '0.3'));
  const r = compareDetections(await read(fileA), await read(fileB), { minScore });
  console.log(`above ${minScore}: ${r.countA} in ${fileA}, ${r.countB} in ${fileB}`);
  for (const w of r.within) console.log(`within ${w.px} px: ${w.count} of ${r.countA}`);
  for (const d of r.worst) {
    console.log(
      `farthest: image ${d.image} class ${d.class} score ${d.score}: ${d.px.toFixed(2)} px`,
    );
  }
}
