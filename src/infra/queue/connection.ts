import { type JobsOptions, Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import { log } from '../log.ts';
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

/** BullMQ options for this runtime: a connection of its own (the caller closes it) and the prefix. */
export function bullOptions(rt: Runtime): { connection: Redis; prefix: string } {
  const connection = createRedis(rt.redisUrl, { forBullmq: true });
  // Else ioredis prints "Unhandled error event" for every failed reconnect while Redis is down.
  connection.on('error', (err: Error) => log.debug({ err: err.message }, 'bullmq connection error'));
  return { connection, prefix: `${rt.prefix}:bull` };
}

/** Closes a connection BullMQ was given (its close() leaves those open); a failure is logged. */
export async function quitConnection(connection: Redis, owner: string): Promise<void> {
  try {
    await connection.quit();
  } catch (err) {
    log.warn({ owner, err: (err as Error).message }, 'redis connection did not close cleanly');
  }
}

/** Per runtime, each queue with the connection it was given (closed with it). */
const queues = new WeakMap<Runtime, Map<string, { queue: Queue; connection: Redis }>>();

/** One Queue object per name per runtime; closed on shutdown. */
export function getQueue(rt: Runtime, name: QueueName): Queue {
  return queueEntry(rt, name).queue;
}

/** The Redis connection the queue of this name was given (to ask whether Redis answers it). */
export function queueConnection(rt: Runtime, name: QueueName): Redis {
  return queueEntry(rt, name).connection;
}

function queueEntry(rt: Runtime, name: QueueName): { queue: Queue; connection: Redis } {
  let byName = queues.get(rt);
  if (!byName) {
    const created = new Map<string, { queue: Queue; connection: Redis }>();
    queues.set(rt, created);
    byName = created;
    rt.onShutdown('queues', async () => {
      for (const [queueName, { queue, connection }] of created) {
        await queue.close();
        await quitConnection(connection, `queue ${queueName}`);
      }
    });
  }
  let entry = byName.get(name);
  if (!entry) {
    const opts = bullOptions(rt);
    const queue = new Queue(name, { ...opts, defaultJobOptions: DEFAULT_JOB_OPTIONS });
    // Without a listener BullMQ prints every failed reconnect to stderr; Redis down is told by
    // /readyz and by the hand-overs' warnings (src/infra/queue/handover.ts).
    queue.on('error', (err: Error) => log.debug({ queue: name, err: err.message }, 'queue connection error'));
    entry = { queue, connection: opts.connection };
    byName.set(name, entry);
  }
  return entry;
}
