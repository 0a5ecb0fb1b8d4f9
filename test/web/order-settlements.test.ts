// The buyer's order page shows what the accounting system reported about payment and shipment:
// "Оплачено X из Y", each payment, each shipment with its number, date and lines, and the
// shipped quantity per line. Reports go through the mirror's settlement applier, as a connector
// does. Another client's order stays a 404.
import { expect } from 'chai';
import type { Runtime } from '../../src/infra/runtime.ts';
import { applySettlements } from '../../src/mirror/order-settlements.ts';
import { createApp } from '../../src/web/app.ts';
import { PASSWORD, type StoreFixture, storeFixture } from '../support/mirror-fixtures.ts';
import { testRuntime, truncate } from '../support/runtime.ts';
import { listen, WebClient } from '../support/web-client.ts';

describe('web/orders: payments and shipments on the order page', () => {
  let rt: Runtime;
  let srv: Awaited<ReturnType<typeof listen>>;
  let fx: StoreFixture;
  let a: WebClient;
  let b: WebClient;

  before(async () => {
    rt = await testRuntime();
    srv = await listen(createApp(rt, []));
  });
  after(() => srv.close());
  beforeEach(async () => {
    await truncate(rt, 'sources', 'users', 'clients', 'sessions', 'orders', 'outbox', 'reservations');
    fx = await storeFixture(rt.db);
    a = new WebClient(srv.base);
    b = new WebClient(srv.base);
    await a.login(fx.emails.a, PASSWORD);
    await b.login(fx.emails.b, PASSWORD);
  });

  async function orderOfA(): Promise<number> {
    const [o] = await rt.db('orders')
      .insert({ number: 'W-1001', source_id: fx.sourceId, client_id: fx.clients.a, user_id: fx.users.a, counterparty_id: fx.cp.aHead, total: '3000.50', status: 'confirmed', external_number: 'УТ-1001', export_state: 'exported' })
      .returning('id');
    await rt.db('order_lines').insert([
      { order_id: o.id, line_no: 1, offer_id: fx.offers[0]!, sku: 'SKU-001', name: 'Drill Bosch GSB 13', unit: 'pcs', quantity: '2', price: '1000.25', amount: '2000.50' },
      { order_id: o.id, line_no: 2, offer_id: fx.offers[1]!, sku: 'SKU-002', name: 'Drill Makita HP1630', unit: 'pcs', quantity: '1', price: '1000.00', amount: '1000.00' },
    ]);
    return o.id;
  }

  it('shows paid X of Y, the payment, the partial shipment with number, date and lines, and shipped per line', async () => {
    const id = await orderOfA();
    const page0 = await a.get(`/orders/${id}`);
    expect(page0.status).to.equal(200);
    expect(page0.text).not.to.contain('Оплата и отгрузка');

    await rt.db.transaction((trx) =>
      applySettlements(trx, fx.sourceId, [
        { orderKeys: ['W-1001'], externalId: 'pay-1', kind: 'Выплата безналичных денег', number: 'ПП-17', paidAt: '2026-12-01T10:15:00Z', amount: '1500.25', state: 'paid' },
      ], [
        { orderKeys: ['УТ-1001'], externalId: 'ship-1', number: 'РТ-9', shippedAt: '2026-12-02T12:00:00Z', state: 'shipped', tracking: 'RA123456789RU', lines: [{ offerExternalId: 'p1', name: 'Drill Bosch GSB 13', quantity: '1.5' }] },
      ]),
    );
    const page = await a.get(`/orders/${id}`);
    expect(page.status).to.equal(200);
    const block = page.text.slice(page.text.indexOf('id="order-settlement"'), page.text.indexOf('</section>'));
    expect(block).to.contain('Оплачено <strong>1\u00a0500,25</strong> из 3\u00a0000,50 ₽');
    expect(block).to.contain('Оплата № ПП-17 от 01.12.2026: 1\u00a0500,25 ₽ — оплачено');
    expect(block).to.contain('Отгрузка № РТ-9 от 02.12.2026 — отгружено · отправление RA123456789RU');
    expect(block).to.contain('<li>Drill Bosch GSB 13 — 1,5 шт.</li>');
    // the lines table gets a shipped column: 1,5 of the first line, nothing of the second
    expect(page.text).to.contain('<th class="num">Отгружено</th>');
    const shipped = [...page.text.matchAll(/<td class="num shipped">([^<]*)<\/td>/g)].map((m) => m[1]!.trim());
    expect(shipped).to.deep.equal(['1,5 шт.', '0 шт.']);
    // and the history lists both, in Russian, from the accounting system
    expect(page.text).to.contain('Оплата № ПП-17 от 01.12.2026: 1\u00a0500,25 RUB; оплачено 1\u00a0500,25 из 3\u00a0000,50 RUB');
    expect(page.text).to.contain('Отгрузка № РТ-9 от 02.12.2026 — частичная отгрузка: Drill Bosch GSB 13 × 1,5; отправление RA123456789RU');

    // an English reader: the states and days in English, not the Russian words of the store
    a.cookies.set('lang', 'en');
    try {
      const en = await a.get(`/orders/${id}`);
      const enBlock = en.text.slice(en.text.indexOf('id="order-settlement"'), en.text.indexOf('</section>'));
      expect(enBlock).to.contain('Payment no. ПП-17 of ').and.contain('2026: 1,500.25');
      expect(enBlock).to.contain('— paid').and.contain('— shipped').and.not.contain('оплачено').and.not.contain('отгружено');
      expect(enBlock).not.to.contain('01.12.2026');
    } finally {
      a.cookies.delete('lang');
    }
  });

  it('a payment still expected says so, and no date when the system gave none', async () => {
    const id = await orderOfA();
    await rt.db.transaction((trx) =>
      applySettlements(trx, fx.sourceId, [{ orderKeys: ['W-1001'], externalId: 'pay-x', number: 'ПП-18', amount: '10.00', state: 'pending' }], []),
    );
    const page = await a.get(`/orders/${id}`);
    expect(page.text).to.contain('Оплата № ПП-18: 10,00 ₽ — ожидается');
  });

  it("another client's order with payments is a 404 and shows none of them", async () => {
    const id = await orderOfA();
    await rt.db.transaction((trx) =>
      applySettlements(trx, fx.sourceId, [{ orderKeys: ['W-1001'], externalId: 'pay-1', number: 'ПП-17', amount: '3000.50', state: 'paid' }], []),
    );
    expect((await a.get(`/orders/${id}`)).text).to.contain('Оплачено <strong>3\u00a0000,50</strong>');
    const other = await b.get(`/orders/${id}`);
    expect(other.status).to.equal(404);
    expect(other.text).not.to.contain('ПП-17');
    expect(other.text).not.to.contain('W-1001');
  });
});
