import { type JobsOptions, Queue, type QueueOptions } from 'bullmq';
import type { Runtime } from '../runtime.ts';
import { createRedis } from '../redis/redis.ts';
import type { QueueName } from './names.ts';

/** Defaults for every job: retry with exponential backoff, keep the queue small. */
export const DEFAULT_JOB_OPTIONS: JobsOptions = {
  attempts: 8,
  backoff: { type: 'exponential', delay: 1000, jitter: 0.3 },
  removeOnComplete: { age: 3600, count: 1000 },
  removeOnFail: { age: 7 * 24 * 3600 },
};

/** BullMQ connection options and prefix for this runtime. */
export function bullOptions(rt: Runtime): Pick<QueueOptions, 'connection' | 'prefix'> {
  return { connection: createRedis(rt.redisUrl, { forBullmq: true }), prefix: `${rt.prefix}:bull` };
}

const queues = new WeakMap<Runtime, Map<string, Queue>>();

/** One Queue object per name per runtime; closed on shutdown. */
export function getQueue(rt: Runtime, name: QueueName): Queue {
  let byName = queues.get(rt);
  if (!byName) {
    const created = new Map<string, Queue>();
    queues.set(rt, created);
    byName = created;
    rt.onShutdown('queues', async () => {
      for (const q of created.values()) {
        await q.close();
        await (q.opts.connection as unknown as { quit(): Promise<unknown> }).quit().catch(() => {});
      }
    });
  }
  let q = byName.get(name);
  if (!q) {
    q = new Queue(name, { ...bullOptions(rt), defaultJobOptions: DEFAULT_JOB_OPTIONS });
    byName.set(name, q);
  }
  return q;
}
