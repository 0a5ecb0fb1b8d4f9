// A job and its exchange never lose each other. An import the database calls `queued` or
// `running` is decided here when its BullMQ job will never decide it:
// - the job ended (failed — e.g. stalled past BullMQ's limit after its worker was killed twice —
//   or completed) without recording a result: the import fails with that reason;
// - the job is gone (a Redis restarted empty): enqueued again under the same id, at most
//   MAX_REQUEUES times, then the import fails saying so — unless a worker is still running the
//   file (its heartbeat in PostgreSQL is fresh): that run decides it, and queueing the file again
//   would apply it twice.
// The exchange endpoint asks at 1C's `import` polls, work.reconcile every minute; 1C gets
// `failure` with the reason instead of `progress` forever.
import { getQueue } from '../../../src/infra/queue/connection.ts';
import type { Runtime } from '../../../src/infra/runtime.ts';
import { COMMERCEML_IMPORT_JOB, HEARTBEAT_STALE_MS, importJob } from './run-import.ts';

export const MAX_REQUEUES = 3;

export interface WatchedImport {
  session_id: number | string;
  filename: string;
  /** The session's token (job ids are made from it). */
  token: string;
  requeues: number;
}

export type ImportWatch = { outcome: 'alive' } | { outcome: 'requeued'; jobId: string } | { outcome: 'failed'; jobId: string; message: string };

export async function watchImport(rt: Runtime, imp: WatchedImport, uploadPrefix: string): Promise<ImportWatch> {
  const sessionId = Number(imp.session_id);
  const job = importJob({ id: sessionId, token: imp.token }, imp.filename, uploadPrefix);
  const jobId = job.opts.jobId!;
  const queue = getQueue(rt, COMMERCEML_IMPORT_JOB);
  // Only an undecided row is changed: the job may decide it between our read and this write.
  const undecided = () => rt.db('commerceml_imports').where({ session_id: sessionId, filename: imp.filename }).whereIn('state', ['queued', 'running']);
  const fail = async (why: string): Promise<ImportWatch> => {
    const message = `${imp.filename}: ${why}; repeat the exchange`;
    const n = await undecided().update({ state: 'failed', progress: 'failed', message, finished_at: rt.db.fn.now() });
    return n ? { outcome: 'failed', jobId, message } : { outcome: 'alive' };
  };

  const existing = await queue.getJob(jobId);
  if (existing) {
    const state = await existing.getState();
    if (state === 'failed') return fail(`the import job failed without recording a result (${existing.failedReason || 'no reason given'})`);
    if (state === 'completed') return fail('the import job ended without recording a result');
    return { outcome: 'alive' };
  }
  // The job is gone from Redis; is a worker still on the file?
  const { rows } = await rt.db.raw(
    `SELECT 1 FROM commerceml_imports WHERE session_id = ? AND filename = ? AND state = 'running' AND heartbeat_at > now() - make_interval(secs => ?)`,
    [sessionId, imp.filename, HEARTBEAT_STALE_MS / 1000],
  );
  if (rows.length) return { outcome: 'alive' };
  if (imp.requeues >= MAX_REQUEUES) {
    return fail(`the import job was lost ${imp.requeues + 1} times (Redis restarted empty or evicted its keys: it needs maxmemory-policy noeviction)`);
  }
  const n = await undecided().increment('requeues', 1);
  if (!n) return { outcome: 'alive' };
  await queue.add(COMMERCEML_IMPORT_JOB, job.data, job.opts);
  return { outcome: 'requeued', jobId };
}
