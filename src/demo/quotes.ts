// The demo's open quote: the demo buyer finds one answered request for prices (two items, 5 % off
// their price, valid for a week) with the manager's note in its thread, so accepting a quote and
// its conversation can be tried at once. Made once: a demo
// client that already has a quote keeps its own.
import { storeCurrency } from '../infra/intl.ts';
import { log } from '../infra/log.ts';
import type { Runtime } from '../infra/runtime.ts';
import { storeToday } from '../store/arrivals/arrivals.ts';
import { pricesFor } from '../store/pricing/pricing.ts';
import { mul } from '../store/shared/decimal.ts';

export async function ensureDemoQuote(rt: Runtime): Promise<number | null> {
  const buyer = await rt.db('users').where({ email: 'buyer@demo.local', demo: true }).first('id', 'client_id');
  const clientId = buyer?.client_id;
  if (!buyer || !clientId) return null;
  if (await rt.db('quotes').where({ client_id: clientId }).first('id')) return null;
  const client = (await rt.db('clients').where({ id: clientId }).first('head_counterparty_id'))!;
  const counterpartyId = client.head_counterparty_id as number;
  const contract = await rt.db('contracts').where({ counterparty_id: counterpartyId, deleted: false }).orderBy([{ column: 'is_default', order: 'desc' }, 'id']).first('id');
  const offers = await rt.db('stock as s').join('warehouses as w', 'w.id', 's.warehouse_id').join('offers as o', 'o.id', 's.offer_id')
    .where({ 'w.kind': 'own', 'w.deleted': false, 'o.deleted': false, 's.deleted': false }).where('s.quantity', '>=', 20)
    .orderBy(['s.offer_id', 'w.sort', 'w.id']).limit(2).select('s.offer_id', 's.warehouse_id');
  const prices = await pricesFor(rt.db, { counterpartyId, contractId: contract?.id ?? null }, offers.map((o) => o.offer_id));
  const lines = offers.filter((o) => prices.get(o.offer_id)?.price);
  if (!lines.length) return null;
  const manager = await rt.db('users').where({ email: 'manager@demo.local', demo: true }).first('id');
  const validUntil = new Date(`${storeToday()}T00:00:00Z`);
  validUntil.setUTCDate(validUntil.getUTCDate() + 7);
  return rt.db.transaction(async (trx) => {
    const [q] = await trx('quotes').insert({
      client_id: clientId, counterparty_id: counterpartyId, contract_id: contract?.id ?? null, user_id: buyer.id, status: 'answered',
      comment: 'Нужна цена на партию', answer: 'Скидка 5 % при заказе до конца недели', currency: prices.get(lines[0]!.offer_id)!.currency ?? storeCurrency(),
      valid_until: validUntil.toISOString().slice(0, 10), answered_by: manager?.id ?? null, answered_at: trx.fn.now(),
    }).returning('id');
    await trx('quote_lines').insert(lines.map((l, i) => ({
      quote_id: q.id, line_no: i + 1, offer_id: l.offer_id, warehouse_id: l.warehouse_id, requested_quantity: '10', quantity: '10',
      price: mul(prices.get(l.offer_id)!.price!, '0.95'),
    })));
    await trx('messages').insert({
      client_id: clientId, quote_id: q.id, author_user_id: manager?.id ?? null, from_side: 'manager',
      body: 'Цены со скидкой 5 % держим неделю. Если нужно другое количество — напишите здесь, пересчитаю.',
    });
    log.info({ quote: q.id }, 'demo: an open quote for the demo buyer');
    return q.id as number;
  });
}
