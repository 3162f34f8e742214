/**
 * `npm run eval -- <task> ...`: accuracy evaluations in headless Chromium on real data.
 *   classify --model <id> --data <dir> [--backend …] [--crop center|none] [--json out.json]
 *   detect   --model <id> --data <dir> [--backend …] [--json out.json] [--dets dets.json]
 *   dets-diff --a <dets.json> --b <dets.json> [--min-score 0.3]
 *   transfer --base <id> --data <class-folders> --train-per-class N [--finetune] [--backend …]
 */
import { parseFlags } from './common';
import { TASKS } from './eval/tasks';

async function main(): Promise<void> {
  const { _, flags } = parseFlags(process.argv.slice(2));
  const task = TASKS[_[0] ?? ''];
  if (!task) {
    console.error(`usage: npm run eval -- <${Object.keys(TASKS).join('|')}> [flags]`);
    process.exit(2);
  }
  await task(flags);
}

main().catch((e: unknown) => {
  console.error(`eval failed: ${(e as Error).stack ?? e}`);
  process.exit(1);
});
