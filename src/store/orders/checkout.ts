// Cart → order in ONE transaction: stock re-checked under row locks (so two buyers cannot both
// take the last unit), order + lines + first status + a stock hold + the outbox row that the
// connector's export job carries to the accounting system. Safe to submit twice: the
// checkout key is the outbox idempotency key.
import type { Db } from '../../infra/db/knex.ts';
import { add, cmp, mul } from '../shared/decimal.ts';
import { priceAt, pricesFor } from '../pricing/pricing.ts';

/** How long an order holds its stock until the accounting system's own stock reflects it. */
export const ORDER_HOLD_HOURS = 2;

export interface CheckoutInput {
  userId: number;
  clientId: number;
  counterpartyId: number;
  contractId: number | null;
  lines: { offerId: number; warehouseId: number; quantity: string }[];
  comment: string;
  /** One per checkout form; a second submit returns the first order. */
  checkoutKey: string;
}

export interface CheckoutProblem {
  offerId: number;
  sku: string | null;
  name: string;
  warehouse: string;
  requested: string;
  available: string;
  reason: 'stock' | 'price' | 'gone';
}

export type CheckoutResult =
  | { ok: true; orderId: number; number: string; total: string; currency: string; repeated: boolean }
  | { ok: false; problems: CheckoutProblem[] };

export class CheckoutError extends Error {}

export const outboxKey = (checkoutKey: string) => `order.create:${checkoutKey}`;

