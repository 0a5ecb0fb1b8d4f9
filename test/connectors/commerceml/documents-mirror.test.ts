// Invoices and shipment documents 1C sends in the sale exchange (CommerceML 2.09 documents with
// ХозОперация «Счет на оплату» / «Реализация товаров», and 3.1 `Контейнер`s with «Счет на
// оплату» / «Отпуск товара») land in the documents mirror: number, date, sum, VAT, currency,
// status, lines; linked to the store's order they name (`Основание`, or the order of their
// Контейнер); the buyer is the document's Контрагент when the mirror knows it, else the order's.
// Fixtures: fixtures/documents-2x.xml and documents-3x.xml (hand-written in the shape of
// ArgentCrusade's documents-example.xml, sample #16, and the Bitrix module's 3.1 documents).
import fs from 'node:fs';
import path from 'node:path';
import { expect } from 'chai';
import type { OneCClient } from '../../../sim/commerceml/client.ts';
import { listDocuments, parseFilters } from '../../../src/store/documents/documents.ts';
import { type Exchange, exchange } from './harness.ts';

const fixture = (name: string) => fs.readFileSync(path.join(import.meta.dirname, 'fixtures', name));

async function seed(ex: Exchange) {
  const db = ex.rt.db;
  const s = ex.sourceId;
  const [romashka] = await db('counterparties').insert({ source_id: s, external_id: 'cp-romashka', name: 'ООО «Ромашка»' }).returning('id');
  const [site] = await db('counterparties').insert({ source_id: s, external_id: 'cp-site-702', name: 'ИП Ромашкин' }).returning('id');
  const [client] = await db('clients').insert({ name: 'Ромашка' }).returning('id');
  const [o701] = await db('orders').insert({ number: '701', source_id: s, client_id: client.id, counterparty_id: romashka.id, total: '3600.00', export_state: 'exported' }).returning('id');
  const [o702] = await db('orders').insert({ number: '702', source_id: s, client_id: client.id, counterparty_id: site.id, total: '3000.50', export_state: 'exported' }).returning('id');
  return { romashka: romashka.id as number, site: site.id as number, o701: o701.id as number, o702: o702.id as number };
}

async function send(ex: Exchange, name: string, data: Buffer, version = '2.09') {
  const c: OneCClient = ex.client({ version });
  expect((await c.checkauth('sale')).status).to.equal('success');
  await c.init('sale');
  const f = await c.upload('sale', { name, data });
  expect(f.status, f.lines.join('\n')).to.equal('success');
  return f;
}

const docs = (ex: Exchange) =>
  ex.rt.db('documents').where({ source_id: ex.sourceId }).orderBy('external_id')
    .select('external_id', 'kind', 'number', ex.rt.db.raw(`to_char(date, 'YYYY-MM-DD') AS date`), 'amount', 'vat_amount', 'currency', 'status', 'counterparty_id', 'order_id', 'deleted', 'lines');

