// The one "order for export" read model, and the SOAP connector's view of it.
import { expect } from 'chai';
import { loadOrdersForExport } from '../../src/mirror/order-export.ts';
import type { Runtime } from '../../src/infra/runtime.ts';
import { orderForExport, orderIdOf } from '../../src/sources/order-rows.ts';
import { type StoreFixture, storeFixture } from '../support/mirror-fixtures.ts';
import { testRuntime, truncate } from '../support/runtime.ts';

describe('mirror: the order-for-export read model', () => {
  let rt: Runtime;
  let f: StoreFixture;
  let first: number;
  let second: number;

  before(async () => {
    rt = await testRuntime();
    await truncate(rt, 'sources', 'clients', 'users', 'orders', 'outbox');
    f = await storeFixture(rt.db);
    const order = (number: string, contractId: number | null) =>
      rt.db('orders')
        .insert({ number, source_id: f.sourceId, client_id: f.clients.a, user_id: f.users.a, counterparty_id: f.cp.aHead, contract_id: contractId, total: '1234.50', comment: 'до обеда' })
        .returning('id')
        .then(([r]) => r.id as number);
    first = await order('CP-000001', f.contracts.aMain);
    second = await order('CP-000002', null);
    await rt.db('order_lines').insert([
      { order_id: first, line_no: 2, offer_id: f.offers[1], warehouse_id: null, sku: 'SKU-002', name: 'Drill Makita', unit: 'pcs', quantity: '0.5', price: '469.00', amount: '234.50' },
      { order_id: first, line_no: 1, offer_id: f.offers[0], warehouse_id: f.warehouses.main, sku: 'SKU-001', name: 'Drill Bosch', unit: 'pcs', quantity: '10', price: '100.00', amount: '1000.00' },
    ]);
  });

  it('loads header and lines with external ids and exact text, in the order asked, leaving out missing ids', async () => {
    const orders = await loadOrdersForExport(rt.db, [second, 999_999, first]);
    expect(orders.map((o) => o.number)).to.deep.equal(['CP-000002', 'CP-000001']);
    const o = orders[1]!;
    expect(o).to.deep.include({
      orderId: first, status: 'new', currency: 'RUB', total: '1234.50', comment: 'до обеда', contractExternalId: 'k-a1',
      counterparty: { externalId: 'cp-a', name: 'Alpha LLC', fullName: null, inn: '7701000001', kpp: null },
    });
    expect(o.createdAt).to.be.instanceOf(Date);
    expect(o.lines).to.deep.equal([
      { lineNo: 1, offerExternalId: 'p1', productExternalId: 'p1', warehouseExternalId: 'w-main', sku: 'SKU-001', name: 'Drill Bosch', unit: 'pcs', quantity: '10.000', price: '100.00', amount: '1000.00' },
      { lineNo: 2, offerExternalId: 'p2', productExternalId: 'p2', warehouseExternalId: null, sku: 'SKU-002', name: 'Drill Makita', unit: 'pcs', quantity: '0.500', price: '469.00', amount: '234.50' },
    ]);
    expect(orders[0]!.lines).to.deep.equal([]);
    expect(orders[0]!.contractExternalId).to.equal(null);
    expect(await loadOrdersForExport(rt.db, [])).to.deep.equal([]);
  });

  it('orderForExport is the same model with the outbox key, for the SOAP exporter', async () => {
    const o = await orderForExport(rt.db, first, 'order.create:k1');
    expect(o).to.deep.include({ idempotencyKey: 'order.create:k1', orderId: first, number: 'CP-000001', counterpartyExternalId: 'cp-a', contractExternalId: 'k-a1', total: '1234.50' });
    expect(o!.lines.map((l) => [l.lineNo, l.offerExternalId, l.warehouseExternalId, l.quantity])).to.deep.equal([[1, 'p1', 'w-main', '10.000'], [2, 'p2', null, '0.500']]);
    expect(new Date(o!.createdAt).toISOString()).to.equal(o!.createdAt);
    expect(await orderForExport(rt.db, 999_999, 'x')).to.equal(undefined);
  });

  it('an outbox payload names its order as { orderId } only: other shapes are not guessed at', () => {
    expect(orderIdOf({ orderId: 42, number: 'CP-000042' })).to.equal(42);
    expect(orderIdOf({ order_id: 42 })).to.equal(undefined);
    expect(orderIdOf({ order: { id: 42 } })).to.equal(undefined);
    expect(orderIdOf({ orderId: '42' })).to.equal(undefined);
    expect(orderIdOf({ orderId: 0 })).to.equal(undefined);
    expect(orderIdOf({ orderId: 1.5 })).to.equal(undefined);
  });
});
