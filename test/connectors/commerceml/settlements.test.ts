// CommerceML 3.x payments and shipments sent by 1C (sale file + import): the order's
// `Контейнер` carries its payment («Выплата безналичных денег») and shipment («Отпуск товара»)
// documents; they are kept, added to the order's status history and raise its status (paid in
// full, shipped in full), never skipped. Fixtures are hand-written CommerceML 3.1 in the shape of
// the 1C-Bitrix module's documents (irpsv/commerceml bitrix-module-6/documents.xml) with the
// payment/shipment documents and requisites Bitrix's sale.export.1c reads.
import { expect } from 'chai';
import type { OneCClient } from '../../../sim/commerceml/client.ts';
import { type Exchange, exchange } from './harness.ts';

interface Seeded {
  orderId: number;
  lines: number[];
}

async function seedOrder(ex: Exchange, number = '501'): Promise<Seeded> {
  const db = ex.rt.db;
  const s = ex.sourceId;
  const [cp] = await db('counterparties').insert({ source_id: s, external_id: `cp-${number}`, name: 'ООО «Ромашка»' }).returning('id');
  const [p] = await db('products').insert({ source_id: s, external_id: `prod-${number}`, name: 'Стол обеденный', unit: 'шт' }).returning('id');
  const [o1] = await db('offers').insert({ source_id: s, external_id: `prod-${number}`, product_id: p.id, name: 'Стол обеденный' }).returning('id');
  const [o2] = await db('offers').insert({ source_id: s, external_id: `prod-${number}#oak`, product_id: p.id, name: 'Стол обеденный, дуб' }).returning('id');
  const [client] = await db('clients').insert({ name: 'Ромашка' }).returning('id');
  const [o] = await db('orders').insert({ number, source_id: s, client_id: client.id, counterparty_id: cp.id, total: '3000.50', export_state: 'exported' }).returning('id');
  const lines = await db('order_lines')
    .insert([
      { order_id: o.id, line_no: 1, offer_id: o1.id, name: 'Стол обеденный', unit: 'шт', quantity: '2', price: '1000.25', amount: '2000.50' },
      { order_id: o.id, line_no: 2, offer_id: o2.id, name: 'Стол обеденный, дуб', unit: 'шт', quantity: '1', price: '1000.00', amount: '1000.00' },
    ])
    .returning('id');
  return { orderId: o.id, lines: lines.map((l) => l.id) };
}

const req = (pairs: Record<string, string>) =>
  `<ЗначенияРеквизитов>${Object.entries(pairs).map(([k, v]) => `<ЗначениеРеквизита><Наименование>${k}</Наименование><Значение>${v}</Значение></ЗначениеРеквизита>`).join('')}</ЗначенияРеквизитов>`;

const orderDoc = (n: string, extra: Record<string, string> = {}) =>
  `<Документ><Ид>${n}</Ид><Номер>${n}</Номер><Номер1С>УТ-${n}</Номер1С><Дата>2026-12-01</Дата><ХозОперация>Заказ товара</ХозОперация><Роль>Продавец</Роль>` +
  `<Валюта>руб</Валюта><Курс>1</Курс><Сумма>3000.50</Сумма>${req({ Проведен: 'true', Отменен: 'false', ...extra })}</Документ>`;

const paymentDoc = (id: string, base: string | null, sum: string, date: string, extra: Record<string, string> = {}) =>
  `<Документ><Ид>${id}</Ид><Номер>${id}</Номер><Номер1С>ПП-${id}</Номер1С><Дата>${date}</Дата><Время>10:15:00</Время>` +
  `<ХозОперация>Выплата безналичных денег</ХозОперация><Роль>Продавец</Роль><Валюта>руб</Валюта><Курс>1</Курс><Сумма>${sum}</Сумма>` +
  `${base ? `<Основание>${base}</Основание>` : ''}${req({ 'Номер оплаты по 1С': `ПП-${id}`, 'Дата оплаты по 1С': `${date}T10:15:00`, ...extra })}</Документ>`;

const shipmentDoc = (id: string, base: string | null, date: string, items: [string, string, string][], extra: Record<string, string> = {}) =>
  `<Документ><Ид>${id}</Ид><Номер>${id}</Номер><Номер1С>РТ-${id}</Номер1С><Дата>${date}</Дата><ХозОперация>Отпуск товара</ХозОперация><Роль>Продавец</Роль>` +
  `<Валюта>руб</Валюта><Сумма>0</Сумма>${base ? `<Основание>${base}</Основание>` : ''}` +
  `${req({ Проведен: 'true', Отгружен: 'true', 'Номер отгрузки по 1С': `РТ-${id}`, 'Дата отгрузки по 1С': `${date}T12:00:00`, ...extra })}` +
  `<Товары>${items.map(([i, name, q]) => `<Товар><Ид>${i}</Ид><Наименование>${name}</Наименование><Количество>${q}</Количество></Товар>`).join('')}</Товары></Документ>`;

