import { expect } from 'chai';
import { DomainError } from '../../../src/infra/domain-error.ts';
import type { Runtime } from '../../../src/infra/runtime.ts';
import { addToCart } from '../../../src/store/cart/cart.ts';
import { placeOrder } from '../../../src/store/orders/checkout.ts';
import { createOrder } from '../../../src/store/orders/create.ts';
import { cancelReservation, extendReservation, getReservation, listReservations } from '../../../src/store/reservations/reservations.ts';
import { type StoreFixture, storeFixture } from '../../support/mirror-fixtures.ts';
import { testRuntime, truncate } from '../../support/runtime.ts';
import { until } from '../../support/wait.ts';
import { refusal } from '../../support/refusal.ts';

describe('store/checkout: one transaction, no overselling', () => {
  let rt: Runtime;
  let fx: StoreFixture;
  before(async () => {
    rt = await testRuntime();
  });
  beforeEach(async () => {
    await truncate(rt, 'sources', 'users', 'clients', 'orders', 'outbox', 'reservations');
    fx = await storeFixture(rt.db);
  });

  const input = (who: 'a' | 'b', key: string, quantity = '1') => ({
    userId: fx.users[who],
    clientId: fx.clients[who],
    counterpartyId: who === 'a' ? fx.cp.aHead : fx.cp.bHead,
    contractId: who === 'a' ? fx.contracts.aMain : fx.contracts.bMain,
    lines: [{ offerId: fx.offers[0]!, warehouseId: fx.warehouses.main, quantity }],
    comment: '',
    checkoutKey: key,
  });
  const count = async (table: string) => Number((await rt.db(table).count('* as n').first())!.n);

  it('writes order, lines, status history, stock hold and the outbox row together', async () => {
    await addToCart(rt.db, { userId: fx.users.a, counterpartyId: fx.cp.aHead, contractId: fx.contracts.aMain }, fx.offers[0]!, '1');
    const r = await placeOrder(rt.db, input('a', 'key-aaaa-1'));
    expect(r.repeated).to.equal(false);
    expect(r.number).to.equal(`CP-${String(r.orderId).padStart(6, '0')}`);
    expect(r).to.include({ total: '85.50', currency: 'RUB' });
    const order = await rt.db('orders').where({ id: r.orderId }).first();
    expect(order).to.include({ status: 'new', export_state: 'pending', total: '85.50', counterparty_id: fx.cp.aHead, client_id: fx.clients.a, contract_id: fx.contracts.aMain });
    expect(order!.creation_key).to.equal('checkout:key-aaaa-1');
    expect(await rt.db('order_lines').where({ order_id: r.orderId }).select('quantity', 'price', 'amount', 'name', 'sku')).to.deep.equal([
      { quantity: '1.000', price: '85.50', amount: '85.50', name: 'Drill Bosch GSB 13', sku: 'SKU-001' },
    ]);
    expect(await rt.db('order_status_history').where({ order_id: r.orderId }).select('status', 'origin', 'note')).to.deep.equal([
      { status: 'new', origin: 'store', note: 'Оформлен в магазине' },
    ]);
    const out = await rt.db('outbox').first();
    expect(out).to.include({ kind: 'order.create', idempotency_key: 'order.create:key-aaaa-1', state: 'pending', source_id: fx.sourceId });
    expect(out!.payload).to.deep.equal({ orderId: r.orderId, number: r.number });
    const hold = await rt.db('reservations').where({ order_id: r.orderId }).first('state', 'quantity', rt.db.raw(`round(extract(epoch from expires_at - now()) / 3600) AS hours`));
    expect(hold).to.deep.equal({ state: 'active', quantity: '1.000', hours: '2' });
    expect(await count('cart_lines')).to.equal(0);
  });

  it('the order’s stock hold is not one of the buyer’s reservations: not listed, not cancellable, not extendable', async () => {
    const r = await placeOrder(rt.db, input('a', 'key-hold-1'));
    const hold = await rt.db('reservations').where({ order_id: r.orderId }).first('id', 'order_hold');
    expect(hold!.order_hold).to.equal(true);
    const actor = { userId: fx.users.a, clientId: fx.clients.a, counterpartyId: fx.cp.aHead };
    expect((await listReservations(rt, actor)).map((v) => v.id)).not.to.include(hold!.id);
    expect((await refusal(cancelReservation(rt, actor, hold!.id))).type).to.equal('not_found');
    expect((await refusal(extendReservation(rt, actor, hold!.id))).type).to.equal('not_found');
    expect((await refusal(getReservation(rt, actor, hold!.id))).type).to.equal('not_found');
    expect((await rt.db('reservations').where({ id: hold!.id }).first('state'))!.state).to.equal('active');
  });

  it('the same checkout key twice gives the same order (repeated), one outbox row and one hold', async () => {
    const a = await placeOrder(rt.db, input('a', 'key-twice-1'));
    const b = await placeOrder(rt.db, input('a', 'key-twice-1'));
    expect(b).to.deep.equal({ ...a, repeated: true });
    expect(a.repeated).to.equal(false);
    expect(await count('orders')).to.equal(1);
    expect(await count('outbox')).to.equal(1);
    expect(await count('reservations')).to.equal(1);
  });

  it('two concurrent submits of the same checkout key both get the one order, no error', async () => {
    // Main has 1 unit of SKU-001: the second submit must find the first order, not a shortage.
    const results = await Promise.all([placeOrder(rt.db, input('a', 'key-parallel-1')), placeOrder(rt.db, input('a', 'key-parallel-1'))]);
    expect(results[0]!.orderId).to.equal(results[1]!.orderId);
    expect(results.map((r) => r.repeated).sort()).to.deep.equal([false, true]);
    expect(await count('orders')).to.equal(1);
    expect(await count('outbox')).to.equal(1);
    expect(await count('reservations')).to.equal(1);
  });

  it('a submit that waits on the same key in the unique index gets the committed order (ON CONFLICT)', async () => {
    // The first submit has inserted its order but not committed; the second (other stock rows,
    // so no row lock orders them) must wait on the key, then answer with the first order.
    const first = await rt.db.transaction();
    const mine = await createOrder(first, {
      origin: { kind: 'checkout', checkoutKey: 'key-conflict-1' },
      userId: fx.users.a,
      clientId: fx.clients.a,
      counterpartyId: fx.cp.aHead,
      contractId: fx.contracts.aMain,
      lines: [{ offerId: fx.offers[1]!, warehouseId: fx.warehouses.main, quantity: '1' }],
      comment: '',
    });
    const second = placeOrder(rt.db, { ...input('a', 'key-conflict-1'), lines: [{ offerId: fx.offers[2]!, warehouseId: fx.warehouses.main, quantity: '1' }] });
    await until(
      async () =>
        (
          await rt.db.raw(
            `SELECT 1 FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock' AND query LIKE '%INSERT INTO orders%'`,
          )
        ).rows.length > 0,
      'the second submit to wait on the order key',
    );
    await first.commit();
    const theirs = await second;
    expect(theirs).to.deep.equal({ orderId: mine.orderId, number: mine.number, total: mine.total, currency: mine.currency, repeated: true, awaitingApproval: false });
    expect(await count('orders')).to.equal(1);
    expect(await rt.db('order_lines').pluck('offer_id')).to.deep.equal([fx.offers[1]]);
    expect(await count('reservations')).to.equal(0); // the waiting submit holds nothing of its own
  });

  it("another client's checkout key gives them nothing of the first order", async () => {
    const mine = await placeOrder(rt.db, input('a', 'key-shared-1'));
    const err = await refusal(placeOrder(rt.db, { ...input('b', 'key-shared-1'), lines: [{ offerId: fx.offers[2]!, warehouseId: fx.warehouses.main, quantity: '1' }] }));
    expect(err).to.include({ type: 'conflict', code: 'order.key' });
    expect(JSON.stringify(err.details ?? null)).not.to.contain(String(mine.number));
    expect(await refusal(placeOrder(rt.db, { ...input('b', 'key-shared-1'), lines: [] }))).to.include({ code: 'order.empty' });
    expect(await rt.db('orders').pluck('client_id')).to.deep.equal([fx.clients.a]);
  });

  it('a resubmitted form whose order emptied the cart gets that order back', async () => {
    const first = await placeOrder(rt.db, input('a', 'key-again-1'));
    expect(await placeOrder(rt.db, { ...input('a', 'key-again-1'), lines: [] })).to.deep.equal({ ...first, repeated: true });
  });

  it('two buyers racing for the last unit: exactly one order, the other gets the line problem', async () => {
    const results = await Promise.allSettled([placeOrder(rt.db, input('a', 'race-a-0001')), placeOrder(rt.db, input('b', 'race-b-0001'))]);
    expect(results.filter((r) => r.status === 'fulfilled')).to.have.length(1);
    const refused = results.filter((r) => r.status === 'rejected').map((r) => r.reason);
    expect(refused).to.have.length(1);
    const err = refused[0] as DomainError;
    expect(err).to.be.instanceOf(DomainError);
    expect(err).to.include({ type: 'conflict', code: 'order.stock', userMessage: 'Не хватает на складе: SKU-001.' });
    expect(err.details).to.deep.equal({
      problems: [{ offerId: fx.offers[0]!, sku: 'SKU-001', name: 'Drill Bosch GSB 13', warehouse: 'Main', requested: '1', available: '0', reason: 'stock' }],
    });
    expect(await count('orders')).to.equal(1);
    expect(await count('outbox')).to.equal(1);
  });

  it('many concurrent checkouts never sell more than the stock', async () => {
    await rt.db('stock').where({ offer_id: fx.offers[2]!, warehouse_id: fx.warehouses.main }).update({ quantity: '5' });
    const tries = Array.from({ length: 8 }, (_, i) =>
      placeOrder(rt.db, { ...input(i % 2 ? 'a' : 'b', `many-${i}-xxxx`, '2'), lines: [{ offerId: fx.offers[2]!, warehouseId: fx.warehouses.main, quantity: '2' }] }),
    );
    const results = await Promise.allSettled(tries);
    expect(results.filter((r) => r.status === 'fulfilled')).to.have.length(2); // 2 + 2 of 5; a third would need 6
    for (const r of results) if (r.status === 'rejected') expect((r.reason as DomainError).code).to.equal('order.stock');
    const sold = (await rt.db.raw<{ rows: { q: string }[] }>('SELECT sum(quantity)::text AS q FROM order_lines')).rows[0];
    expect(sold!.q).to.equal('4.000');
  });

  it('no order at all when one line is short, even if others are fine; every problem line is named', async () => {
    const err = await refusal(
      placeOrder(rt.db, {
        ...input('a', 'partial-0001'),
        lines: [
          { offerId: fx.offers[2]!, warehouseId: fx.warehouses.main, quantity: '1' },
          { offerId: fx.offers[0]!, warehouseId: fx.warehouses.north, quantity: '1.5' },
          { offerId: fx.offers[4]!, warehouseId: fx.warehouses.north, quantity: '7' },
        ],
      }),
    );
    expect(err.code).to.equal('order.stock');
    expect((err.details as { problems: { sku: string; requested: string; available: string }[] }).problems.map((p) => [p.sku, p.requested, p.available])).to.deep.equal([
      ['SKU-001', '1.5', '0'],
      ['SKU-005', '7', '0'],
    ]);
    expect(await count('orders')).to.equal(0);
    expect(await count('reservations')).to.equal(0);
    expect(await count('outbox')).to.equal(0);
  });

  it('prices partner-warehouse lines with the commission', async () => {
    const r = await placeOrder(rt.db, { ...input('a', 'partner-0001'), lines: [{ offerId: fx.offers[0]!, warehouseId: fx.warehouses.partner, quantity: '2' }] });
    expect(r.total).to.equal('188.10'); // 94.05 × 2
  });

  it('scopes to the buyer: a foreign counterparty, a foreign contract, unknown offers and warehouses are refusals', async () => {
    const foreignCp = await refusal(placeOrder(rt.db, { ...input('a', 'foreign-0001'), counterpartyId: fx.cp.bHead, contractId: null }));
    expect(foreignCp).to.include({ type: 'not_found', code: 'order.counterparty', userMessage: 'Это юрлицо не привязано к вашему кабинету.' });
    const foreignContract = await refusal(placeOrder(rt.db, { ...input('a', 'foreign-0002'), contractId: fx.contracts.bMain }));
    expect(foreignContract).to.include({ type: 'invalid', code: 'order.contract' });
    const unknownOffer = await refusal(placeOrder(rt.db, { ...input('a', 'unknown-0001'), lines: [{ offerId: 987654, warehouseId: fx.warehouses.main, quantity: '1' }] }));
    expect(unknownOffer).to.include({ type: 'conflict', code: 'order.gone' });
    expect(unknownOffer.details).to.deep.equal({
      problems: [{ offerId: 987654, sku: null, name: 'item 987654', warehouse: 'Main', requested: '1', available: '0', reason: 'gone' }],
    });
    const unknownWarehouse = await refusal(placeOrder(rt.db, { ...input('a', 'unknown-0002'), lines: [{ offerId: fx.offers[1]!, warehouseId: 987654, quantity: '1' }] }));
    expect(unknownWarehouse).to.include({ type: 'conflict', code: 'order.gone' });
    await rt.db('offers').where({ id: fx.offers[1]! }).update({ deleted: true });
    const deleted = await refusal(placeOrder(rt.db, { ...input('a', 'deleted-0001'), lines: [{ offerId: fx.offers[1]!, warehouseId: fx.warehouses.main, quantity: '1' }] }));
    expect(deleted).to.include({ code: 'order.gone', userMessage: 'Больше не продаётся: SKU-002.' });
    expect(await count('orders')).to.equal(0);
  });

  it('refuses an empty cart, a malformed form key and bad quantities as invalid', async () => {
    expect(await refusal(placeOrder(rt.db, { ...input('a', 'empty-0001'), lines: [] }))).to.include({ type: 'invalid', code: 'order.empty' });
    expect(await refusal(placeOrder(rt.db, input('a', 'short')))).to.include({ type: 'invalid', code: 'order.key' });
    for (const q of ['0', '0.000', '-1', '1.2345', '1e3', ''])
      expect(await refusal(placeOrder(rt.db, input('a', 'quantity-0001', q))), q).to.include({ type: 'invalid', code: 'order.quantity' });
    expect(await count('orders')).to.equal(0);
  });

  it('a line without a price is refused with its problem', async () => {
    await rt.db('prices').where({ offer_id: fx.offers[3]! }).delete();
    const err = await refusal(placeOrder(rt.db, { ...input('b', 'noprice-0001'), lines: [{ offerId: fx.offers[3]!, warehouseId: fx.warehouses.main, quantity: '1' }] }));
    expect(err).to.include({ type: 'conflict', code: 'order.price' });
    expect((err.details as { problems: { reason: string }[] }).problems.map((p) => p.reason)).to.deep.equal(['price']);
  });
});
