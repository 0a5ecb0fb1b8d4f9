// sync-runs.sweep: fails the sync runs a stopped process left `running` (see sweepAbandonedRuns),
// so the console never shows a run "in progress" forever. The worker role also sweeps at start.
import { log } from '../src/infra/log.ts';
import { QUEUES } from '../src/infra/queue/names.ts';
import { sweepAbandonedRuns } from '../src/sync/runs.ts';
import type { JobDefinition } from './types.ts';

export const syncRunsSweep: JobDefinition<Record<string, never>> = {
  name: QUEUES.syncRunsSweep,
  concurrency: 1,
  async process(rt) {
    const failed = await sweepAbandonedRuns(rt.db);
    if (failed.length) log.warn({ runs: failed }, 'sync runs abandoned by a stopped process marked failed');
    return { failed: failed.length };
  },
  async schedules() {
    return [{ id: QUEUES.syncRunsSweep, everyMs: 60_000, data: {}, opts: { attempts: 1 } }];
  },
};
