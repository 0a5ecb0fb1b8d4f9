import { expect } from 'chai';
import type { Runtime } from '../../../src/infra/runtime.ts';
import { addToCart } from '../../../src/store/cart/cart.ts';
import { placeOrder } from '../../../src/store/orders/checkout.ts';
import { type StoreFixture, storeFixture } from '../../support/mirror-fixtures.ts';
import { testRuntime, truncate } from '../../support/runtime.ts';

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

  it('writes order, lines, status history, stock hold and the outbox row together', async () => {
    await addToCart(rt.db, { userId: fx.users.a, counterpartyId: fx.cp.aHead, contractId: fx.contracts.aMain }, fx.offers[0]!, '1');
    const r = await placeOrder(rt.db, input('a', 'key-aaaa-1'));
    expect(r.ok).to.equal(true);
    if (!r.ok) return;
    expect(r.number).to.match(/^CP-\d{6}$/);
    expect(r.total).to.equal('85.50');
    const order = await rt.db('orders').where({ id: r.orderId }).first();
    expect(order).to.include({ status: 'new', export_state: 'pending', total: '85.50', counterparty_id: fx.cp.aHead, client_id: fx.clients.a });
    expect(await rt.db('order_lines').where({ order_id: r.orderId }).select('quantity', 'price', 'amount')).to.deep.equal([{ quantity: '1.000', price: '85.50', amount: '85.50' }]);
    expect(await rt.db('order_status_history').where({ order_id: r.orderId }).select('status', 'origin')).to.deep.equal([{ status: 'new', origin: 'store' }]);
    const out = await rt.db('outbox').first();
    expect(out).to.include({ kind: 'order.create', idempotency_key: 'order.create:key-aaaa-1', state: 'pending', source_id: fx.sourceId });
    expect(out.payload).to.deep.include({ orderId: r.orderId, number: r.number, counterpartyExternalId: 'cp-a', contractExternalId: 'k-a1', total: '85.50' });
    expect(out.payload.lines).to.deep.equal([
      { lineNo: 1, offerExternalId: 'p1', warehouseExternalId: 'w-main', sku: 'SKU-001', name: 'Drill Bosch GSB 13', quantity: '1', price: '85.50', amount: '85.50' },
    ]);
    expect(await rt.db('reservations').where({ order_id: r.orderId }).first('state', 'quantity')).to.deep.equal({ state: 'active', quantity: '1.000' });
    expect(await rt.db('cart_lines').count('* as n').first()).to.deep.equal({ n: 0 });
  });

  it('the same checkout key twice gives the same order and one outbox row', async () => {
    const a = await placeOrder(rt.db, input('a', 'key-twice-1'));
    const b = await placeOrder(rt.db, input('a', 'key-twice-1'));
    expect(a.ok && b.ok).to.equal(true);
    if (a.ok && b.ok) {
      expect(b.orderId).to.equal(a.orderId);
      expect(b.repeated).to.equal(true);
    }
    expect(await rt.db('outbox').count('* as n').first()).to.deep.equal({ n: 1 });
  });

  it('two buyers racing for the last unit: exactly one order, the other gets a clear problem', async () => {
    // Main has 1 unit of SKU-001.
    const results = await Promise.all([placeOrder(rt.db, input('a', 'race-a-0001')), placeOrder(rt.db, input('b', 'race-b-0001'))]);
    const ok = results.filter((r) => r.ok);
    const refused = results.filter((r) => !r.ok);
    expect(ok).to.have.length(1);
    expect(refused).to.have.length(1);
    const p = refused[0]!;
    if (!p.ok) expect(p.problems).to.deep.equal([{ offerId: fx.offers[0]!, sku: 'SKU-001', name: 'Drill Bosch GSB 13', warehouse: 'Main', requested: '1', available: '0', reason: 'stock' }]);
    expect(await rt.db('orders').count('* as n').first()).to.deep.equal({ n: 1 });
    expect(await rt.db('outbox').count('* as n').first()).to.deep.equal({ n: 1 });
  });

  it('many concurrent checkouts never sell more than the stock', async () => {
    await rt.db('stock').where({ offer_id: fx.offers[2]!, warehouse_id: fx.warehouses.main }).update({ quantity: '5' });
    const tries = Array.from({ length: 8 }, (_, i) =>
      placeOrder(rt.db, { ...input(i % 2 ? 'a' : 'b', `many-${i}-xxxx`, '2'), lines: [{ offerId: fx.offers[2]!, warehouseId: fx.warehouses.main, quantity: '2' }] }),
    );
    const results = await Promise.all(tries);
    expect(results.filter((r) => r.ok)).to.have.length(2); // 2 + 2 of 5; a third would need 6
    const sold = await rt.db('order_lines').sum('quantity as q').first();
    expect(Number(sold!.q)).to.equal(4);
  });

  it('no order at all when one line is short, even if others are fine', async () => {
    const r = await placeOrder(rt.db, {
      ...input('a', 'partial-0001'),
      lines: [
        { offerId: fx.offers[2]!, warehouseId: fx.warehouses.main, quantity: '1' },
        { offerId: fx.offers[0]!, warehouseId: fx.warehouses.north, quantity: '1' },
      ],
    });
    expect(r.ok).to.equal(false);
    expect(await rt.db('orders').count('* as n').first()).to.deep.equal({ n: 0 });
    expect(await rt.db('reservations').count('* as n').first()).to.deep.equal({ n: 0 });
  });

  it('prices partner-warehouse lines with the commission', async () => {
    const r = await placeOrder(rt.db, { ...input('a', 'partner-0001'), lines: [{ offerId: fx.offers[0]!, warehouseId: fx.warehouses.partner, quantity: '2' }] });
    expect(r.ok && r.total).to.equal('188.10'); // 94.05 × 2
  });

  it('refuses a counterparty of another client', async () => {
    const err = await placeOrder(rt.db, { ...input('a', 'foreign-0001'), counterpartyId: fx.cp.bHead, contractId: null }).then(
      () => null,
      (e: Error) => e.message,
    );
    expect(err).to.equal('This legal entity is not linked to your account.');
  });
});
