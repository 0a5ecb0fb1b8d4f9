// Before each job kind had its own queue, kinds shared six queues (sync, orders, …). Jobs still
// waiting in them (a delayed mail, a retry) are moved once into their kind's queue when a worker
// starts, and the scheduler removes the schedulers left on them; nothing adds to them any more.
import { Queue } from 'bullmq';
import { log } from '../../infra/log.ts';
import { bullOptions, getQueue, quitConnection } from '../../infra/queue/connection.ts';
import { isQueueName, LEGACY_QUEUES } from '../../infra/queue/names.ts';
import type { Runtime } from '../../infra/runtime.ts';

async function withLegacyQueue<T>(rt: Runtime, name: string, fn: (q: Queue) => Promise<T>): Promise<T> {
  const opts = bullOptions(rt);
  const q = new Queue(name, opts);
  try {
    return await fn(q);
  } finally {
    await q.close();
    await quitConnection(opts.connection, `legacy queue ${name}`);
  }
}

/**
 * Moves the waiting and delayed jobs of the legacy queues; returns how many moved. The new job
 * keeps a custom id (mail keys stay idempotent) or gets one derived from the old queue and id,
 * so two workers starting at once add each job once.
 */
export async function moveLegacyJobs(rt: Runtime): Promise<number> {
  let moved = 0;
  for (const name of LEGACY_QUEUES) {
    moved += await withLegacyQueue(rt, name, async (q) => {
      let n = 0;
      for (const job of await q.getJobs(['wait', 'delayed', 'prioritized'])) {
        if (!job?.id) continue;
        if (!isQueueName(job.name)) {
          log.warn({ queue: name, job: job.name, id: job.id }, 'a legacy job of an unknown kind stays where it is');
          continue;
        }
        const delay = Math.max(0, job.timestamp + (job.opts.delay ?? 0) - Date.now());
        const jobId = /^\d+$/.test(job.id) ? `moved-${name}-${job.id}` : job.id;
        await getQueue(rt, job.name).add(job.name, job.data, {
          jobId,
          delay,
          ...(job.opts.attempts ? { attempts: job.opts.attempts } : {}),
          ...(job.opts.backoff ? { backoff: job.opts.backoff } : {}),
        });
        await job.remove().catch((err: Error) => log.debug({ queue: name, id: job.id, err: err.message }, 'legacy job already gone'));
        n++;
      }
      return n;
    });
  }
  if (moved) log.info({ moved }, 'moved jobs from the legacy shared queues to their kinds’ queues');
  return moved;
}

/** Removes the job schedulers left on the legacy queues (they would add jobs nobody takes). */
export async function removeLegacySchedulers(rt: Runtime): Promise<string[]> {
  const removed: string[] = [];
  for (const name of LEGACY_QUEUES) {
    await withLegacyQueue(rt, name, async (q) => {
      for (const s of await q.getJobSchedulers()) {
        const key = s.key;
        if (await q.removeJobScheduler(key)) removed.push(`${name}/${key}`);
      }
    });
  }
  if (removed.length) log.info({ removed }, 'removed schedulers of the legacy shared queues');
  return removed;
}
