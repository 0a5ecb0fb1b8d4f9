// The stock an order holds in the store ends when the accounting system's stock reflects the
// order: at the first completed stock sync of its source that started after the export (or
// when the system confirms it, see test/jobs/orders.test.ts) — never after a fixed time, and
// never subtracted twice.
import { expect } from 'chai';
import type { Runtime } from '../../src/infra/runtime.ts';
import { applyAccountingStatuses } from '../../src/mirror/order-status.ts';
import { expireDue } from '../../src/store/reservations/lifecycle.ts';
import { offerReservable } from '../../src/store/reservations/reservable.ts';
import { applyBatch, openSyncRun } from '../../src/sync/index.ts';
import { type StoreFixture, storeFixture } from '../support/mirror-fixtures.ts';
import { testRuntime, truncate } from '../support/runtime.ts';

describe('sync: an order’s stock hold ends with the first stock sync after its export', () => {
  let rt: Runtime;
  let f: StoreFixture;
  let offer: number;

  /** An order of 4 × SKU-003 at Main (stock 30) with the hold checkout writes. */
  async function orderWithHold(number: string): Promise<number> {
    const [o] = await rt.db('orders')
      .insert({ number, source_id: f.sourceId, client_id: f.clients.a, user_id: f.users.a, counterparty_id: f.cp.aHead, total: '1080.00' })
      .returning('id');
    await rt.db('order_lines').insert({ order_id: o.id, line_no: 1, offer_id: offer, warehouse_id: f.warehouses.main, name: 'Hammer', quantity: '4', price: '270.00', amount: '1080.00' });
    await rt.db('reservations').insert({
      client_id: f.clients.a, counterparty_id: f.cp.aHead, user_id: f.users.a, offer_id: offer, warehouse_id: f.warehouses.main, quantity: '4',
      state: 'active', expires_at: rt.db.raw(`now() + interval '2 hours'`), order_id: o.id,
    });
    return o.id;
  }
  const exported = (id: number) => rt.db('orders').where({ id }).update({ export_state: 'exported', exported_at: rt.db.fn.now() });
  const holdOf = (id: number) => rt.db('reservations').where({ order_id: id }).first('state', 'ended_at').then((r) => r!.state as string);
  const availableAtMain = async () => (await offerReservable(rt.db, offer, f.users.b))!.warehouses.find((w) => w.warehouseId === f.warehouses.main)!.available;
  const stockSync = (quantity: string) =>
    applyBatch({ db: rt.db }, { sourceId: f.sourceId, kind: 'changes', mode: 'delta' }, { stock: [{ offerExternalId: 'p3', warehouseExternalId: 'w-main', quantity }] });

  before(async () => {
    rt = await testRuntime();
  });
  beforeEach(async () => {
    await truncate(rt, 'sources', 'clients', 'users', 'orders', 'outbox', 'reservations', 'sync_runs');
    f = await storeFixture(rt.db);
    offer = f.offers[2]!;
  });

  it('counts until a stock sync that started after the export completes; then the system’s stock alone counts', async () => {
    const id = await orderWithHold('CP-000100');
    expect(await availableAtMain()).to.equal('26');
    // Not exported yet: a stock sync cannot reflect it, the hold stays.
    await stockSync('30');
    expect(await holdOf(id)).to.equal('active');
    expect(await availableAtMain()).to.equal('26');

    // A run that started before the export read the system's stock too early: the hold stays.
    const early = await openSyncRun({ db: rt.db }, { sourceId: f.sourceId, kind: 'changes', mode: 'delta' });
    await rt.db('sync_runs').where({ id: early.id }).update({ started_at: rt.db.raw(`now() - interval '1 second'`) });
    await exported(id);
    await early.add('stock', [{ offerExternalId: 'p3', warehouseExternalId: 'w-main', quantity: '30' }]);
    await early.commit();
    expect(await holdOf(id)).to.equal('active');
    // A sync without stock says nothing about it either.
    await applyBatch({ db: rt.db }, { sourceId: f.sourceId, kind: 'changes', mode: 'delta' }, { prices: [{ offerExternalId: 'p3', priceTypeExternalId: 'pt-base', value: '300.00' }] });
    expect(await holdOf(id)).to.equal('active');
    expect(await availableAtMain()).to.equal('26');

    // The system took the 4 out of its stock; the next stock sync brings 26 and ends the hold:
    // 26 available, not 22.
    const r = await stockSync('26');
    expect(await holdOf(id)).to.equal('ordered');
    expect(await availableAtMain()).to.equal('26');
    expect(r.changed).to.equal(true);
  });

  it('does not end after its 2 hours, nor holds of other orders or sources', async () => {
    const id = await orderWithHold('CP-000101');
    const pending = await orderWithHold('CP-000102');
    await rt.db('reservations').update({ expires_at: rt.db.raw(`now() - interval '1 minute'`) });
    expect(await expireDue(rt)).to.deep.equal([]);
    expect(await holdOf(id)).to.equal('active');
    expect(await availableAtMain()).to.equal('22');

    await exported(id);
    const [other] = await rt.db('sources').insert({ name: 'other', kind: 'soap' }).returning('id');
    await applyBatch({ db: rt.db }, { sourceId: other.id, kind: 'changes', mode: 'delta' }, { stock: [] });
    expect(await holdOf(id)).to.equal('active');
    await stockSync('26');
    expect(await holdOf(id)).to.equal('ordered');
    expect(await holdOf(pending)).to.equal('active');
    expect(await availableAtMain()).to.equal('22');
  });

  it('ends when the system confirms the order or names it, not on a status the store set itself', async () => {
    const confirmed = await orderWithHold('CP-000103');
    const named = await orderWithHold('CP-000104');
    const cancelled = await orderWithHold('CP-000105');
    const untouched = await orderWithHold('CP-000106');
    const r = await rt.db.transaction((trx) =>
      applyAccountingStatuses(trx, f.sourceId, [
        { keys: ['CP-000103'], code: 'confirmed', text: 'Принят' },
        { keys: ['CP-000104'], externalNumber: 'УТ-104', note: 'номер в 1С' },
        { keys: ['CP-000105'], code: 'cancelled', text: 'Отменен' },
        { keys: ['CP-000106'], code: 'new', text: 'Новый' },
      ]),
    );
    expect(r.releasedOffers).to.deep.equal([offer]);
    expect([await holdOf(confirmed), await holdOf(named), await holdOf(cancelled), await holdOf(untouched)]).to.deep.equal(['ordered', 'ordered', 'cancelled', 'active']);
    expect(await availableAtMain()).to.equal('26');
  });
});
