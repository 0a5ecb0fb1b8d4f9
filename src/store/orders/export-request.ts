// A placed order asks for its own delivery at once instead of waiting for the next periodic
// orders.export run (which stays the safety net, with work.reconcile behind it). The web may not
// import the queue (ARCHITECTURE.md, web-not-queue), so it asks through here.
import { log } from '../../infra/log.ts';
import { requestOrdersExport } from '../../infra/queue/sync-requests.ts';
import type { Runtime } from '../../infra/runtime.ts';

/**
 * Enqueues an orders.export run (deduplicated while one waits) without holding up the buyer:
 * BullMQ's connection waits for Redis while it is down, and the order is committed already.
 * Returns the request, which never rejects (a failure is logged).
 */
export function requestOrderDelivery(rt: Runtime, orderNumber: string): Promise<void> {
  return requestOrdersExport(rt).catch((err: Error) =>
    log.warn({ order: orderNumber, err: err.message }, 'could not ask for the order export now; the periodic run delivers it'),
  );
}
