// The quiet period: old 1C modules (UT 10.3, КА 1.1, hand-written processors) end a catalog
// exchange after the last `import` with neither `deactivate` nor `complete`. After each import
// of a session that carries a full package, a delayed `commerceml.quiet` job is queued; when it
// runs and the session has been silent for the whole period, the full package's deletions happen
// as `deactivate` would have done them (same rules: every file imported, nothing dropped, only
// what no file of the session carried). A call in between (another file, a late deactivate)
// moves the check to the new end of the period; a session deactivated or completed meanwhile is
// left alone. The period is COMMERCEML_QUIET_PERIOD_S, or the source's `quietPeriodS` (0: never).
// The delayed job lives only in Redis: recreateQuietChecks (run by work.reconcile, and at once
// after the scheduler sees Redis come back) queues it again for every session still waiting.
import type { JobsOptions } from 'bullmq';
import { log } from '../../../src/infra/log.ts';
import { getQueue } from '../../../src/infra/queue/connection.ts';
import { QUEUES } from '../../../src/infra/queue/names.ts';
import type { Runtime } from '../../../src/infra/runtime.ts';
import { parseSettings } from '../settings.ts';
import { type DeactivateResult, deactivateUnseen } from './deactivate.ts';

export const COMMERCEML_QUIET_JOB = QUEUES.commercemlQuiet;

export interface QuietJobData {
  sessionId: number;
}

/** The session's quiet period in ms (0: never), from the source's setting or the environment. */
export async function quietPeriodMs(rt: Pick<Runtime, 'db' | 'config'>, sourceId: number): Promise<number> {
  const src = await rt.db('sources').where({ id: sourceId }).first('settings');
  const settings = parseSettings(src?.settings);
  const s = typeof settings === 'string' ? undefined : settings.quietPeriodS;
  return (s ?? rt.config.COMMERCEML_QUIET_PERIOD_S) * 1000;
}

/** One check of a session at one moment (a re-check gets a job id of its own). */
function quietJob(session: { id: number; token: string }, delay: number): { data: QuietJobData; opts: JobsOptions } {
  return {
    data: { sessionId: session.id },
    opts: { jobId: `cml-quiet-${session.token.slice(0, 16)}-${Date.now() + Math.ceil(delay)}`, delay: Math.max(0, Math.ceil(delay)), attempts: 3, backoff: { type: 'exponential', delay: 1000 }, removeOnComplete: 100, removeOnFail: 100 },
  };
}

/** After an import of the session: queue the check for the end of the quiet period, if it has a full package. */
export async function scheduleQuietCheck(rt: Runtime, sessionId: number): Promise<boolean> {
  const s = await rt.db('commerceml_sessions').where({ id: sessionId }).first('id', 'token', 'source_id', 'state', 'deactivated_at', 'full_entities');
  if (s?.state !== 'open' || s.deactivated_at || !s.full_entities.length) return false;
  const period = await quietPeriodMs(rt, s.source_id);
  if (!period) return false;
  const job = quietJob(s, period);
  await getQueue(rt, COMMERCEML_QUIET_JOB).add(COMMERCEML_QUIET_JOB, job.data, job.opts);
  return true;
}

export interface QuietOutcome {
  /** What happened: deactivated, rescheduled, or why nothing was done. */
  outcome: 'deactivated' | 'rescheduled' | 'not needed' | 'never';
  detail?: string;
  deactivate?: DeactivateResult;
}

/** The job body: deactivate a full package whose session has been silent for the whole period. */
export async function runQuietCheck(rt: Runtime, data: QuietJobData): Promise<QuietOutcome> {
  const { rows } = await rt.db.raw(
    `SELECT id, token, source_id, state, deactivated_at, full_entities, created_at,
            extract(epoch FROM now() - last_seen_at) * 1000 AS idle_ms,
            EXISTS (SELECT 1 FROM commerceml_imports i WHERE i.session_id = s.id AND i.state IN ('queued', 'running')) AS busy
       FROM commerceml_sessions s WHERE id = ?`,
    [data.sessionId],
  );
  const s = rows[0] as
    | { id: number; token: string; source_id: number; state: string; deactivated_at: Date | null; full_entities: string[]; created_at: Date; idle_ms: string; busy: boolean }
    | undefined;
  if (!s) return { outcome: 'not needed', detail: 'the session is gone' };
  if (s.state !== 'open') return { outcome: 'not needed', detail: 'the session was completed' };
  if (s.deactivated_at) return { outcome: 'not needed', detail: 'the session was deactivated already' };
  const period = await quietPeriodMs(rt, s.source_id);
  if (!period) return { outcome: 'never', detail: 'the quiet period is off for this source' };
  const idle = Number(s.idle_ms);
  if (idle < period || s.busy) {
    // 1C called again meanwhile (or a file is still importing): check again when it has been quiet long enough
    const job = quietJob(s, s.busy ? period : period - idle);
    await getQueue(rt, COMMERCEML_QUIET_JOB).add(COMMERCEML_QUIET_JOB, job.data, job.opts);
    return { outcome: 'rescheduled', detail: `silent for ${Math.round(idle)} ms of ${period}` };
  }
  const r = await deactivateUnseen(rt, { id: Number(s.id), source_id: s.source_id, created_at: s.created_at }, 'commerceml deactivate (quiet period)');
  const n = Object.values(r.sync?.counts ?? {}).reduce((a, c) => a + (c?.deleted ?? 0), 0);
  log.info({ session: s.id, source: s.source_id, deleted: n, skipped: r.skipped }, 'commerceml: quiet period over, full package deactivated');
  return { outcome: 'deactivated', detail: r.skipped ? `nothing deactivated: ${r.skipped}` : `${n} item(s) not in the full package marked deleted`, deactivate: r };
}

/**
 * Sessions waiting for their quiet period whose delayed check Redis lost (restarted empty,
 * evicted): open, not deactivated, carrying a full package, every import decided and none failed
 * (as after the import that would have queued it). Each gets its check again, due when its period
 * ends (at once if it is over). Returns the session ids. A check queued twice is harmless: the
 * deactivation is claimed once (deactivated_at).
 */
export async function recreateQuietChecks(rt: Runtime): Promise<number[]> {
  const { rows } = await rt.db.raw(
    `SELECT s.id, s.token, s.source_id, extract(epoch FROM now() - s.last_seen_at) * 1000 AS idle_ms
       FROM commerceml_sessions s
      WHERE s.state = 'open' AND s.deactivated_at IS NULL AND cardinality(s.full_entities) > 0
        AND EXISTS (SELECT 1 FROM commerceml_imports i WHERE i.session_id = s.id AND i.state = 'done')
        AND NOT EXISTS (SELECT 1 FROM commerceml_imports i WHERE i.session_id = s.id AND i.state <> 'done')`,
  );
  const waiting = rows as { id: number | string; token: string; source_id: number; idle_ms: string }[];
  if (!waiting.length) return [];
  const queue = getQueue(rt, COMMERCEML_QUIET_JOB);
  const live = new Set((await queue.getJobs(['waiting', 'delayed', 'active', 'prioritized'])).map((j) => Number((j?.data as QuietJobData | undefined)?.sessionId)));
  const requeued: number[] = [];
  for (const s of waiting) {
    const id = Number(s.id);
    if (live.has(id)) continue;
    const period = await quietPeriodMs(rt, s.source_id);
    if (!period) continue;
    const job = quietJob({ id, token: s.token }, period - Number(s.idle_ms));
    await queue.add(COMMERCEML_QUIET_JOB, job.data, job.opts);
    requeued.push(id);
  }
  return requeued;
}
