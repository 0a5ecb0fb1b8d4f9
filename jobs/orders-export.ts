// orders.export: delivers the outbox's 'order.create' rows to their SOAP source, exactly once.
// Each row is locked (FOR UPDATE SKIP LOCKED) while its CreateOrder call runs; the call carries
// the row's idempotency key, so a retry after a lost answer finds the same order in the system.
// A failure that retrying can fix reschedules the row with exponential backoff (capped, so an
// order sent while the system was down for hours arrives minutes after it is back); the row is
// never dropped. A failure retrying cannot fix marks the row 'failed' with the reason for an admin.
import { MappingDataError, MappingError, SoapCallError, exportOrder } from '../connectors/soap/index.ts';
import { log } from '../src/infra/log.ts';
import { JOB_ORDERS_EXPORT } from '../src/infra/queue/sync-requests.ts';
import type { Runtime } from '../src/infra/runtime.ts';
import { dueOrderIds, lockOutboxRow, markAttemptFailed, markSent, orderForExport, orderIdOf } from '../src/sources/order-rows.ts';
import { backendOf, type SoapSourceRow } from '../src/sources/soap-source.ts';
import type { JobDefinition } from './types.ts';

const BATCH = 50;
const MAX_BACKOFF_S = 300;

/** Seconds until the next attempt: 2, 4, 8 … capped at 5 minutes, with jitter. */
export function backoffSeconds(attempts: number): number {
  const base = Math.min(MAX_BACKOFF_S, 2 ** Math.min(attempts, 12));
  return Math.round(base * (0.8 + Math.random() * 0.4));
}

function retryable(err: unknown): boolean {
  if (err instanceof MappingError || err instanceof MappingDataError) return false;
  if (err instanceof SoapCallError) return err.retryable;
  return true;
}

export async function exportDueOrders(rt: Runtime): Promise<{ sent: number; failed: number; retrying: number }> {
  const counts = { sent: 0, failed: 0, retrying: 0 };
  const backends = new Map<number, Awaited<ReturnType<typeof backendOf>>>();
  for (const id of await dueOrderIds(rt.db, BATCH)) {
    await rt.db.transaction(async (trx) => {
      const row = await lockOutboxRow(trx, id);
      if (!row) return;
      const orderId = orderIdOf(row.payload);
      try {
        if (!orderId) throw new MappingDataError(`outbox row ${row.id}: the payload names no order (expected { orderId })`);
        const order = await orderForExport(trx, orderId, row.idempotency_key);
        if (!order) throw new MappingDataError(`outbox row ${row.id}: order ${orderId} does not exist`);
        let backend = backends.get(row.source_id);
        if (!backend) {
          const src: SoapSourceRow = await trx('sources').where({ id: row.source_id }).first('id', 'name', 'kind', 'settings', 'cursor');
          backend = await backendOf(src);
          backends.set(row.source_id, backend);
        }
        const ext = await exportOrder(backend.adapter, backend.mapping, order);
        await markSent(trx, row, orderId, ext);
        counts.sent++;
      } catch (err) {
        const again = retryable(err);
        await markAttemptFailed(trx, row, (err as Error).message, again ? backoffSeconds(row.attempts + 1) : null);
        if (again) counts.retrying++;
        else counts.failed++;
        log.warn({ outbox: row.id, order: orderId, attempt: row.attempts + 1, retry: again, err: (err as Error).message }, 'order export failed');
      }
    });
  }
  return counts;
}

export const ordersExport: JobDefinition<Record<string, never>> = {
  name: JOB_ORDERS_EXPORT,
  concurrency: 1,
  process: (rt) => exportDueOrders(rt),
  async schedules() {
    // Each outbox row has its own backoff; the next sweep is the job's retry.
    return [{ id: JOB_ORDERS_EXPORT, everyMs: 5000, data: {}, opts: { attempts: 1 } }];
  },
};
