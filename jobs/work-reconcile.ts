// work.reconcile: finds work the database holds but no BullMQ job will do any more — lost with a
// Redis restarted empty (no persistence, a failover, an eviction) — and enqueues it again:
// - outbox rows pending past their next attempt while their delivery job (orders.export,
//   reservations.export) has neither a scheduler nor a job waiting, delayed or running: one run
//   of that job (the delivery loop is exactly-once, so an extra run costs nothing);
// - CommerceML imports `queued` or `running` whose job no longer exists: the same job again,
//   under its id (a few times at most); whose job ended without deciding the row (e.g. failed as
//   stalled past BullMQ's limit): failed with that reason (connectors/commerceml/import/watch.ts);
// - CommerceML sessions waiting for their quiet period whose delayed `commerceml.quiet` check is
//   gone: the check again, due when the period ends (connectors/commerceml/import/quiet.ts).
// - e-mails of the mail outbox not sent yet (Redis down when they were committed, or their
//   mail.send job lost): handed to the queue again under their key (src/mail/outbox.ts).
// Reservation timers (delayed `reservations.expire`) need nothing here: reservations.sweep
// expires what is due every 15 s whatever Redis kept.
// The scheduler role also asks for a pass at once after a Redis reconnect.
import type { Queue } from 'bullmq';
import { DEFAULT_UPLOAD_PREFIX, recreateQuietChecks, watchImport } from '../connectors/commerceml/index.ts';
import { log } from '../src/infra/log.ts';
import { flushMails } from '../src/mail/index.ts';
import { getQueue } from '../src/infra/queue/connection.ts';
import { QUEUES, type QueueName } from '../src/infra/queue/names.ts';
import type { Runtime } from '../src/infra/runtime.ts';
import { ORDER_CREATE, RESERVATION_KINDS } from '../src/mirror/outbound.ts';
import type { JobDefinition } from './types.ts';

/** A row this long past due (or an import this old) is not just waiting for the next 5-second run. */
export const OUTBOX_GRACE_S = 30;
export const IMPORT_GRACE_S = 60;

const DELIVERIES: { queue: QueueName; kinds: readonly string[] }[] = [
  { queue: QUEUES.ordersExport, kinds: [ORDER_CREATE] },
  { queue: QUEUES.reservationsExport, kinds: RESERVATION_KINDS },
];

export interface WorkReconciled {
  /** Delivery jobs enqueued because overdue rows had no job. */
  deliveries: string[];
  /** Import job ids enqueued again (their job was gone). */
  imports: string[];
  /** Import job ids whose job ended without deciding the import: the import is failed with the reason. */
  failedImports: string[];
  /** Sessions whose quiet-period check was queued again (its delayed job was gone). */
  quietChecks: number[];
  /** Unsent mail outbox rows handed to mail.send again (a no-op for those whose job still exists). */
  mails: number;
}

/** True when the queue will run a job of its kind by itself: a scheduler, or a job not yet finished. */
async function hasLiveWork(queue: Queue): Promise<boolean> {
  if ((await queue.getJobSchedulersCount()) > 0) return true;
  const counts = await queue.getJobCounts('waiting', 'active', 'delayed', 'prioritized', 'waiting-children');
  return Object.values(counts).some((n) => n > 0);
}

export async function reconcileWork(rt: Runtime, opts: { outboxGraceS?: number; importGraceS?: number; mailGraceS?: number } = {}): Promise<WorkReconciled> {
  const done: WorkReconciled = { deliveries: [], imports: [], failedImports: [], quietChecks: [], mails: 0 };
  for (const d of DELIVERIES) {
    const overdue = await rt.db('outbox as o')
      .join('sources as s', 's.id', 'o.source_id')
      .where({ 'o.state': 'pending', 's.kind': 'soap' })
      .whereIn('o.kind', [...d.kinds])
      .andWhere('o.next_attempt_at', '<', rt.db.raw('now() - make_interval(secs => ?)', [opts.outboxGraceS ?? OUTBOX_GRACE_S]))
      .first('o.id');
    if (!overdue) continue;
    const queue = getQueue(rt, d.queue);
    if (await hasLiveWork(queue)) continue;
    await queue.add(d.queue, {}, { deduplication: { id: d.queue }, attempts: 1 });
    done.deliveries.push(d.queue);
  }

  const imports: { session_id: number; filename: string; token: string; requeues: number }[] = await rt
    .db('commerceml_imports as i')
    .join('commerceml_sessions as s', 's.id', 'i.session_id')
    .whereIn('i.state', ['queued', 'running'])
    .andWhere('i.created_at', '<', rt.db.raw('now() - make_interval(secs => ?)', [opts.importGraceS ?? IMPORT_GRACE_S]))
    .select('i.session_id', 'i.filename', 's.token', 'i.requeues');
  for (const row of imports) {
    // A lost job's data went with it; uploads live under the endpoint's default prefix.
    const w = await watchImport(rt, row, DEFAULT_UPLOAD_PREFIX);
    if (w.outcome === 'requeued') done.imports.push(w.jobId);
    if (w.outcome === 'failed') done.failedImports.push(w.jobId);
  }
  done.quietChecks = await recreateQuietChecks(rt);
  done.mails = await flushMails(rt, undefined, { graceS: opts.mailGraceS });
  if (done.deliveries.length || done.imports.length || done.quietChecks.length) log.warn(done, 'work without a job found and enqueued again');
  if (done.mails) log.info({ mails: done.mails }, 'unsent outbox e-mails handed to mail.send again');
  if (done.failedImports.length) log.warn({ imports: done.failedImports }, 'CommerceML imports whose job ended without a result marked failed');
  return done;
}

export const workReconcile: JobDefinition<Record<string, never>> = {
  name: QUEUES.workReconcile,
  concurrency: 1,
  process: (rt) => reconcileWork(rt),
  async schedules() {
    return [{ id: QUEUES.workReconcile, everyMs: 60_000, data: {}, opts: { attempts: 1 } }];
  },
};
