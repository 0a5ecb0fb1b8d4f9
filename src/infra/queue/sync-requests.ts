// Asking for a sync without knowing how it is done: the CLI and the store (for the console and
// webhooks, src/store/console/sync-requests.ts) enqueue through here; the jobs in jobs/ do the
// work. Also the Redis keys both sides agree on.
import type { Runtime } from '../runtime.ts';
import { getQueue } from './connection.ts';
import { QUEUES } from './names.ts';

export const JOB_SYNC_FULL = QUEUES.syncFull;
export const JOB_SYNC_CHANGES = QUEUES.syncChanges;
export const JOB_ORDERS_EXPORT = QUEUES.ordersExport;
export const JOB_ORDERS_STATUS = QUEUES.ordersStatus;

export interface SourceJobData {
  source: string;
}

/** Set when changes were announced; the running sync.changes reads the feed again. */
export const changesPendingKey = (prefix: string, source: string) => `${prefix}:sync:changes-pending:${source}`;
/** Exists while a sync.changes job for the source waits in the queue (deduplication). */
export const changesQueuedKey = (prefix: string, source: string) => `${prefix}:sync:changes-queued:${source}`;

/**
 * Enqueues sync.changes for a source at once. While one is already waiting, nothing is added
 * (it will read the feed anyway); while one is running, it is told to read again.
 * Returns true when a job was added.
 */
export async function requestChanges(rt: Runtime, source: string): Promise<boolean> {
  await rt.redis.set(changesPendingKey(rt.prefix, source), '1', 'EX', 300);
  const fresh = await rt.redis.set(changesQueuedKey(rt.prefix, source), '1', 'EX', 60, 'NX');
  if (!fresh) return false;
  try {
    await getQueue(rt, JOB_SYNC_CHANGES).add(JOB_SYNC_CHANGES, { source } satisfies SourceJobData, { attempts: 3 });
    return true;
  } catch (err) {
    await rt.redis.del(changesQueuedKey(rt.prefix, source));
    throw err;
  }
}

export async function requestFullSync(rt: Runtime, source: string): Promise<string | undefined> {
  const job = await getQueue(rt, JOB_SYNC_FULL).add(JOB_SYNC_FULL, { source } satisfies SourceJobData, { deduplication: { id: `full:${source}` } });
  return job.id;
}

/** Asks for the outbox to be delivered now (the storefront calls this after placing an order). */
export async function requestOrdersExport(rt: Runtime): Promise<void> {
  await getQueue(rt, JOB_ORDERS_EXPORT).add(JOB_ORDERS_EXPORT, {}, { deduplication: { id: 'orders.export' } });
}

/** Asks for a work.reconcile pass now (the scheduler, after Redis came back possibly empty). */
export async function requestWorkReconcile(rt: Runtime): Promise<void> {
  await getQueue(rt, QUEUES.workReconcile).add(QUEUES.workReconcile, {}, { deduplication: { id: QUEUES.workReconcile }, attempts: 1 });
}
