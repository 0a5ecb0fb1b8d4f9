// Reservations that arrive together are placed together: calls queued while a batch is on its way
// go in the next one, one cp_reserve_many() statement (migration 20261207660001) — one round trip
// and one commit for all of them. Under load on a few hot stock rows most of a reservation's time
// was the commit's WAL flush, taken with the row lock held; now one flush serves the whole batch.
// Each call still gets its own answer (placed or refused), and if a batch fails as a whole (a
// deadlock with a sync updating the same rows, one bad element) its calls are retried one by one,
// so a failure reaches only the call it belongs to.
import type { Runtime } from '../../infra/runtime.ts';
import type { ReservationView } from './details.ts';

/** Who reserves what where (quantity: validated decimal text), and for how long. */
export type ReserveCall = Pick<ReservationView, 'clientId' | 'counterpartyId' | 'userId' | 'offerId' | 'warehouseId' | 'quantity'> & { periodHours: number };

/** cp_reserve's answer: `id` null = refused, `available` what could be had; no row = not stocked there. */
export interface ReserveRow {
  available: string;
  id: number | null;
  expiresAt: Date | null;
  createdAt: Date | null;
  unit: string | null;
  itemName: string;
  sku: string | null;
  warehouseName: string;
  stock: string;
}

interface Pending {
  call: ReserveCall;
  resolve(row: ReserveRow | undefined): void;
  reject(err: unknown): void;
}

/** Batches on their way at once: the next one is ready to lock the rows the moment the first commits. */
const MAX_IN_FLIGHT = 2;
const MAX_BATCH = 500;

interface Lane {
  waiting: Pending[];
  inFlight: number;
  scheduled: boolean;
}
const lanes = new WeakMap<Runtime, Lane>();

/** Places one reservation through the next batch (cp_reserve's rules, one call's row). */
export function placeReservation(rt: Runtime, call: ReserveCall): Promise<ReserveRow | undefined> {
  let lane = lanes.get(rt);
  if (!lane) {
    lane = { waiting: [], inFlight: 0, scheduled: false };
    lanes.set(rt, lane);
  }
  const l = lane;
  return new Promise((resolve, reject) => {
    l.waiting.push({ call, resolve, reject });
    // Calls of the same tick share the batch; with batches on their way, the next leaves when one returns.
    if (!l.scheduled && l.inFlight < MAX_IN_FLIGHT) {
      l.scheduled = true;
      setImmediate(() => {
        l.scheduled = false;
        flush(rt, l);
      });
    }
  });
}

function flush(rt: Runtime, lane: Lane): void {
  while (lane.waiting.length && lane.inFlight < MAX_IN_FLIGHT) {
    const batch = lane.waiting.splice(0, MAX_BATCH);
    lane.inFlight++;
    void runBatch(rt, batch).finally(() => {
      lane.inFlight--;
      flush(rt, lane);
    });
  }
}

async function runBatch(rt: Runtime, batch: Pending[]): Promise<void> {
  let rows: (ReserveRow & { n: number })[];
  try {
    rows = await reserveMany(rt, batch.map((p) => p.call));
  } catch (err) {
    if (batch.length === 1) {
      batch[0]!.reject(err);
      return;
    }
    // One at a time, so only the element at fault (or none, after a deadlock) fails.
    for (const p of batch) {
      await reserveMany(rt, [p.call]).then(
        (one) => p.resolve(one[0]),
        (e: unknown) => p.reject(e),
      );
    }
    return;
  }
  const byN = new Map(rows.map((r) => [r.n, r]));
  for (const [i, p] of batch.entries()) p.resolve(byN.get(i + 1));
}

async function reserveMany(rt: Runtime, calls: ReserveCall[]): Promise<(ReserveRow & { n: number })[]> {
  const col = (k: 'clientId' | 'counterpartyId' | 'offerId' | 'warehouseId') => calls.map((c) => c[k]);
  // node-postgres writes null elements as NULL (knex's types know only arrays without nulls).
  const users = calls.map((c) => c.userId) as number[];
  const { rows } = await rt.db.raw<{ rows: (ReserveRow & { n: number })[] }>(
    `SELECT o_n AS n, o_available::text AS available, o_id AS id, o_expires_at AS "expiresAt", o_created_at AS "createdAt", o_unit AS unit,
            o_item_name AS "itemName", o_sku AS sku, o_warehouse_name AS "warehouseName", o_stock::text AS stock
       FROM cp_reserve_many(?::bigint[], ?::bigint[], ?::bigint[], ?::bigint[], ?::bigint[], ?::numeric[], ?::numeric[])`,
    [col('clientId'), col('counterpartyId'), users, col('offerId'), col('warehouseId'), calls.map((c) => c.quantity), calls.map((c) => c.periodHours)],
  );
  return rows;
}
