/** Eval tasks by name; each module adds itself here. */
import type { Flags } from '../common';

export type EvalTask = (flags: Flags) => Promise<void>;

export const TASKS: Record<string, EvalTask> = {};
