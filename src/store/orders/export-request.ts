// A placed order asks for its own delivery at once instead of waiting for the next periodic
// orders.export run (which stays the safety net, with work.reconcile behind it). The web may not
// import the queue (ARCHITECTURE.md, web-not-queue), so it asks through here.
import { type HandOver, handOver } from '../../infra/queue/handover.ts';
import { requestOrdersExport } from '../../infra/queue/sync-requests.ts';
import type { Runtime } from '../../infra/runtime.ts';

/**
 * Enqueues an orders.export run (deduplicated while one waits) within the hand-over bound: the
 * order is committed already, its outbox row is what gets it delivered. Never rejects.
 */
export function requestOrderDelivery(rt: Runtime, orderNumber: string): Promise<HandOver> {
  return handOver(rt, () => requestOrdersExport(rt), { what: 'order export request', covers: 'the periodic orders.export run and work.reconcile', fields: { order: orderNumber } });
}
