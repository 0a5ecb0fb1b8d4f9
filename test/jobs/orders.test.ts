import { expect } from 'chai';
import { exportDueOrders } from '../../jobs/orders-export.ts';
import { pullOrderStatuses } from '../../jobs/orders-status.ts';
import { runFullSync, soapSourceRow } from '../../src/sources/soap-source.ts';
import type { Simulator } from '../../sim/index.ts';
import type { Runtime } from '../../src/infra/runtime.ts';
import { testRuntime, truncate } from '../support/runtime.ts';
import { simSource } from '../support/sim-source.ts';

describe('jobs: orders.export and orders.status against the simulator', () => {
  let rt: Runtime;
  let sim: Simulator;
  let sourceId: number;
  let orderId: number;

  const outbox = () => rt.db('outbox').orderBy('id').first();
  const makeDue = () => rt.db('outbox').update({ next_attempt_at: rt.db.fn.now() });

  before(async () => {
    rt = await testRuntime();
    await truncate(rt, 'sources', 'clients', 'orders', 'outbox');
    // Other test files may have left a status cursor for a source id this file now reuses.
    await rt.db('settings').where('key', 'like', 'orders.status.cursor:%').del();
    ({ sim, sourceId } = await simSource(rt, 'sim'));
    await runFullSync(rt, await soapSourceRow(rt, 'sim'));
    const cp = await rt.db('counterparties').where({ source_id: sourceId }).orderBy('id').first('id', 'external_id');
    const contract = await rt.db('contracts').where({ counterparty_id: cp!.id }).first('id');
    const offers = await rt.db('offers').where({ source_id: sourceId }).orderBy('id').limit(2).select('id', 'name', 'external_id');
    const wh = await rt.db('warehouses').where({ source_id: sourceId, external_id: 'WH01' }).first('id');
    const [client] = await rt.db('clients').insert({ name: 'Клиент' }).returning('id');
    [{ id: orderId }] = await rt.db('orders')
      .insert({ number: 'CP-1001', source_id: sourceId, client_id: client.id, counterparty_id: cp!.id, contract_id: contract?.id ?? null, total: '350.00', comment: 'к 10:00' })
      .returning('id');
    await rt.db('order_lines').insert([
      { order_id: orderId, line_no: 1, offer_id: offers[0].id, warehouse_id: wh!.id, name: offers[0].name ?? '', quantity: '2', price: '100.00', amount: '200.00' },
      { order_id: orderId, line_no: 2, offer_id: offers[1].id, warehouse_id: null, name: offers[1].name ?? '', quantity: '1.5', price: '100.00', amount: '150.00' },
    ]);
    await rt.db('outbox').insert({ source_id: sourceId, kind: 'order.create', idempotency_key: `order:${orderId}`, payload: { orderId } });
  });
  after(() => sim.stop());
  afterEach(() => sim.faults.clear());

  it('keeps the order while the system is down, retrying with growing backoff, never giving up', async () => {
    sim.faults.set({ kind: 'down' });
    for (let i = 1; i <= 4; i++) {
      await makeDue();
      expect(await exportDueOrders(rt)).to.deep.equal({ delivered: 0, failed: 0, retrying: 1 });
      const row = await outbox();
      expect(row).to.include({ state: 'pending', attempts: i });
      expect(row!.last_error).to.match(/unreachable/);
      expect(new Date(row!.next_attempt_at).getTime()).to.be.greaterThan(Date.now());
    }
    // Not due yet: nothing is attempted.
    expect(await exportDueOrders(rt)).to.deep.equal({ delivered: 0, failed: 0, retrying: 0 });
    expect(sim.state.orders()).to.have.length(0);
  });

  it('delivers exactly once even when the answer to CreateOrder is lost', async () => {
    // The system registers the order, but its answer is cut off: the store cannot know.
    sim.faults.set({ kind: 'truncated', operations: ['CreateOrder'], times: 1 });
    await makeDue();
    expect(await exportDueOrders(rt)).to.deep.equal({ delivered: 0, failed: 0, retrying: 1 });
    expect(sim.state.orders()).to.have.length(1);
    await makeDue();
    expect(await exportDueOrders(rt)).to.deep.equal({ delivered: 1, failed: 0, retrying: 0 });
    expect(sim.state.orders()).to.have.length(1);
    const o = sim.state.orders()[0]!;
    expect(o).to.include({ storeOrderId: `order:${orderId}`, storeNumber: 'CP-1001', comment: 'к 10:00' });
    expect(o.lines.map((l) => [l.quantity, l.warehouseId])).to.deep.equal([['2.000', 'WH01'], ['1.500', null]]);
    const order = await rt.db('orders').where({ id: orderId }).first();
    expect(order).to.include({ export_state: 'exported', external_id: o.id, external_number: o.number });
    expect(await outbox()).to.include({ state: 'delivered', attempts: 6, last_error: null });
    await makeDue();
    expect(await exportDueOrders(rt)).to.deep.equal({ delivered: 0, failed: 0, retrying: 0 });
    expect(sim.state.orders()).to.have.length(1);
  });

  it('marks an outbox row failed, with the reason, when retrying cannot help', async () => {
    await rt.db('outbox').insert({ source_id: sourceId, kind: 'order.create', idempotency_key: 'order:999999', payload: { orderId: 999999 } });
    expect(await exportDueOrders(rt)).to.deep.equal({ delivered: 0, failed: 1, retrying: 0 });
    const row = await rt.db('outbox').where({ idempotency_key: 'order:999999' }).first();
    expect(row!.state).to.equal('failed');
    expect(row!.last_error).to.equal(`outbox row ${row!.id}: order 999999 does not exist`);
  });

  it('pulls order statuses into the history and the order, once', async () => {
    sim.postOrderStatus('CP-1001', 'Собран', 'ожидает отгрузки');
    sim.postOrderStatus('CP-1001', 'Отгружен');
    const r = await pullOrderStatuses(rt, 'sim');
    expect(r).to.deep.equal({ applied: 3, unknown: [] });
    const hist = await rt.db('order_status_history').where({ order_id: orderId }).orderBy('id').select('status', 'note', 'origin');
    expect(hist).to.deep.equal([
      { status: 'Принят', note: 'Заказ зарегистрирован в учётной системе', origin: 'accounting' },
      { status: 'Собран', note: 'ожидает отгрузки', origin: 'accounting' },
      { status: 'Отгружен', note: '', origin: 'accounting' },
    ]);
    expect(await rt.db('orders').where({ id: orderId }).first()).to.include({ status: 'Отгружен', external_number: sim.state.orders()[0]!.number });
    expect(await pullOrderStatuses(rt, 'sim')).to.deep.equal({ applied: 0, unknown: [] });
    // A crash after the pull but before the cursor moved repeats it: still no duplicates.
    await rt.db('settings').where('key', 'like', 'orders.status.cursor:%').del();
    expect(await pullOrderStatuses(rt, 'sim')).to.deep.equal({ applied: 0, unknown: [] });
    expect(await rt.db('order_status_history').where({ order_id: orderId }).count({ n: '*' })).to.deep.equal([{ n: 3 }]);
  });
});
