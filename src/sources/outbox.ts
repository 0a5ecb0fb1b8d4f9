// The outbox delivery loop, one for every kind a job delivers (orders.export, reservations.export).
// Exactly once, in order:
// - a row is claimed with FOR UPDATE SKIP LOCKED and stays locked while its deliverer calls the
//   accounting system, so two workers never deliver the same row; the call carries the row's
//   idempotency key, so a retry after a lost answer finds what the first attempt did;
// - a row is not claimed while an older row with the same ordering key is undelivered (pending
//   or failed): a reservation's place → extend → release reach the system in that order, and
//   nothing follows a failed row until an admin resolves it;
// - the deliverer's writes and the 'delivered' mark commit together;
// - a failure retrying can fix reschedules the row with capped exponential backoff and jitter
//   (never dropped); one it cannot fix marks the row 'failed' with the reason.
// The loop knows no connector: the job passes the deliverer and says which errors are final.
import type { Knex } from 'knex';
import type { Db } from '../infra/db/knex.ts';
import { log } from '../infra/log.ts';
import type { OutboxKind } from '../mirror/outbound.ts';

export interface OutboxRow {
  id: number;
  source_id: number;
  kind: string;
  idempotency_key: string;
  ordering_key: string | null;
  payload: Record<string, unknown>;
  attempts: number;
}

export interface Delivery {
  /** For the log: what is being delivered. */
  name: string;
  kinds: readonly OutboxKind[];
  /** Only rows of sources of this kind (another kind's connector delivers its own way). */
  sourceKind: string;
  /** Delivers one row; its writes commit with the row's 'delivered' mark. */
  deliver(trx: Knex.Transaction, row: OutboxRow): Promise<void>;
  /** false: retrying cannot help (a mapping problem, a refusal by the system). */
  retryable(err: unknown): boolean;
  /** Most rows one run takes (default 50); the next run takes the rest. */
  batch?: number;
}

export interface DeliveryCounts {
  delivered: number;
  failed: number;
  retrying: number;
}

const MAX_BACKOFF_S = 300;

/**
 * Seconds until the next attempt after `attempts` failures: 2, 4, 8 … capped at 5 minutes (an
 * order sent while the system was down for hours arrives minutes after it is back), ±20 % jitter
 * so rows that failed together do not all come back in the same second.
 */
export function backoffSeconds(attempts: number): number {
  const base = Math.min(MAX_BACKOFF_S, 2 ** Math.min(Math.max(attempts, 1), 12));
  return Math.round(base * (0.8 + Math.random() * 0.4));
}

const COLUMNS = ['o.id', 'o.source_id', 'o.kind', 'o.idempotency_key', 'o.ordering_key', 'o.payload', 'o.attempts'];

/** Locks the oldest due row of the delivery that no other worker holds and nothing older of its ordering key waits for. */
export async function claimDue(trx: Knex.Transaction, d: Pick<Delivery, 'kinds' | 'sourceKind'>): Promise<OutboxRow | undefined> {
  return trx('outbox as o')
    .join('sources as s', 's.id', 'o.source_id')
    .where({ 'o.state': 'pending', 's.kind': d.sourceKind })
    .whereIn('o.kind', [...d.kinds])
    .andWhere('o.next_attempt_at', '<=', trx.fn.now())
    .whereNotExists(
      trx('outbox as p').whereRaw('p.ordering_key = o.ordering_key').andWhereRaw('p.id < o.id').andWhereNot('p.state', 'delivered').select(trx.raw('1')),
    )
    .orderBy('o.id')
    .forUpdate('o')
    .skipLocked()
    .first(COLUMNS);
}

export async function markDelivered(trx: Knex.Transaction, row: OutboxRow): Promise<void> {
  await trx('outbox').where({ id: row.id }).update({ state: 'delivered', delivered_at: trx.fn.now(), attempts: row.attempts + 1, last_error: null });
}

/** A failed attempt: retried in `retryInS` seconds, or (null) given up with the reason. */
export async function markAttemptFailed(trx: Knex.Transaction, row: OutboxRow, error: string, retryInS: number | null): Promise<void> {
  await trx('outbox').where({ id: row.id }).update({
    attempts: row.attempts + 1,
    last_error: error.slice(0, 2000),
    ...(retryInS === null ? { state: 'failed' } : { next_attempt_at: trx.raw('now() + make_interval(secs => ?)', [retryInS]) }),
  });
}

type Outcome = keyof DeliveryCounts | 'none';

/** One row in one transaction: claim, deliver (in a savepoint, so a failed delivery's writes are undone), mark. */
async function deliverOne(db: Db, d: Delivery): Promise<Outcome> {
  return db.transaction(async (trx) => {
    const row = await claimDue(trx, d);
    if (!row) return 'none';
    try {
      await trx.transaction((sp) => d.deliver(sp, row));
      await markDelivered(trx, row);
      return 'delivered';
    } catch (err) {
      const again = d.retryable(err);
      const message = err instanceof Error ? err.message : String(err);
      await markAttemptFailed(trx, row, message, again ? backoffSeconds(row.attempts + 1) : null);
      log.warn({ outbox: row.id, kind: row.kind, attempt: row.attempts + 1, retry: again, err: message }, `${d.name}: delivery failed`);
      return again ? 'retrying' : 'failed';
    }
  });
}

/** Delivers what is due, oldest first, up to the batch size. */
export async function deliverDue(db: Db, d: Delivery): Promise<DeliveryCounts> {
  const counts: DeliveryCounts = { delivered: 0, failed: 0, retrying: 0 };
  for (let i = 0; i < (d.batch ?? 50); i++) {
    const outcome = await deliverOne(db, d);
    if (outcome === 'none') break;
    counts[outcome]++;
  }
  return counts;
}

/** Deletes delivered rows older than the retention; pending and failed rows are never purged. */
export async function purgeDelivered(db: Db, retentionDays: number): Promise<number> {
  return db('outbox')
    .where({ state: 'delivered' })
    .andWhere('delivered_at', '<', db.raw('now() - make_interval(days => ?)', [retentionDays]))
    .del();
}
