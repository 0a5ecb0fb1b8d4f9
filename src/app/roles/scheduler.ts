// The scheduler role only enqueues: BullMQ job schedulers (idempotent upserts, so several
// scheduler processes do not double the work).
import { JOBS } from '../../../jobs/registry.ts';
import { log } from '../../infra/log.ts';
import { getQueue } from '../../infra/queue/connection.ts';
import type { Runtime } from '../../infra/runtime.ts';

export async function startScheduler(rt: Runtime): Promise<string[]> {
  const ids: string[] = [];
  for (const def of JOBS) {
    if (!def.schedules) continue;
    const queue = getQueue(rt, def.queue);
    for (const s of await def.schedules(rt)) {
      await queue.upsertJobScheduler(
        s.id,
        s.pattern ? { pattern: s.pattern } : { every: s.everyMs ?? 60_000 },
        { name: def.name, data: s.data as never, ...(s.opts ? { opts: s.opts } : {}) },
      );
      ids.push(s.id);
    }
  }
  log.info({ schedules: ids }, 'scheduler started');
  return ids;
}
