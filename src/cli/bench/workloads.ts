/** Every bench workload, by name. Add new workloads here. */
import type { Workload } from './types';
import { modelWorkloads } from './models';
import { trainWorkloads } from './train';
import { liveLoopWorkload } from './liveLoop';
import { tagBatchWorkload } from './tagBatch';
import { detectFrameWorkload } from './detectFrame';
import { frameConvertWorkload } from './frameConvert';

export const WORKLOADS: Workload[] = [modelWorkloads, liveLoopWorkload];
WORKLOADS.push(...trainWorkloads);
WORKLOADS.push(tagBatchWorkload);
WORKLOADS.push(detectFrameWorkload);
WORKLOADS.push(frameConvertWorkload);
