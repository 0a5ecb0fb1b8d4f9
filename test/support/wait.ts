// Conditions instead of sleeps: a test waits for what it needs (a row, a mail, a job's end),
// and a timeout names that thing, so a slow machine makes a test slower, not red.
import { getQueue } from '../../src/infra/queue/connection.ts';
import { QUEUES } from '../../src/infra/queue/names.ts';
import type { Runtime } from '../../src/infra/runtime.ts';
import { changesStreamKey } from '../../src/mirror/changes.ts';

export interface WaitOptions {
  /** What is awaited, for the failure message ("the sent marker"). */
  what: string;
  /** Milliseconds before giving up (default 5000). */
  timeout?: number;
  /** Milliseconds between polls (default 25). */
  every?: number;
}

/** Polls condition until it returns a truthy value (returned); fails naming `what` after the timeout. */
export async function waitFor<T>(condition: () => Promise<T> | T, opts: WaitOptions): Promise<NonNullable<T>> {
  const timeout = opts.timeout ?? 5000;
  const deadline = Date.now() + timeout;
  let lastError: unknown;
  for (;;) {
    try {
      const v = await condition();
      if (v) return v as NonNullable<T>;
      lastError = undefined;
    } catch (err) {
      // A condition may throw while the thing does not exist yet; report the last error.
      lastError = err;
    }
    if (Date.now() > deadline) {
      const why = lastError ? ` (last error: ${(lastError as Error).message})` : '';
      throw new Error(`timed out after ${timeout} ms waiting for ${opts.what}${why}`);
    }
    await new Promise((r) => setTimeout(r, opts.every ?? 25));
  }
}

/** waitFor with positional arguments (older call sites). */
export function until<T>(fn: () => Promise<T> | T, what: string, timeoutMs = 5000, everyMs = 25): Promise<NonNullable<T>> {
  return waitFor(fn, { what, timeout: timeoutMs, every: everyMs });
}

/**
 * What is still in flight in this runtime's background work, or null when nothing is: a BullMQ
 * job waiting, prioritized or active in a queue some worker serves (delayed jobs are future
 * work; queues nobody serves in this test would never drain), or an entry of the mirror change
 * stream not yet read and acknowledged by a consumer group with a live consumer.
 */
export async function inFlight(rt: Runtime): Promise<string | null> {
  for (const name of Object.values(QUEUES)) {
    const queue = getQueue(rt, name);
    const c = await queue.getJobCounts('waiting', 'active', 'prioritized', 'waiting-children');
    const n = (c.waiting ?? 0) + (c.active ?? 0) + (c.prioritized ?? 0) + (c['waiting-children'] ?? 0);
    if (n && (await queue.getWorkersCount()) > 0) return `${n} job(s) of ${name}`;
  }
  const stream = changesStreamKey(rt.prefix);
  if (!(await rt.redis.exists(stream))) return null;
  const info = (await rt.redis.xinfo('STREAM', stream)) as unknown[];
  const lastId = String(info[info.indexOf('last-generated-id') + 1]);
  const groups = (await rt.redis.xinfo('GROUPS', stream)) as unknown[][];
  for (const g of groups) {
    const f = fieldsOf(g);
    const consumers = (await rt.redis.xinfo('CONSUMERS', stream, String(f.name))) as unknown[][];
    // Groups whose consumers stopped (an earlier test's workers) never catch up: skip them.
    if (!consumers.some((c) => Number(fieldsOf(c).idle) < 5000)) continue;
    if (Number(f.pending) > 0 || String(f['last-delivered-id']) !== lastId) return `change stream entries for group ${String(f.name)}`;
  }
  return null;
}

/**
 * Waits until inFlight finds nothing twice in a row (a job that enqueues the next one is seen in
 * between). A test that asserts "nothing more happens" waits for this instead of a while.
 */
export async function waitSettled(rt: Runtime, opts: Partial<WaitOptions> = {}): Promise<void> {
  let streak = 0;
  let last: string | null = null;
  await waitFor(
    async () => {
      last = await inFlight(rt);
      streak = last ? 0 : streak + 1;
      return streak >= 2;
    },
    { what: opts.what ?? 'background jobs and stream consumers to settle', timeout: opts.timeout ?? 10_000, every: opts.every ?? 50 },
  ).catch((err: Error) => {
    throw new Error(`${err.message}; still in flight: ${last}`);
  });
}

function fieldsOf(flat: unknown[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (let i = 0; i + 1 < flat.length; i += 2) out[String(flat[i])] = flat[i + 1];
  return out;
}
