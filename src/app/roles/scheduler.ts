// The scheduler role only enqueues: BullMQ job schedulers, one per schedule a job kind declares
// (e.g. a poll per SOAP source). The schedules follow the sources while it runs: it reconciles
// them every `intervalMs` and when a source change is announced (schedules-signal.ts) — missing
// schedulers are added, changed ones updated, ones no kind asks for any more removed. Upserts and
// removals are idempotent, so several scheduler processes do not double the work.
// A Redis restarted without persistence (or a failover) has lost every scheduler: the role
// reconciles at once when its connection comes back, and the periodic pass re-adds whatever is
// missing in any case; after the reconnect it also asks for a work.reconcile pass (outbox rows and
// CommerceML imports whose jobs were lost with the old Redis).
import type { JobsOptions } from 'bullmq';
import { JOBS } from '../../../jobs/registry.ts';
import type { JobDefinition } from '../../../jobs/types.ts';
import { log } from '../../infra/log.ts';
import { getQueue } from '../../infra/queue/connection.ts';
import type { QueueName } from '../../infra/queue/names.ts';
import { sourcesChangedChannel } from '../../infra/queue/schedules-signal.ts';
import { requestWorkReconcile } from '../../infra/queue/sync-requests.ts';
import { createRedis } from '../../infra/redis/redis.ts';
import type { Runtime } from '../../infra/runtime.ts';
import { removeLegacySchedulers } from './legacy-queues.ts';

export const RECONCILE_INTERVAL_MS = 30_000;
const DEFAULT_EVERY_MS = 60_000;

interface Wanted {
  queue: QueueName;
  id: string;
  pattern?: string;
  every?: number;
  data: unknown;
  opts?: JobsOptions;
}

export interface Reconciled {
  added: string[];
  updated: string[];
  removed: string[];
}

async function wantedSchedules(rt: Runtime, jobs: JobDefinition<never>[]): Promise<Wanted[]> {
  const out: Wanted[] = [];
  for (const def of jobs) {
    if (!def.schedules) continue;
    for (const s of await def.schedules(rt)) {
      out.push({ queue: def.name, id: s.id, ...(s.pattern ? { pattern: s.pattern } : { every: s.everyMs ?? DEFAULT_EVERY_MS }), data: s.data, opts: s.opts });
    }
  }
  return out;
}

type Existing = Awaited<ReturnType<ReturnType<typeof getQueue>['getJobSchedulers']>>[number];

function same(w: Wanted, e: Existing): boolean {
  if ((w.pattern ?? null) !== (e.pattern ?? null)) return false;
  if (w.every !== undefined && Number(e.every) !== w.every) return false;
  if (JSON.stringify(w.data ?? {}) !== JSON.stringify(e.template?.data ?? {})) return false;
  const opts = (e.template?.opts ?? {}) as Record<string, unknown>;
  return Object.entries(w.opts ?? {}).every(([k, v]) => JSON.stringify(opts[k]) === JSON.stringify(v));
}

/** Makes the BullMQ job schedulers equal to what the job kinds declare for the sources now. */
/** `why` names the pass in the log (start, interval, sources changed, redis reconnected). */
export async function reconcileSchedules(rt: Runtime, jobs: JobDefinition<never>[] = JOBS, why = 'asked'): Promise<Reconciled> {
  const wanted = await wantedSchedules(rt, jobs);
  const done: Reconciled = { added: [], updated: [], removed: [] };
  for (const def of jobs) {
    if (!def.schedules) continue;
    const queue = getQueue(rt, def.name);
    const existing = new Map((await queue.getJobSchedulers(0, -1)).map((e) => [e.key, e]));
    const mine = wanted.filter((w) => w.queue === def.name);
    for (const w of mine) {
      const e = existing.get(w.id);
      if (e && same(w, e)) continue;
      await queue.upsertJobScheduler(w.id, w.pattern ? { pattern: w.pattern } : { every: w.every! }, {
        name: def.name,
        data: w.data as never,
        ...(w.opts ? { opts: w.opts } : {}),
      });
      (e ? done.updated : done.added).push(w.id);
    }
    const keep = new Set(mine.map((w) => w.id));
    for (const key of existing.keys()) {
      if (!keep.has(key) && (await queue.removeJobScheduler(key))) done.removed.push(key);
    }
  }
  if (done.added.length || done.updated.length || done.removed.length) log.info({ ...done, why }, 'job schedules reconciled');
  return done;
}

export interface RunningScheduler {
  /** The scheduler ids after the first reconciliation. */
  ids: string[];
  /** Reconciles now (also what the interval and the signal call); runs never overlap. */
  reconcile(): Promise<Reconciled>;
  stop(): Promise<void>;
}

export async function startScheduler(
  rt: Runtime,
  opts: { intervalMs?: number; jobs?: JobDefinition<never>[] } = {},
): Promise<RunningScheduler> {
  const jobs = opts.jobs ?? JOBS;
  await removeLegacySchedulers(rt);
  let last: Promise<Reconciled> = Promise.resolve({ added: [], updated: [], removed: [] });
  const run = (why: string) => () => reconcileSchedules(rt, jobs, why);
  // After the previous pass, whether it succeeded or not (its caller got its error).
  const reconcile = (why = 'asked') => {
    last = last.then(run(why), run(why));
    return last;
  };
  await reconcile('start');
  const ids = (await wantedSchedules(rt, jobs)).map((w) => w.id);

  const safely = (why: string) =>
    reconcile(why).catch((err: Error) => log.error({ why, err: err.message }, 'reconciling the job schedules failed; the next pass retries'));
  const timer = setInterval(() => void safely('interval'), opts.intervalMs ?? RECONCILE_INTERVAL_MS);
  timer.unref();
  const sub = createRedis(rt.redisUrl);
  sub.on('error', (err) => log.warn({ err: err.message }, 'scheduler signal connection error'));
  sub.on('message', () => void safely('sources changed'));
  let connectedOnce = false;
  sub.on('ready', () => {
    if (!connectedOnce) {
      connectedOnce = true;
      return;
    }
    // The server may be a new, empty one: schedulers and queued jobs may all be gone.
    void safely('redis reconnected').then((done) => {
      // Said even when nothing was missing: what an operator (and the fault tier) looks for.
      if (done) log.info({ ...done }, 'redis reconnected: job schedules checked');
      return requestWorkReconcile(rt).catch((err: Error) => log.warn({ err: err.message }, 'could not ask for a work.reconcile pass after the reconnect'));
    });
  });
  await sub.subscribe(sourcesChangedChannel(rt.prefix));

  let stopped = false;
  const stop = async () => {
    if (stopped) return;
    stopped = true;
    clearInterval(timer);
    sub.disconnect();
    await last.catch((err: Error) => log.debug({ err: err.message }, 'last reconciliation had failed'));
  };
  rt.onShutdown('scheduler', stop);
  log.info({ schedules: ids }, 'scheduler started');
  return { ids, reconcile, stop };
}
