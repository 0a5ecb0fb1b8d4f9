import { expect } from 'chai';
import { messageIn } from '../../../src/infra/domain-error.ts';
import type { Runtime } from '../../../src/infra/runtime.ts';
import { placeOrder } from '../../../src/store/orders/checkout.ts';
import { orderNumber } from '../../../src/store/orders/order-number.ts';
import { down as dropCreationKey, up as addCreationKey } from '../../../migrations/20261202120001_order_creation_key.ts';
import { type Actor, convertToOrder, reserve } from '../../../src/store/reservations/reservations.ts';
import { type StoreFixture, storeFixture } from '../../support/mirror-fixtures.ts';
import { resetQueues } from '../../support/queues.ts';
import { testRuntime, truncate } from '../../support/runtime.ts';
import { refusal } from '../../support/refusal.ts';

describe('store/orders/createOrder: one way to create an order (checkout and reservations)', () => {
  let rt: Runtime;
  let fx: StoreFixture;
  let a: Actor;
  before(async () => {
    rt = await testRuntime();
  });
  beforeEach(async () => {
    await truncate(rt, 'sources', 'users', 'clients', 'orders', 'outbox', 'reservations');
    await resetQueues(rt);
    fx = await storeFixture(rt.db);
    a = { userId: fx.users.a, clientId: fx.clients.a, counterpartyId: fx.cp.aHead, contractId: fx.contracts.aMain };
  });

  const checkout = (key: string, lines: { offerId: number; warehouseId: number; quantity: string }[], who: 'a' | 'b' = 'a') =>
    placeOrder(rt.db, {
      userId: fx.users[who],
      clientId: fx.clients[who],
      counterpartyId: who === 'a' ? fx.cp.aHead : fx.cp.bHead,
      contractId: who === 'a' ? fx.contracts.aMain : fx.contracts.bMain,
      lines,
      comment: '',
      checkoutKey: key,
    });
  const count = async (table: string) => Number((await rt.db(table).count('* as n').first())!.n);
  const setStock = (offerId: number, warehouseId: number, quantity: string) =>
    rt.db('stock').where({ offer_id: offerId, warehouse_id: warehouseId }).update({ quantity });

  /** A second accounting system with one stocked, priced item (the buyer's counterparty is in the first). */
  async function secondSource(): Promise<{ offerId: number; warehouseId: number }> {
    const [src] = await rt.db('sources').insert({ name: 'second', kind: 'soap' }).returning('id');
    const s = { source_id: src.id };
    const [pt] = await rt.db('price_types').insert({ ...s, external_id: 'pt2', name: 'Base 2', is_base: true }).returning('id');
    const [w] = await rt.db('warehouses').insert({ ...s, external_id: 'w2', name: 'Second store' }).returning('id');
    const [p] = await rt.db('products').insert({ ...s, external_id: 'x1', sku: 'X-001', name: 'Ladder', unit: 'pcs' }).returning('id');
    const [o] = await rt.db('offers').insert({ ...s, external_id: 'x1', product_id: p.id, sku: 'X-001' }).returning('id');
    await rt.db('prices').insert({ ...s, offer_id: o.id, price_type_id: pt.id, value: '50.00' });
    await rt.db('stock').insert({ ...s, offer_id: o.id, warehouse_id: w.id, quantity: '10' });
    return { offerId: o.id, warehouseId: w.id };
  }

  it('computes money exactly in SQL: 3 × 0.10, 1000.125 × 1234567.89 and 0.333 × 0.10 rounded at the columns’ scale', async () => {
    // Contract B-1 has no discount: individual contract prices are the line prices.
    await rt.db('contract_prices').insert([
      { source_id: fx.sourceId, contract_id: fx.contracts.bMain, offer_id: fx.offers[1]!, value: '0.1' },
      { source_id: fx.sourceId, contract_id: fx.contracts.bMain, offer_id: fx.offers[2]!, value: '1234567.89' },
      { source_id: fx.sourceId, contract_id: fx.contracts.bMain, offer_id: fx.offers[3]!, value: '0.1' },
    ]);
    await setStock(fx.offers[2]!, fx.warehouses.main, '2000');
    const r = await checkout(
      'money-0001',
      [
        { offerId: fx.offers[1]!, warehouseId: fx.warehouses.main, quantity: '3' },
        { offerId: fx.offers[2]!, warehouseId: fx.warehouses.main, quantity: '1000.125' },
        { offerId: fx.offers[3]!, warehouseId: fx.warehouses.main, quantity: '0.333' },
      ],
      'b',
    );
    const lines = await rt.db('order_lines').where({ order_id: r.orderId }).orderBy('line_no').select('quantity', 'price', 'amount');
    expect(lines).to.deep.equal([
      { quantity: '3.000', price: '0.10', amount: '0.30' }, // not 0.30000000000000004
      { quantity: '1000.125', price: '1234567.89', amount: '1234722210.99' }, // 1234722210.98625
      { quantity: '0.333', price: '0.10', amount: '0.03' }, // 0.0333
    ]);
    expect(r.total).to.equal('1234722211.32');
    expect((await rt.db('orders').where({ id: r.orderId }).first('total'))!.total).to.equal('1234722211.32');
  });

  it('one currency per order: lines priced in another currency are refused, each named', async () => {
    // SKU-002 has an individual price on contract A-1; make it a dollar price.
    await rt.db('contract_prices').where({ contract_id: fx.contracts.aMain, offer_id: fx.offers[1]! }).update({ currency: 'USD' });
    const err = await refusal(
      checkout('currency-0001', [
        { offerId: fx.offers[0]!, warehouseId: fx.warehouses.partner, quantity: '1' },
        { offerId: fx.offers[1]!, warehouseId: fx.warehouses.main, quantity: '2' },
        { offerId: fx.offers[2]!, warehouseId: fx.warehouses.main, quantity: '1' },
      ]),
    );
    expect(err).to.include({ type: 'invalid', code: 'order.currency' });
    expect(err.userMessage).to.equal('Один заказ — в одной валюте (RUB): закажите SKU-002 (USD) отдельно.');
    expect(messageIn('en', err.text!)).to.equal('One order is in one currency (RUB): order SKU-002 (USD) separately.');
    expect(err.details).to.deep.equal({
      currency: 'RUB',
      problems: [{ offerId: fx.offers[1]!, sku: 'SKU-002', name: 'Drill Makita HP1630', warehouse: 'Main', requested: '2', available: '20', reason: 'currency', currency: 'USD' }],
    });
    expect(await count('orders')).to.equal(0);
    expect(await count('reservations')).to.equal(0);
    // On its own the dollar line is an order in dollars.
    const usd = await checkout('currency-0002', [{ offerId: fx.offers[1]!, warehouseId: fx.warehouses.main, quantity: '2' }]);
    expect(usd).to.include({ currency: 'USD', total: '285.00' });
  });

  it('one accounting system per order: lines from another source are refused, each named', async () => {
    const x = await secondSource();
    const err = await refusal(
      checkout('source-0001', [
        { offerId: fx.offers[2]!, warehouseId: fx.warehouses.main, quantity: '1' },
        { offerId: x.offerId, warehouseId: x.warehouseId, quantity: '1' },
      ]),
    );
    expect(err).to.include({ type: 'invalid', code: 'order.source' });
    expect(err.details).to.deep.equal({
      problems: [{ offerId: x.offerId, sku: 'X-001', name: 'Ladder', warehouse: 'Second store', requested: '1', available: '10', reason: 'source', source: 'second' }],
    });
    expect(await count('orders')).to.equal(0);
  });

  it('reservation → order refuses mixed sources and currencies the same way, and leaves the reservations active', async () => {
    const x = await secondSource();
    const mine = await reserve(rt, a, { offerId: fx.offers[2]!, warehouseId: fx.warehouses.main, quantity: '1' });
    const other = await reserve(rt, a, { offerId: x.offerId, warehouseId: x.warehouseId, quantity: '1' });
    expect(await refusal(convertToOrder(rt, a, [mine.id, other.id]))).to.include({ type: 'invalid', code: 'order.source' });
    await rt.db('contract_prices').where({ contract_id: fx.contracts.aMain, offer_id: fx.offers[1]! }).update({ currency: 'USD' });
    const usd = await reserve(rt, a, { offerId: fx.offers[1]!, warehouseId: fx.warehouses.main, quantity: '1' });
    const cur = await refusal(convertToOrder(rt, a, [mine.id, usd.id]));
    expect(cur).to.include({ type: 'invalid', code: 'order.currency' });
    expect((cur.details as { problems: { offerId: number }[] }).problems.map((p) => p.offerId)).to.deep.equal([fx.offers[1]]);
    expect(await count('orders')).to.equal(0);
    expect(await rt.db('reservations').whereIn('id', [mine.id, other.id, usd.id]).pluck('state')).to.deep.equal(['active', 'active', 'active']);
  });

  it('reservation → order goes through the same function: same number format, same prices and totals as a checkout', async () => {
    const r1 = await reserve(rt, a, { offerId: fx.offers[1]!, warehouseId: fx.warehouses.main, quantity: '3' });
    const r2 = await reserve(rt, a, { offerId: fx.offers[2]!, warehouseId: fx.warehouses.partner, quantity: '1.5' });
    const fromReservations = await convertToOrder(rt, a, [r2.id, r1.id], 'asap');
    const fromCart = await checkout('same-0001', [
      { offerId: fx.offers[1]!, warehouseId: fx.warehouses.main, quantity: '3' },
      { offerId: fx.offers[2]!, warehouseId: fx.warehouses.partner, quantity: '1.5' },
    ]);
    expect(fromReservations.number).to.equal(orderNumber(fromReservations.orderId));
    expect(fromCart.number).to.equal(orderNumber(fromCart.orderId));
    expect(fromReservations.total).to.equal('850.73').and.equal(fromCart.total);
    const linesOf = (orderId: number) => rt.db('order_lines').where({ order_id: orderId }).orderBy('offer_id').select('offer_id', 'warehouse_id', 'quantity', 'price', 'amount');
    expect(await linesOf(fromReservations.orderId)).to.deep.equal(await linesOf(fromCart.orderId));
    const o = await rt.db('orders').where({ id: fromReservations.orderId }).first();
    expect(o).to.include({ creation_key: `reservations:${r1.id},${r2.id}`, contract_id: fx.contracts.aMain, currency: 'RUB', source_id: fx.sourceId, comment: 'asap' });
    expect(await rt.db('order_status_history').where({ order_id: o!.id }).first('status', 'note')).to.deep.equal({ status: 'new', note: `Из резервов #${r2.id}, #${r1.id}` });
    const out = await rt.db('outbox').where({ kind: 'order.create' }).orderBy('id').select('idempotency_key', 'payload');
    expect(out).to.deep.equal([
      { idempotency_key: `order.create:${fromReservations.orderId}`, payload: { orderId: fromReservations.orderId, number: fromReservations.number } },
      { idempotency_key: 'order.create:same-0001', payload: { orderId: fromCart.orderId, number: fromCart.number } },
    ]);
  });

  it('without a chosen contract, a reservation order is priced under and records the default contract', async () => {
    const r = await reserve(rt, a, { offerId: fx.offers[1]!, warehouseId: fx.warehouses.main, quantity: '1' });
    const order = await convertToOrder(rt, { ...a, contractId: undefined }, [r.id]);
    expect(order.total).to.equal('142.50'); // A-1's individual price 150 − 5 %
    expect((await rt.db('orders').where({ id: order.orderId }).first('contract_id'))!.contract_id).to.equal(fx.contracts.aMain);
    const r2 = await reserve(rt, a, { offerId: fx.offers[1]!, warehouseId: fx.warehouses.main, quantity: '1' });
    expect(await refusal(convertToOrder(rt, { ...a, contractId: fx.contracts.bMain }, [r2.id]))).to.include({ type: 'invalid', code: 'order.contract' });
  });

  it('the migration gives orders placed before it their creation key, so an old form still finds its order', async () => {
    const viaCart = await checkout('old-form-0001', [{ offerId: fx.offers[2]!, warehouseId: fx.warehouses.main, quantity: '1' }]);
    const r1 = await reserve(rt, a, { offerId: fx.offers[1]!, warehouseId: fx.warehouses.main, quantity: '1' });
    const r2 = await reserve(rt, a, { offerId: fx.offers[3]!, warehouseId: fx.warehouses.main, quantity: '1' });
    const viaReservations = await convertToOrder(rt, a, [r2.id, r1.id]);
    await dropCreationKey(rt.db);
    try {
      expect(await rt.db('orders').first()).not.to.have.property('creation_key');
    } finally {
      await addCreationKey(rt.db);
    }
    expect(await rt.db('orders').orderBy('id').select('id', 'creation_key')).to.deep.equal([
      { id: viaCart.orderId, creation_key: 'checkout:old-form-0001' },
      { id: viaReservations.orderId, creation_key: `reservations:${r1.id},${r2.id}` },
    ]);
    const again = await checkout('old-form-0001', [{ offerId: fx.offers[2]!, warehouseId: fx.warehouses.main, quantity: '1' }]);
    expect(again).to.include({ orderId: viaCart.orderId, repeated: true });
  });

  it('numbers orders CP- and the id from the orders sequence, zero-padded to 6 digits, longer ids whole', async () => {
    expect(orderNumber(7)).to.equal('CP-000007');
    expect(orderNumber(1234567)).to.equal('CP-1234567');
    await rt.db.raw(`SELECT setval(pg_get_serial_sequence('orders', 'id'), 1234566)`);
    const r = await checkout('number-0001', [{ offerId: fx.offers[2]!, warehouseId: fx.warehouses.main, quantity: '1' }]);
    expect(r).to.include({ orderId: 1234567, number: 'CP-1234567' });
  });
});
