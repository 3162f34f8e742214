/** Eval tasks by name; each module adds itself here. */
import type { Flags } from '../common';
import { transfer } from './transfer';
import { classify } from './classify';
import { detect } from './detect';
import { detsDiff } from './detsDiff';

export type EvalTask = (flags: Flags) => Promise<void>;

export const TASKS: Record<string, EvalTask> = {};
TASKS.transfer = transfer;
TASKS.classify = classify;
TASKS.detect = detect;
TASKS['dets-diff'] = detsDiff;
