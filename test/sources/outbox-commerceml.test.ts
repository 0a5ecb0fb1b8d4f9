// A CommerceML source's 'order.create' outbox rows, with the test playing 1C over HTTP: 1C pulls
// the orders (sale/query) and confirms them (sale/success); only the confirmation delivers the
// rows. orders.export (SOAP sources only) never touches them.
import { expect } from 'chai';
import { exportDueOrders } from '../../jobs/orders-export.ts';
import { purgeOutbox } from '../../jobs/outbox-purge.ts';
import type { OneCClient } from '../../sim/commerceml/client.ts';
import { type Exchange, exchange } from '../connectors/commerceml/harness.ts';
import { truncate } from '../support/runtime.ts';

describe('sources: CommerceML orders in the outbox, delivered at 1C’s sale/success', () => {
  let ex: Exchange;
  let placeOrder: (n: string) => Promise<number>;

  const outbox = () => ex.rt.db('outbox').orderBy('id').select('payload', 'state', 'attempts', 'delivered_at');
  const stateOf = async () => (await outbox()).map((r) => [r.payload.orderId, r.state]);

  async function session(): Promise<OneCClient> {
    const c = ex.client({ version: '2.10' });
    expect((await c.checkauth('sale')).status).to.equal('success');
    await c.init('sale');
    return c;
  }

  before(async () => {
    ex = await exchange();
  });
  beforeEach(async () => {
    await ex.reset();
    await truncate(ex.rt, 'clients', 'orders', 'outbox', 'mail_outbox');
    const db = ex.rt.db;
    const s = ex.sourceId;
    const [cp] = await db('counterparties').insert({ source_id: s, external_id: 'cp-1', name: 'ООО «Ромашка»', inn: '7701234567' }).returning('id');
    const [p] = await db('products').insert({ source_id: s, external_id: 'prod-1', name: 'Стол' }).returning('id');
    const [offer] = await db('offers').insert({ source_id: s, external_id: 'prod-1', product_id: p.id, name: 'Стол' }).returning('id');
    const [client] = await db('clients').insert({ name: 'Ромашка' }).returning('id');
    // As the checkout writes it: the order, its line and its outbox row.
    placeOrder = async (n) => {
      const [o] = await db('orders').insert({ number: n, source_id: s, client_id: client.id, counterparty_id: cp.id, total: '10.00' }).returning('id');
      await db('order_lines').insert({ order_id: o.id, line_no: 1, offer_id: offer.id, name: 'Стол', quantity: '1', price: '10.00', amount: '10.00' });
      await db('outbox').insert({ source_id: s, kind: 'order.create', idempotency_key: `order.create:${o.id}`, payload: { orderId: o.id, number: n } });
      return o.id;
    };
  });

  it('stays pending through a query 1C does not confirm; success delivers the queried orders’ rows only', async () => {
    const first = await placeOrder('CP-1');
    const c = await session();
    expect((await c.call('sale', 'query')).raw.toString()).to.include('<Номер>CP-1</Номер>');
    expect(await stateOf()).to.deep.equal([[first, 'pending']]);

    // No success: the next exchange queries it again; an order placed meanwhile joins that query.
    const second = await placeOrder('CP-2');
    const c2 = await session();
    const q2 = (await c2.call('sale', 'query')).raw.toString();
    expect(q2).to.include('<Номер>CP-1</Номер>').and.include('<Номер>CP-2</Номер>');
    // Placed after 1C's query: not in what it is about to confirm.
    const third = await placeOrder('CP-3');
    expect((await c2.call('sale', 'success')).status).to.equal('success');

    const rows = await outbox();
    expect(rows.map((r) => [r.payload.orderId, r.state, r.attempts])).to.deep.equal([[first, 'delivered', 1], [second, 'delivered', 1], [third, 'pending', 0]]);
    expect(rows[0].delivered_at).to.be.an.instanceOf(Date);
    expect(await ex.rt.db('orders').where({ id: third }).first('export_state')).to.deep.equal({ export_state: 'pending' });

    // A repeated success (nothing queried since) delivers nothing more.
    expect((await c2.call('sale', 'success')).status).to.equal('success');
    expect(await stateOf()).to.deep.equal([[first, 'delivered'], [second, 'delivered'], [third, 'pending']]);
  });

  it('orders.export leaves them to 1C; the purge keeps the pending ones', async () => {
    const id = await placeOrder('CP-9');
    expect(await exportDueOrders(ex.rt)).to.deep.equal({ delivered: 0, failed: 0, retrying: 0 });
    await ex.rt.db('outbox').update({ created_at: ex.rt.db.raw("now() - interval '400 days'") });
    expect(await purgeOutbox(ex.rt)).to.deep.equal({ deleted: 0, mails: 0 });
    expect((await outbox()).map((r) => [r.payload.orderId, r.state, r.attempts])).to.deep.equal([[id, 'pending', 0]]);
  });
});
