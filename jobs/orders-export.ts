// orders.export: delivers the outbox's 'order.create' rows to their SOAP source, exactly once,
// through the outbox loop (src/sources/outbox.ts: claim with SKIP LOCKED, backoff, 'failed' when
// retrying cannot help). The CreateOrder call carries the row's idempotency key, so a retry
// after a lost answer finds the same order in the system. CommerceML orders are not sent: 1C
// collects them at its exchange and confirms them there (connectors/commerceml/sale/order-export.ts).
import { exportOrder, MappingDataError } from '../connectors/soap/index.ts';
import { JOB_ORDERS_EXPORT } from '../src/infra/queue/sync-requests.ts';
import type { Runtime } from '../src/infra/runtime.ts';
import { ORDER_CREATE } from '../src/mirror/outbound.ts';
import { orderForExport, orderIdOf, recordOrderExported } from '../src/sources/order-rows.ts';
import { type DeliveryCounts, deliverDue } from '../src/sources/outbox.ts';
import { soapBackends, soapRetryable } from '../src/sources/soap-delivery.ts';
import type { JobDefinition } from './types.ts';

export async function exportDueOrders(rt: Runtime): Promise<DeliveryCounts> {
  const backend = soapBackends();
  return deliverDue(rt.db, {
    name: JOB_ORDERS_EXPORT,
    kinds: [ORDER_CREATE],
    sourceKind: 'soap',
    retryable: soapRetryable,
    async deliver(trx, row) {
      const orderId = orderIdOf(row.payload);
      if (!orderId) throw new MappingDataError(`outbox row ${row.id}: the payload names no order (expected { orderId })`);
      const order = await orderForExport(trx, orderId, row.idempotency_key);
      if (!order) throw new MappingDataError(`outbox row ${row.id}: order ${orderId} does not exist`);
      const { adapter, mapping } = await backend(trx, row.source_id);
      await recordOrderExported(trx, orderId, await exportOrder(adapter, mapping, order));
    },
  });
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
