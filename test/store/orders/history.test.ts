// Order statuses as code + the accounting system's text: the migration that converted the raw
// texts SOAP sources used to write, and what the order history gives the pages.
import { expect } from 'chai';
import { down, up } from '../../../migrations/20261202130001_order_status_codes.ts';
import type { Runtime } from '../../../src/infra/runtime.ts';
import { listOrders, orderDetail } from '../../../src/store/orders/history.ts';
import { orderStatusLabel } from '../../../src/web/format.ts';
import { type StoreFixture, storeFixture } from '../../support/mirror-fixtures.ts';
import { testRuntime, truncate } from '../../support/runtime.ts';

describe('store/orders/history: status code + source text', () => {
  let rt: Runtime;
  let f: StoreFixture;
  const newOrder = (number: string, counterpartyId: number, clientId: number) =>
    rt.db('orders').insert({ number, source_id: f.sourceId, client_id: clientId, counterparty_id: counterpartyId, total: '10.00' }).returning('id').then(([r]) => r.id as number);

  before(async () => {
    rt = await testRuntime();
  });
  beforeEach(async () => {
    await truncate(rt, 'sources', 'clients', 'users', 'orders', 'outbox');
    f = await storeFixture(rt.db);
  });

  it('the migration keeps codes, maps known texts to their code and keeps unknown ones as text with code "confirmed"', async () => {
    // Run the migration's down and up in a transaction that is rolled back: the other tables stay as they are.
    const trx = await rt.db.transaction();
    try {
      await down(trx);
      const rows: [string, string][] = [['CP-1', 'new'], ['CP-2', 'shipped'], ['CP-3', 'Отгружен'], ['CP-4', ' принят '], ['CP-5', 'Отменён'], ['CP-6', 'Ждёт оплаты']];
      const ids: number[] = [];
      for (const [number, status] of rows) {
        const [o] = await trx('orders').insert({ number, source_id: f.sourceId, client_id: f.clients.a, counterparty_id: f.cp.aHead, total: '1.00', status: trx.raw('?', [status]) }).returning('id'); // the schema before the codes
        await trx('order_status_history').insert({ order_id: o!.id, status: trx.raw('?', [status]), origin: 'accounting' });
        ids.push(o.id);
      }
      await up(trx);
      const expected = [['new', ''], ['shipped', ''], ['shipped', 'Отгружен'], ['confirmed', ' принят '], ['cancelled', 'Отменён'], ['confirmed', 'Ждёт оплаты']];
      const orders = await trx('orders').whereIn('id', ids).orderBy('id').select('status', 'status_text');
      expect(orders.map((o) => [o.status, o.status_text])).to.deep.equal(expected);
      const hist = await trx('order_status_history').whereIn('order_id', ids).orderBy('order_id').select('status', 'status_text', 'mail_pending');
      expect(hist.map((h) => [h.status, h.status_text])).to.deep.equal(expected);
      expect(hist.every((h) => h.mail_pending === false)).to.equal(true); // history is never e-mailed afterwards
      // From now on only the canonical codes are accepted.
      await trx.raw('SAVEPOINT bad');
      const err = await trx('orders').where({ id: ids[0] }).update({ status: trx.raw('?', ['Отгружен']) }).catch((e: Error) => e);
      expect(String(err)).to.match(/orders_status_code/);
      await trx.raw('ROLLBACK TO SAVEPOINT bad');
    } finally {
      await trx.rollback();
    }
  });

  it('lists and shows the code and the source text, scoped to the viewer’s counterparties', async () => {
    const id = await newOrder('CP-000010', f.cp.aHead, f.clients.a);
    const other = await newOrder('CP-000011', f.cp.bHead, f.clients.b);
    await rt.db('orders').whereIn('id', [id, other]).update({ status: 'shipped', status_text: 'Отгружен со склада' });
    await rt.db('order_status_history').insert([
      { order_id: id, status: 'new', note: 'Оформлен в магазине', origin: 'store' },
      { order_id: id, status: 'shipped', status_text: 'Отгружен со склада', note: 'машина вышла', origin: 'accounting' },
    ]);
    const list = await listOrders(rt.db, [f.cp.aHead, f.cp.aChild], null);
    expect(list.map((o) => [o.number, o.status, o.statusText])).to.deep.equal([['CP-000010', 'shipped', 'Отгружен со склада']]);
    const d = await orderDetail(rt.db, [f.cp.aHead], id);
    expect(d!.history.map((h) => [h.status, h.statusText, h.note, h.origin])).to.deep.equal([
      ['new', '', 'Оформлен в магазине', 'store'],
      ['shipped', 'Отгружен со склада', 'машина вышла', 'accounting'],
    ]);
    expect(await orderDetail(rt.db, [f.cp.aHead], other)).to.equal(null);
    expect(orderStatusLabel(d!.status)).to.equal('Shipped');
    expect(orderStatusLabel('cancelled', 'ru')).to.equal('Отменён');
    expect(orderStatusLabel('something else')).to.equal('something else');
  });
});