describe('CommerceML exchange: invoices and shipment documents from 1C into the documents mirror', () => {
  let ex: Exchange;
  before(async () => {
    ex = await exchange();
  });
  beforeEach(async () => {
    await ex.reset();
  });

  it('2.09: an invoice naming an order and a standalone shipment are mirrored for their Контрагент; unusable ones are warned about', async () => {
    const ids = await seed(ex);
    const f = await send(ex, 'documents___2x.xml', fixture('documents-2x.xml'));
    expect(f.lines).to.include('documents (invoices, shipments) 4 read, 2 mirrored, 1 newly linked to an order');
    expect(f.lines).to.include('warning: 1 invoice/shipment document(s) not mirrored: Сумма missing or not a number (УТ-000124)');
    expect(f.lines).to.include('warning: 1 invoice/shipment document(s) not mirrored: their Контрагент is not in the mirror and they name no order of this source (УТ-000125)');
    expect(f.lines).to.include('warning: 1 document line(s) left out: no Наименование or Сумма');
    // the documents' sync run keeps what never reached it, as the answer says it
    const run = await ex.rt.db('sync_runs').where({ source_id: ex.sourceId, kind: 'commerceml documents' }).orderBy('id', 'desc').first('warnings');
    expect((run!.warnings as { entity: string; message: string; count: number }[]).map((w) => `${w.entity} ${w.count}: ${w.message}`)).to.include.members([
      'documents 1: 1 invoice/shipment document(s) not mirrored: Сумма missing or not a number (УТ-000124)',
      'documents 1: 1 invoice/shipment document(s) not mirrored: their Контрагент is not in the mirror and they name no order of this source (УТ-000125)',
      'documents 1: 1 document line(s) left out: no Наименование or Сумма',
    ]);
    const rows = await docs(ex);
    expect(rows).to.have.length(2);
    const [inv, ship] = rows;
    expect(inv).to.deep.include({
      external_id: '7c1e0a52-0f3b-11ef-9b6e-00155d0a1c01', kind: 'invoice', number: 'УТ-000123', date: '2026-12-01', amount: '3600.00', vat_amount: '600.00',
      currency: 'RUB', status: 'Не оплачен', counterparty_id: ids.romashka, order_id: ids.o701, deleted: false,
    });
    expect(inv!.lines).to.deep.equal([
      { lineNo: 1, name: 'Стол обеденный', sku: 'СТ-01', unit: 'шт', quantity: '2', price: '1000.25', amount: '2000.5', vatRate: '20', vatAmount: '333.42' },
      { lineNo: 2, name: 'Доставка', sku: null, unit: null, quantity: '1', price: '1599.5', amount: '1599.5', vatRate: '20', vatAmount: null },
    ]);
    expect(ship).to.deep.include({ kind: 'shipment', number: 'УТ-000045', date: '2026-12-02', amount: '1200.00', vat_amount: '200.00', status: 'Проведён', counterparty_id: ids.romashka, order_id: null });
    expect(ship!.lines).to.have.length(1);
    // the same file again: nothing new, nothing doubled
    const again = await send(ex, 'documents___2x.xml', fixture('documents-2x.xml'));
    expect(again.lines).to.include('documents (invoices, shipments) 4 read, 2 mirrored, 0 newly linked to an order');
    expect(await ex.count('documents')).to.equal(2);
  });

  it('3.1: the Контейнер’s invoice takes the order’s counterparty and link; its shipment is both a settlement and a document; a deletion mark deletes', async () => {
    const ids = await seed(ex);
    const f = await send(ex, 'documents___3x.xml', fixture('documents-3x.xml'), '3.1');
    expect(f.lines[0], f.lines.join('\n')).to.match(/3 document\(s\), 1 matched an order/);
    expect(f.lines).to.include('documents (invoices, shipments) 2 read, 2 mirrored, 2 newly linked to an order');
    const rows = await docs(ex);
    expect(rows.map((r) => [r.external_id, r.kind, r.number, r.status, r.counterparty_id, r.order_id])).to.deep.equal([
      ['inv-702', 'invoice', 'УТ-СЧ-702', 'Оплачен', ids.site, ids.o702],
      ['ship-702', 'shipment', 'УТ-РТ-702', 'Отгружен', ids.site, ids.o702],
    ]);
    expect(rows[0]).to.deep.include({ amount: '3000.50', vat_amount: '500.08', currency: 'RUB' });
    // the shipment still reaches the order as its shipment
    expect(await ex.rt.db('order_shipments').where({ order_id: ids.o702 }).select('external_id', 'number')).to.deep.equal([{ external_id: 'ship-702', number: 'УТ-РТ-702' }]);
    const marked = fixture('documents-3x.xml').toString('utf8').replace('<Ид>inv-702</Ид>', '<Ид>inv-702</Ид><ПометкаУдаления>true</ПометкаУдаления>');
    await send(ex, 'documents___3x-del.xml', Buffer.from(marked, 'utf8'), '3.1');
    expect((await ex.rt.db('documents').where({ external_id: 'inv-702' }).first('deleted'))!.deleted).to.equal(true);
  });

  it('the store lists a mirrored 1C invoice for its counterparty only', async () => {
    const ids = await seed(ex);
    await send(ex, 'documents___2x.xml', fixture('documents-2x.xml'));
    const mine = await listDocuments(ex.rt.db, [ids.romashka], parseFilters({ kind: 'invoice' }));
    expect(mine.map((d) => [d.number, d.amount, d.status])).to.deep.equal([['УТ-000123', '3600.00', 'Не оплачен']]);
    expect(await listDocuments(ex.rt.db, [ids.site], parseFilters({}))).to.deep.equal([]);
  });
});
