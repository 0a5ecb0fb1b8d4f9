// The demo's pending approval: purchaser@demo.local (a buyer of the demo company with a 5 000 limit
// per order) placed an order just over it, which waits for buyer@demo.local (the owner) at /approvals.
// Made once: a demo company that already has an approval keeps its own.
import { DomainError } from '../infra/domain-error.ts';
import { log } from '../infra/log.ts';
import type { Runtime } from '../infra/runtime.ts';
import { placeOrder } from '../store/orders/checkout.ts';
import { pricesFor } from '../store/pricing/pricing.ts';
import { toUnits } from '../store/shared/decimal.ts';

export const DEMO_PURCHASER_LIMIT = '5000.00';

export async function ensureDemoApproval(rt: Runtime): Promise<number | null> {
  const emp = await rt.db('users').where({ email: 'purchaser@demo.local', demo: true }).first('id', 'client_id');
  if (!emp?.client_id) return null;
  if (await rt.db('order_approvals').where({ client_id: emp.client_id }).first('order_id')) return null;
  await rt.db('users').where({ id: emp.id }).update({ order_limit: DEMO_PURCHASER_LIMIT });
  // Items well stocked at an own warehouse, as many of one as just pass the limit at the entity's price.
  const offers = await rt.db('stock as s').join('warehouses as w', 'w.id', 's.warehouse_id').join('offers as o', 'o.id', 's.offer_id')
    .where({ 'w.kind': 'own', 'w.deleted': false, 'o.deleted': false, 's.deleted': false }).where('s.quantity', '>=', 10)
    .orderBy([{ column: 's.quantity', order: 'desc' }, 's.offer_id']).limit(10).select('s.offer_id', 's.warehouse_id', rt.db.raw('s.quantity::text AS stock'));
  const cps = await rt.db('client_counterparties').where({ client_id: emp.client_id }).orderBy('counterparty_id').pluck('counterparty_id');
  for (const counterpartyId of cps) {
    const prices = await pricesFor(rt.db, { counterpartyId: Number(counterpartyId), contractId: null }, offers.map((o) => Number(o.offer_id)));
    for (const o of offers) {
      const price = prices.get(Number(o.offer_id))?.price;
      if (!price || toUnits(price) <= 0n) continue;
      const quantity = toUnits(DEMO_PURCHASER_LIMIT) / toUnits(price) + 1n;
      if (quantity > toUnits(o.stock) / 10_000n) continue;
      try {
        const order = await placeOrder(rt.db, {
          userId: emp.id, clientId: emp.client_id, counterpartyId: Number(counterpartyId), contractId: null, comment: 'Срочно для объекта на Ленинском',
          checkoutKey: `demo-approval-${emp.client_id}`, lines: [{ offerId: Number(o.offer_id), warehouseId: Number(o.warehouse_id), quantity: String(quantity) }],
        });
        if (order.awaitingApproval) {
          log.info({ order: order.number }, 'demo: an order waiting for the owner’s approval');
          return order.orderId;
        }
        return null; // within the limit (cheap data): no approval to show
      } catch (err) {
        // The near-limit entity refuses on credit, an item without a price: try the next.
        if (!(err instanceof DomainError)) throw err;
      }
    }
  }
  return null;
}