const cml3 = (...containers: string[][]) =>
  `<?xml version="1.0" encoding="UTF-8"?>\n<КоммерческаяИнформация xmlns="urn:1C.ru:commerceml_3" ВерсияСхемы="3.1" ДатаФормирования="2026-12-03T08:00:00">` +
  containers.map((docs) => `<Контейнер>${docs.join('')}</Контейнер>`).join('') +
  `</КоммерческаяИнформация>`;

async function saleSession(ex: Exchange): Promise<OneCClient> {
  const c = ex.client({ version: '3.1' });
  expect((await c.checkauth('sale')).status).to.equal('success');
  await c.init('sale');
  return c;
}

/** file + import; a complete orders file is applied at `file` already, so that answer has the counts. */
async function send(ex: Exchange, name: string, xml: string) {
  const c = await saleSession(ex);
  const f = await c.upload('sale', { name, data: Buffer.from(xml, 'utf8') });
  expect(f.status, f.lines.join('\n')).to.equal('success');
  const a = await c.call('sale', 'import', { filename: name });
  expect(a.status, a.lines.join('\n')).to.equal('success');
  return f;
}

describe('CommerceML exchange: 3.x payments and shipments into the order history', () => {
  let ex: Exchange;
  before(async () => {
    ex = await exchange();
  });
  beforeEach(async () => {
    await ex.reset();
  });

  const history = (orderId: number) => ex.rt.db('order_status_history').where({ order_id: orderId }).orderBy('id').select('status', 'note', 'kind', 'origin');
  const order = (orderId: number) => ex.rt.db('orders').where({ id: orderId }).first('status', 'external_number');

  it('a Контейнер with a part payment and a partial shipment: kept, in the history, the order confirmed; the same file again adds nothing', async () => {
    const o = await seedOrder(ex);
    const xml = cml3([
      orderDoc('501'),
      paymentDoc('pay-1', '501', '1500.25', '2026-12-01'),
      // no Основание: the order of its Контейнер
      shipmentDoc('ship-1', null, '2026-12-02', [['prod-501', 'Стол обеденный', '1']]),
      `<Документ><Ид>ret-1</Ид><Номер>ret-1</Номер><ХозОперация>Возврат товара</ХозОперация><Сумма>10</Сумма></Документ>`,
    ]);
    const a = await send(ex, 'documents___3x.xml', xml);
    expect(a.lines[0], a.lines.join('\n')).to.match(/4 document\(s\), 1 matched an order, 1 updated/);
    expect(a.lines).to.include('payments 1, shipments 1 read; 2 payment(s)/shipment(s) new or changed');
    expect(a.lines).to.include('warning: 1 document(s) not read: ХозОперация «Возврат товара» is neither an order, a payment, a shipment nor an invoice');

    const pay = await ex.rt.db('order_payments').where({ order_id: o.orderId }).select('external_id', 'number', 'amount', 'state', 'paid_at', 'kind');
    expect(pay).to.have.length(1);
    expect(pay[0]).to.include({ external_id: 'pay-1', number: 'ПП-pay-1', amount: '1500.25', state: 'paid', kind: 'Выплата безналичных денег' });
    expect(pay[0]!.paid_at?.toISOString()).to.equal('2026-12-01T10:15:00.000Z');
    const ship = (await ex.rt.db('order_shipments').where({ order_id: o.orderId }).first())!;
    expect(ship).to.include({ external_id: 'ship-1', number: 'РТ-ship-1', state: 'shipped', whole_order: false });
    const shipLines = await ex.rt.db('order_shipment_lines').where({ shipment_id: ship.id }).select('order_line_id', 'quantity', 'name');
    expect(shipLines).to.deep.equal([{ order_line_id: o.lines[0], quantity: '1.000', name: 'Стол обеденный' }]);

    expect(await order(o.orderId)).to.deep.equal({ status: 'confirmed', external_number: 'УТ-501' });
    const h = await history(o.orderId);
    expect(h.map((r) => [r.kind, r.status])).to.deep.equal([['payment', 'confirmed'], ['shipment', 'confirmed'], ['status', 'confirmed']]);
    expect(h[0].note).to.equal('Оплата № ПП-pay-1 от 01.12.2026: 1\u00a0500,25 RUB; оплачено 1\u00a0500,25 из 3\u00a0000,50 RUB');
    expect(h[1].note).to.equal('Отгрузка № РТ-ship-1 от 02.12.2026 — частичная отгрузка: Стол обеденный × 1');
    expect(h.every((r) => r.origin === 'accounting')).to.equal(true);

    // 1C resends what changed since the last exchange — here, everything again
    const again = await send(ex, 'documents___3x-again.xml', xml);
    expect(again.lines).to.include('payments 1, shipments 1 read; 0 payment(s)/shipment(s) new or changed');
    expect(await history(o.orderId)).to.have.length(3);
    expect(await ex.rt.db('order_payments').where({ order_id: o.orderId }).count({ n: '*' })).to.deep.equal([{ n: 1 }]);
  });

  it('the rest paid and shipped later: paid in full, then shipped in full — and a resent order document never moves it back', async () => {
    const o = await seedOrder(ex);
    await send(ex, 'd1.xml', cml3([orderDoc('501'), paymentDoc('pay-1', '501', '1500.25', '2026-12-01'), shipmentDoc('ship-1', '501', '2026-12-02', [['prod-501', 'Стол обеденный', '1']])]));
    await send(ex, 'd2.xml', cml3([orderDoc('501'), paymentDoc('pay-2', '501', '1500,25', '2026-12-03')]));
    expect((await order(o.orderId))!.status).to.equal('paid');
    await send(ex, 'd3.xml', cml3([
      orderDoc('501'),
      shipmentDoc('ship-2', '501', '2026-12-04', [['prod-501', 'Стол обеденный', '1'], ['prod-501#oak', 'Стол обеденный, дуб', '1']], { 'Идентификатор отправления': 'RA123456789RU' }),
    ]));
    expect((await order(o.orderId))!.status).to.equal('shipped');
    const h = await history(o.orderId);
    const last = h.filter((r) => r.kind === 'shipment').pop()!;
    expect(last.status).to.equal('shipped');
    expect(last.note).to.equal('Отгрузка № РТ-ship-2 от 04.12.2026 — заказ отгружен полностью: Стол обеденный × 1, Стол обеденный, дуб × 1; отправление RA123456789RU');
    expect(h.find((r) => r.kind === 'payment' && r.status === 'paid')!.note).to.match(/оплачено 3\u00a0000,50 из 3\u00a0000,50 RUB$/);

    // the order document alone (posted: "confirmed") again: still shipped, no new line
    const n = h.length;
    await send(ex, 'd4.xml', cml3([orderDoc('501')]));
    expect((await order(o.orderId))!.status).to.equal('shipped');
    expect(await history(o.orderId)).to.have.length(n);

    // a cancelled (deletion-marked) payment no longer counts; the status stays where it is
    await send(ex, 'd5.xml', cml3([paymentDoc('pay-2', '501', '1500.25', '2026-12-03', { ПометкаУдаления: 'true' })]));
    const paid = (await ex.rt.db('order_payments').where({ order_id: o.orderId, external_id: 'pay-2' }).first('state'))!;
    expect(paid.state).to.equal('cancelled');
    expect((await history(o.orderId)).pop()!.note).to.match(/— отменена; оплачено 1\u00a0500,25 из 3\u00a0000,50 RUB$/);
  });

  it('2.x requisites: «Номер оплаты по 1С» with a paid amount and «Номер отгрузки по 1С» are kept without lines of their own', async () => {
    const o = await seedOrder(ex);
    const xml =
      `<?xml version="1.0" encoding="UTF-8"?><КоммерческаяИнформация ВерсияСхемы="2.08">` +
      orderDoc('501', { 'Номер оплаты по 1С': 'ПП-77', 'Дата оплаты по 1С': '2026-12-01T09:00:00', 'Сумма оплаты': '1000,00', 'Номер отгрузки по 1С': 'РТ-5', 'Дата отгрузки по 1С': 'T' }) +
      `</КоммерческаяИнформация>`;
    await send(ex, 'orders.xml', xml);
    const pay = await ex.rt.db('order_payments').where({ order_id: o.orderId }).first();
    expect(pay).to.include({ external_id: 'order-requisites', number: 'ПП-77', amount: '1000.00', state: 'paid', from_requisites: true });
    const ship = (await ex.rt.db('order_shipments').where({ order_id: o.orderId }).first())!;
    expect(ship).to.include({ number: 'РТ-5', whole_order: true, state: 'shipped', shipped_at: null });
    // the order's own status line says it; shipped in full (the whole order)
    const h = await history(o.orderId);
    expect(h.map((r) => r.kind)).to.deep.equal(['status']);
    expect(h[0]!.status).to.equal('shipped');
    expect(h[0]!.note).to.include('отгружен (РТ-5)');
  });

  it('names what it could not take: an unknown order, a payment without Сумма, a shipment line of another offer', async () => {
    const o = await seedOrder(ex);
    const a = await send(ex, 'bad.xml', cml3(
      [paymentDoc('pay-9', '999', '10', '2026-12-01')],
      [`<Документ><Ид>pay-x</Ид><Номер>pay-x</Номер><ХозОперация>Выплата наличных денег</ХозОперация><Основание>501</Основание></Документ>`],
      [shipmentDoc('ship-7', '501', '2026-12-02', [['other-offer', 'Стул', '2'], ['prod-501', 'Стол обеденный', '-1']])],
    ));
    expect(a.lines).to.include('warning: 1 shipment line(s) skipped: Количество missing, not a number or negative');
    expect(a.lines).to.include('warning: 1 payment document(s) skipped: Сумма missing or not a number (pay-x)');
    expect(a.lines).to.include('warning: 1 payment/shipment document(s) name an order this source does not have: 999');
    expect(a.lines.some((l) => l.startsWith('warning: 1 shipment line(s) name an offer that is on no line of the order') && l.includes('501: other-offer'))).to.equal(true);
    const ship = (await ex.rt.db('order_shipments').where({ order_id: o.orderId }).first('id'))!;
    expect(await ex.rt.db('order_shipment_lines').where({ shipment_id: ship.id }).select('order_line_id', 'name')).to.deep.equal([{ order_line_id: null, name: 'Стул' }]);
  });
});
