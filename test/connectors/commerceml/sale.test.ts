// The sale side through HTTP with the test playing 1C: orders out (query → success), order
// changes back (file + import) with the real sample order files.
import fs from 'node:fs';
import { Readable } from 'node:stream';
import { expect } from 'chai';
import { mapDocument, type OrderDocument } from '../../../connectors/commerceml/parse/documents.ts';
import { parseCommerceML } from '../../../connectors/commerceml/parse/parse-file.ts';
import { emptyClassifier } from '../../../connectors/commerceml/parse/records-map.ts';
import type { OneCClient } from '../../../sim/commerceml/client.ts';
import { type Exchange, exchange } from './harness.ts';
import { SAMPLE, samplePath } from './samples.ts';

const NUMBERS = ['20', '36', '92', '93', '142', '235'];

async function seedOrders(ex: Exchange): Promise<Record<string, number>> {
  const db = ex.rt.db;
  const s = ex.sourceId;
  const [cp] = await db('counterparties').insert({ source_id: s, external_id: 'cp-1', name: 'ООО «Ромашка»', full_name: 'Общество «Ромашка»', inn: '7701234567', kpp: '770101001' }).returning('id');
  const [p] = await db('products').insert({ source_id: s, external_id: 'prod-1', name: 'Стол обеденный', sku: 'СТ-1', unit: 'шт' }).returning('id');
  const [o1] = await db('offers').insert({ source_id: s, external_id: 'prod-1', product_id: p.id, name: 'Стол обеденный' }).returning('id');
  const [o2] = await db('offers').insert({ source_id: s, external_id: 'prod-1#ch-2', product_id: p.id, name: 'Стол обеденный, дуб' }).returning('id');
  const [w] = await db('warehouses').insert({ source_id: s, external_id: 'wh-1', name: 'Москва' }).returning('id');
  const [client] = await db('clients').insert({ name: 'Ромашка' }).returning('id');
  const ids: Record<string, number> = {};
  for (const n of NUMBERS) {
    const [o] = await db('orders')
      .insert({ number: n, source_id: s, client_id: client.id, counterparty_id: cp.id, total: '3000.50', comment: `заказ ${n} <срочно> & быстро` })
      .returning('id');
    ids[n] = o.id;
    await db('order_lines').insert([
      { order_id: o.id, line_no: 1, offer_id: o1.id, warehouse_id: w.id, sku: 'СТ-1', name: 'Стол обеденный', unit: 'шт', quantity: '2', price: '1000.25', amount: '2000.50' },
      { order_id: o.id, line_no: 2, offer_id: o2.id, name: 'Стол обеденный, дуб', unit: 'шт', quantity: '1', price: '1000.00', amount: '1000.00' },
    ]);
  }
  return ids;
}

async function docsOf(body: Buffer): Promise<OrderDocument[]> {
  const docs: OrderDocument[] = [];
  await parseCommerceML(Readable.from([body]), { classifier: emptyClassifier(), onBatch: async () => {}, onDocument: (d) => docs.push(mapDocument(d)) });
  return docs;
}

async function saleSession(ex: Exchange, version = '2.10'): Promise<OneCClient> {
  const c = ex.client({ version });
  expect((await c.checkauth('sale')).status).to.equal('success');
  await c.init('sale');
  return c;
}

