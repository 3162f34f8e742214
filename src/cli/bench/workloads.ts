/** Every bench workload, by name. Add new workloads here. */
import type { Workload } from './types';
import { modelWorkloads } from './models';

export const WORKLOADS: Workload[] = [modelWorkloads];
