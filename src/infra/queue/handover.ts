// "Hand work to a queue without holding the request": the one way a request path adds a BullMQ
// job (or publishes on Redis) after its action. While Redis is unreachable ioredis keeps a
// command in its offline queue, and BullMQ's connections retry forever (maxRetriesPerRequest
// null), so an awaited `queue.add` would hold the page until Redis is back. Here the add gets
// QUEUE_HANDOVER_MS; then the request goes on and the add keeps running: it lands when Redis
// returns, or the sweep named in `covers` redoes the work from the database — every caller's
// job is idempotent (a job id, a deduplication id, or a claim in PostgreSQL), so both may happen.
// Work nothing redoes must not come here: it is refused before anything is committed
// (`queueReadyWithin`), or made recoverable from a row a sweep reads.
import type { Config } from '../config.ts';
import { log } from '../log.ts';
import type { Runtime } from '../runtime.ts';
import { queueConnection } from './connection.ts';
import type { QueueName } from './names.ts';

export type HandOver = 'queued' | 'deferred';

export interface HandOverOptions {
  /** What is handed over, for the log ("waiting-list check"). */
  what: string;
  /** Who does it when the hand-over did not get through ("the waiting list's 5-minute re-scan"). */
  covers: string;
  /** Log fields naming the case (an order number, offer ids). */
  fields?: Record<string, unknown>;
}

/** What handOver needs of a runtime: its bound. */
export interface HandOverBound {
  config: Pick<Config, 'QUEUE_HANDOVER_MS'>;
}

const boundOf = (rt: HandOverBound): number => rt.config.QUEUE_HANDOVER_MS;

/**
 * Starts `add` and waits for it at most QUEUE_HANDOVER_MS. 'queued': it finished in time;
 * 'deferred': it failed or is still waiting for Redis (logged at warn with what covers it; a late
 * outcome is logged too). Never rejects, and leaves no rejection unhandled.
 */
export async function handOver(rt: HandOverBound, add: () => Promise<unknown>, o: HandOverOptions): Promise<HandOver> {
  const fields = { ...o.fields, what: o.what, covers: o.covers };
  const outcome: Promise<{ ok: true } | { ok: false; err: Error }> = Promise.resolve()
    .then(add)
    .then(
      () => ({ ok: true as const }),
      (err: unknown) => ({ ok: false as const, err: err instanceof Error ? err : new Error(String(err)) }),
    );
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<'late'>((resolve) => {
    timer = setTimeout(() => resolve('late'), boundOf(rt));
  });
  const first = await Promise.race([outcome, late]);
  clearTimeout(timer);
  if (first !== 'late') {
    if (first.ok) return 'queued';
    log.warn({ ...fields, err: first.err.message }, 'not handed to the queue; the sweep does it');
    return 'deferred';
  }
  log.warn({ ...fields, boundMs: boundOf(rt) }, 'queue did not answer within the hand-over bound; the request goes on, the sweep covers it');
  void outcome.then((r) =>
    r.ok ? log.info(fields, 'handed to the queue late (Redis is back)') : log.warn({ ...fields, err: r.err.message }, 'late hand-over failed; the sweep does it'),
  );
  return 'deferred';
}

/**
 * True when the queue's connection is ready within the hand-over bound. For work nothing redoes:
 * ask this BEFORE committing anything and refuse when false, so the add never sits in an offline
 * queue behind a refusal the user was shown.
 */
export async function queueReadyWithin(rt: Runtime, name: QueueName): Promise<boolean> {
  const connection = queueConnection(rt, name);
  // A PING through the queue's own connection: once connected, BullMQ's readiness stays resolved
  // while Redis is down, so only a round trip tells (a late PING is harmless).
  const r = await handOver(rt, () => connection.ping(), { what: `connection of queue ${name}`, covers: 'nothing: the request is refused' });
  return r === 'queued';
}