describe('CommerceML exchange: orders (type=sale) over HTTP', () => {
  let ex: Exchange;
  before(async () => {
    ex = await exchange();
  });
  beforeEach(async () => {
    await ex.reset();
  });

  it('query sends pending orders as UTF-8 with BOM; without success they are sent again; success marks them exported', async () => {
    const ids = await seedOrders(ex);
    const c = await saleSession(ex);
    const q1 = await c.call('sale', 'query');
    expect(q1.headers.get('content-type')).to.match(/charset=utf-8/);
    expect([...q1.raw.subarray(0, 3)]).to.deep.equal([0xef, 0xbb, 0xbf]);
    const docs = await docsOf(q1.raw);
    expect(docs.map((d) => d.number)).to.deep.equal(NUMBERS);
    expect(docs[0]!.operation).to.equal('Заказ товара');
    expect(docs[0]!.lines).to.equal(2);
    expect(docs[0]!.sum).to.equal('3000.5');
    expect(q1.raw.toString()).to.include('<Ид>prod-1#ch-2</Ид>').and.include('ООО «Ромашка»').and.include('&lt;срочно&gt; &amp; быстро');
    expect(await ex.rt.db('orders').where({ export_state: 'querying' }).count({ n: '*' })).to.deep.equal([{ n: 6 }]);

    // 1C did not confirm: the next exchange gets the same orders again
    const c2 = await saleSession(ex);
    const q2 = await docsOf((await c2.call('sale', 'query')).raw);
    expect(q2.map((d) => d.number)).to.deep.equal(NUMBERS);
    const ok = await c2.call('sale', 'success');
    expect(ok.status).to.equal('success');
    const rows = await ex.rt.db('orders').whereIn('id', Object.values(ids)).select('export_state', 'exported_at');
    expect(rows.every((r) => r.export_state === 'exported' && r.exported_at)).to.equal(true);

    const c3 = await saleSession(ex);
    expect(await docsOf((await c3.call('sale', 'query')).raw)).to.have.length(0);
  });

  it('windows-1251 per source setting; 3.x wraps each order in <Контейнер>', async () => {
    const ids = await seedOrders(ex);
    // Characters the old hand-written encoder turned into "?", and one windows-1251 lacks (₽).
    await ex.rt.db('orders').where({ id: ids['20'] }).update({ comment: 'Доставка ’до двери’ в Київ, І поверх, 100 ₽' });
    await ex.setSettings({ ordersEncoding: 'windows-1251' });
    const c = await saleSession(ex, '3.1');
    const q = await c.call('sale', 'query');
    expect(q.headers.get('content-type')).to.match(/charset=windows-1251/);
    expect(q.raw.subarray(0, 5).toString()).to.equal('<?xml');
    const text = new TextDecoder('windows-1251').decode(q.raw);
    expect(text).to.include('encoding="windows-1251"').and.include('ООО «Ромашка»').and.include('<Контейнер><Документ>');
    expect(q.raw.includes(Buffer.from('Ромашка', 'utf8'))).to.equal(false);
    expect(text).to.include('<Комментарий>Доставка ’до двери’ в Київ, І поверх, 100 &#8381;</Комментарий>');
    const docs = await docsOf(q.raw);
    expect(docs).to.have.length(6);
  });

  it('status files from 1C (#3, #16, #20 windows-1251): number, posted, paid, shipped, final status → order history', async () => {
    const ids = await seedOrders(ex);
    const c = await saleSession(ex);
    for (const rel of [SAMPLE.offDocOrders, SAMPLE.acDocuments, SAMPLE.caronoTo]) {
      const name = `documents___${rel.split('/').pop()}`;
      expect((await c.upload('sale', { name, data: samplePath(rel) })).status).to.equal('success');
      const a = await c.call('sale', 'import', { filename: name });
      expect(a.status, a.lines.join('\n')).to.equal('success');
    }
    const order = (n: string) => ex.rt.db('orders').where({ id: ids[n] }).first();
    const history = (n: string) => ex.rt.db('order_status_history').where({ order_id: ids[n] }).orderBy('id');
    expect((await order('92'))!.external_number).to.equal('MM92');
    expect((await order('92'))!.status).to.equal('confirmed');
    expect((await order('142'))!.external_number).to.equal('ТДЦУ-000001');
    expect((await order('142'))!.status).to.equal('shipped');
    expect((await order('235'))!.status).to.equal('paid');
    expect((await order('20'))!.status).to.equal('completed');
    const h20 = await history('20');
    expect(h20).to.have.length(1);
    expect(h20[0]).to.include({ origin: 'accounting', status: 'completed', status_text: '[F] Доставлен' });
    expect(await order('20')).to.include({ status: 'completed', status_text: '[F] Доставлен' });
    expect((await history('142'))[0].note).to.include('ТДЦУ-000001');

    // the same file again changes nothing and adds no history
    const c2 = await saleSession(ex);
    await c2.upload('sale', { name: 'again.xml', data: samplePath(SAMPLE.caronoTo) });
    expect((await c2.call('sale', 'import', { filename: 'again.xml' })).status).to.equal('success');
    expect(await history('20')).to.have.length(1);
  });

  it('older modules send order changes with `file` only: a complete file is applied at once, a partial chunk waits', async () => {
    const ids = await seedOrders(ex);
    const c = await saleSession(ex);
    const bytes = fs.readFileSync(samplePath(SAMPLE.caronoTo));
    const first = await c.call('sale', 'file', { filename: 'C:\\v8_8789_c.xml' }, bytes.subarray(0, 1000));
    expect(first.lines[0]).to.equal('v8_8789_c.xml: 1000 bytes received');
    expect((await ex.rt.db('orders').where({ id: ids['20'] }).first())!.status).to.equal('new');
    const last = await c.call('sale', 'file', { filename: 'C:\\v8_8789_c.xml' }, bytes.subarray(1000));
    expect(last.status).to.equal('success');
    expect(last.lines[0]).to.match(/1 document\(s\), 1 matched an order, 1 updated/);
    expect((await ex.rt.db('orders').where({ id: ids['20'] }).first())!.status).to.equal('completed');
  });

  it('a status text with no flag or letter is kept as the text, reported, and confirms a new order', async () => {
    const ids = await seedOrders(ex);
    await ex.rt.db('orders').where({ id: ids['36'] }).update({ status: 'shipped' });
    const c = await saleSession(ex);
    const doc = (n: string) =>
      `<Документ><Ид>${n}</Ид><Номер>${n}</Номер><ХозОперация>Заказ товара</ХозОперация><ЗначенияРеквизитов>` +
      `<ЗначениеРеквизита><Наименование>Статус заказа</Наименование><Значение>Ждёт звонка</Значение></ЗначениеРеквизита></ЗначенияРеквизитов></Документ>`;
    const xml = `<?xml version="1.0" encoding="UTF-8"?><КоммерческаяИнформация ВерсияСхемы="2.05">${doc('92')}${doc('36')}</КоммерческаяИнформация>`;
    const a = await c.upload('sale', { name: 'documents___words.xml', data: Buffer.from(xml) });
    expect(a.status, a.lines.join('\n')).to.equal('success');
    expect(a.lines[0]).to.match(/2 document\(s\), 2 matched an order, 2 updated/);
    expect(a.lines).to.include('warning: 2 order(s) got a status text with no status flag or letter, kept as the text: "Ждёт звонка"');
    expect(await ex.rt.db('orders').where({ id: ids['92'] }).first()).to.include({ status: 'confirmed', status_text: 'Ждёт звонка' });
    // an order already further on keeps its code: words the store cannot read never move it back
    expect(await ex.rt.db('orders').where({ id: ids['36'] }).first()).to.include({ status: 'shipped', status_text: 'Ждёт звонка' });
    const h = await ex.rt.db('order_status_history').where({ order_id: ids['92'] }).select('status', 'status_text', 'origin');
    expect(h).to.deep.equal([{ status: 'confirmed', status_text: 'Ждёт звонка', origin: 'accounting' }]);
  });

  it('an order’s stock hold ends with the first stock import after 1C took the order (success), not before', async () => {
    const ids = await seedOrders(ex);
    const db = ex.rt.db;
    const offer = await db('offers').where({ source_id: ex.sourceId, external_id: 'prod-1' }).first('id');
    const wh = await db('warehouses').where({ source_id: ex.sourceId, external_id: 'wh-1' }).first('id');
    const o = await db('orders').where({ id: ids['20'] }).first('client_id', 'counterparty_id');
    await db('reservations').insert({
      client_id: o!.client_id, counterparty_id: o!.counterparty_id, offer_id: offer!.id, warehouse_id: wh!.id, quantity: '2', state: 'active',
      expires_at: db.raw(`now() + interval '2 hours'`), order_id: ids['20'],
    });
    const hold = () => db('reservations').where({ order_id: ids['20'] }).first('state').then((r) => r!.state as string);
    const pushRests = async (q: string) => {
      const xml = `<?xml version="1.0" encoding="UTF-8"?><КоммерческаяИнформация ВерсияСхемы="2.08"><ПакетПредложений СодержитТолькоИзменения="true">` +
        `<Ид>pkg</Ид><Наименование>Пакет</Наименование><ИдКаталога>cat</ИдКаталога><Предложения><Предложение><Ид>prod-1</Ид><Наименование>Стол обеденный</Наименование>` +
        `<Склад ИдСклада="wh-1" КоличествоНаСкладе="${q}"/></Предложение></Предложения></ПакетПредложений></КоммерческаяИнформация>`;
      const r = await ex.client().pushCatalog([{ name: 'offers.xml', data: Buffer.from(xml) }]);
      expect(r.failed?.lines.join('\n')).to.equal(undefined);
    };
    await pushRests('10'); // 1C has not taken the order: its stock cannot reflect it
    expect(await hold()).to.equal('active');
    const c = await saleSession(ex);
    await c.call('sale', 'query');
    expect((await c.call('sale', 'success')).status).to.equal('success');
    expect(await hold()).to.equal('active');
    await pushRests('8');
    expect(await hold()).to.equal('ordered');
    expect(await db('stock').where({ offer_id: offer!.id, warehouse_id: wh!.id }).first('quantity')).to.deep.equal({ quantity: '8.000' });
  });

  it('3.x payment documents (not «Заказ товара») do not touch the order with the same number', async () => {
    const ids = await seedOrders(ex);
    const c = await saleSession(ex, '3.1');
    const xml = `<?xml version="1.0" encoding="UTF-8"?><КоммерческаяИнформация xmlns="urn:1C.ru:commerceml_3" ВерсияСхемы="3.1"><Контейнер><Документ><Ид>92</Ид><Номер>92</Номер>
      <ХозОперация>Выплата безналичных денег</ХозОперация><ПометкаУдаления>true</ПометкаУдаления></Документ></Контейнер></КоммерческаяИнформация>`;
    const a = await c.upload('sale', { name: 'documents___pay.xml', data: Buffer.from(xml) });
    expect(a.lines[0]).to.match(/1 document\(s\), 0 matched an order, 0 updated/);
    expect((await ex.rt.db('orders').where({ id: ids['92'] }).first())!.status).to.equal('new');
  });

  it('deletion mark from 1C cancels the order; unknown documents are reported; a broken file changes no order', async () => {
    const ids = await seedOrders(ex);
    const c = await saleSession(ex);
    const text = fs.readFileSync(samplePath(SAMPLE.offDocOrders), 'utf8');
    const deleted = text.replace(/(<Ид>93<\/Ид>[\s\S]*?ПометкаУдаления<\/Наименование>\s*<Значение>)false/, '$1true').replace(/<Ид>36<\/Ид>/, '<Ид>9999</Ид>').replace(/<Номер>36<\/Номер>/, '<Номер>9999</Номер>');
    await c.upload('sale', { name: 'orders-1.xml', data: Buffer.from(deleted) });
    const a = await c.call('sale', 'import', { filename: 'orders-1.xml' });
    expect(a.status).to.equal('success');
    expect(a.lines.join('\n')).to.include('no order for document(s) 9999');
    expect((await ex.rt.db('orders').where({ id: ids['93'] }).first())!.status).to.equal('cancelled');

    const before = await ex.rt.db('order_status_history').count({ n: '*' });
    await c.upload('sale', { name: 'orders-2.xml', data: Buffer.from(text.slice(0, text.length - 200)) });
    const b = await c.call('sale', 'import', { filename: 'orders-2.xml' });
    expect(b.status).to.equal('failure');
    expect(await ex.rt.db('order_status_history').count({ n: '*' })).to.deep.equal(before);
  });
});