export async function placeOrder(db: Db, input: CheckoutInput): Promise<CheckoutResult> {
  if (!input.lines.length) throw new CheckoutError('The cart is empty.');
  if (!/^[\w-]{8,64}$/.test(input.checkoutKey)) throw new CheckoutError('This checkout form is invalid; reload the cart.');
  return db.transaction(async (trx) => {
    const done = await trx('outbox').where({ idempotency_key: outboxKey(input.checkoutKey) }).first('payload');
    if (done) {
      const o = await trx('orders').where({ id: done.payload.orderId }).first('id', 'number', 'total', 'currency');
      return { ok: true, orderId: o.id, number: o.number, total: o.total, currency: o.currency, repeated: true };
    }
    const cp = await trx('client_counterparties as cc')
      .join('counterparties as c', 'c.id', 'cc.counterparty_id')
      .where({ 'cc.client_id': input.clientId, 'cc.counterparty_id': input.counterpartyId, 'c.deleted': false })
      .first('c.id', 'c.source_id', 'c.external_id');
    if (!cp) throw new CheckoutError('This legal entity is not linked to your account.');
    const contract = input.contractId
      ? await trx('contracts').where({ id: input.contractId, counterparty_id: input.counterpartyId, deleted: false }).first('id', 'external_id', 'currency')
      : null;
    if (input.contractId && !contract) throw new CheckoutError('This contract is no longer valid; choose another one.');

    const offerIds = input.lines.map((l) => l.offerId);
    const pairs = input.lines.map((l) => [l.offerId, l.warehouseId]);
    // Lock the stock rows in a fixed order (no deadlocks between two checkouts), then count
    // active holds: a concurrent checkout waits here until ours commits, then sees our hold.
    const locked = await trx.raw(
      `SELECT s.offer_id, s.warehouse_id, s.quantity::text AS quantity FROM stock s
        WHERE (s.offer_id, s.warehouse_id) IN (SELECT * FROM unnest(?::bigint[], ?::bigint[])) AND NOT s.deleted
        ORDER BY s.offer_id, s.warehouse_id FOR UPDATE`,
      [pairs.map((p) => p[0]), pairs.map((p) => p[1])],
    );
    const held = await trx.raw(
      `SELECT r.offer_id, r.warehouse_id, sum(r.quantity)::text AS q FROM reservations r
        WHERE r.state = 'active' AND (r.offer_id, r.warehouse_id) IN (SELECT * FROM unnest(?::bigint[], ?::bigint[]))
        GROUP BY 1, 2`,
      [pairs.map((p) => p[0]), pairs.map((p) => p[1])],
    );
    const key = (o: number, w: number) => `${o}:${w}`;
    const stock = new Map<string, string>(locked.rows.map((r: { offer_id: number; warehouse_id: number; quantity: string }) => [key(r.offer_id, r.warehouse_id), r.quantity]));
    const holds = new Map<string, string>(held.rows.map((r: { offer_id: number; warehouse_id: number; q: string }) => [key(r.offer_id, r.warehouse_id), r.q]));
    const info = await trx.raw(
      `SELECT o.id, o.external_id, coalesce(o.sku, p.sku) AS sku, p.name, p.unit, (o.deleted OR p.deleted) AS gone
         FROM offers o JOIN products p ON p.id = o.product_id WHERE o.id = ANY(?::bigint[])`,
      [offerIds],
    );
    const offers = new Map<number, { external_id: string; sku: string | null; name: string; unit: string | null; gone: boolean }>(info.rows.map((r: { id: number }) => [r.id, r]));
    const whs = new Map<number, { name: string; external_id: string }>(
      (await trx('warehouses').whereIn('id', input.lines.map((l) => l.warehouseId)).where({ deleted: false }).select('id', 'name', 'external_id')).map((w) => [w.id, w]),
    );
    const prices = await pricesFor(trx, { counterpartyId: input.counterpartyId, contractId: input.contractId }, offerIds);

    const problems: CheckoutProblem[] = [];
    const priced: { offerId: number; warehouseId: number; quantity: string; price: string; amount: string }[] = [];
    let total = '0';
    let currency: string | null = null;
    for (const l of input.lines) {
      const offer = offers.get(l.offerId);
      const wh = whs.get(l.warehouseId);
      const name = offer?.name ?? `offer ${l.offerId}`;
      const k = key(l.offerId, l.warehouseId);
      const available = (() => {
        const a = add(stock.get(k) ?? '0', `-${holds.get(k) ?? '0'}`, 3);
        return cmp(a, '0') > 0 ? a : '0';
      })();
      const base = { offerId: l.offerId, sku: offer?.sku ?? null, name, warehouse: wh?.name ?? '?', requested: l.quantity, available };
      if (!offer || offer.gone || !wh) {
        problems.push({ ...base, reason: 'gone' });
        continue;
      }
      if (cmp(available, l.quantity) < 0) {
        problems.push({ ...base, reason: 'stock' });
        continue;
      }
      const p = prices.get(l.offerId);
      const price = priceAt(p, l.warehouseId);
      if (!price) {
        problems.push({ ...base, reason: 'price' });
        continue;
      }
      currency ??= p?.currency ?? contract?.currency ?? 'RUB';
      const amount = mul(price, l.quantity);
      total = add(total, amount);
      priced.push({ ...l, price, amount });
    }
    if (problems.length) return { ok: false, problems };

    const { rows: idRows } = await trx.raw(`SELECT nextval(pg_get_serial_sequence('orders', 'id'))::bigint AS id`);
    const orderId = Number(idRows[0].id);
    const number = `CP-${String(orderId).padStart(6, '0')}`;
    const cur = currency ?? 'RUB';
    await trx('orders').insert({
      id: orderId,
      number,
      source_id: cp.source_id,
      client_id: input.clientId,
      user_id: input.userId,
      counterparty_id: input.counterpartyId,
      contract_id: contract?.id ?? null,
      status: 'new',
      currency: cur,
      total,
      comment: input.comment,
    });
    await trx('order_lines').insert(
      priced.map((l, i) => {
        const o = offers.get(l.offerId)!;
        return { order_id: orderId, line_no: i + 1, offer_id: l.offerId, warehouse_id: l.warehouseId, sku: o.sku, name: o.name, unit: o.unit, quantity: l.quantity, price: l.price, amount: l.amount };
      }),
    );
    await trx('order_status_history').insert({ order_id: orderId, status: 'new', note: 'Placed in the store', origin: 'store' });
    await trx('reservations').insert(
      priced.map((l) => ({
        client_id: input.clientId,
        counterparty_id: input.counterpartyId,
        user_id: input.userId,
        offer_id: l.offerId,
        warehouse_id: l.warehouseId,
        quantity: l.quantity,
        state: 'active',
        expires_at: trx.raw(`now() + make_interval(hours => ?)`, [ORDER_HOLD_HOURS]),
        order_id: orderId,
      })),
    );
    const payload = {
      orderId,
      number,
      createdAt: new Date().toISOString(),
      counterpartyExternalId: cp.external_id,
      contractExternalId: contract?.external_id ?? null,
      currency: cur,
      total,
      comment: input.comment,
      lines: priced.map((l, i) => ({
        lineNo: i + 1,
        offerExternalId: offers.get(l.offerId)!.external_id,
        warehouseExternalId: whs.get(l.warehouseId)!.external_id,
        sku: offers.get(l.offerId)!.sku,
        name: offers.get(l.offerId)!.name,
        quantity: l.quantity,
        price: l.price,
        amount: l.amount,
      })),
    };
    await trx('outbox').insert({ source_id: cp.source_id, kind: 'order.create', idempotency_key: outboxKey(input.checkoutKey), payload });
    const cart = await trx('carts').where({ user_id: input.userId, counterparty_id: input.counterpartyId }).first('id');
    if (cart) await trx('cart_lines').where({ cart_id: cart.id }).whereIn('offer_id', offerIds).delete();
    return { ok: true, orderId, number, total, currency: cur, repeated: false };
  });
}
