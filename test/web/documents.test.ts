import { expect } from 'chai';
import yauzl from 'yauzl';
import type { Runtime } from '../../src/infra/runtime.ts';
import { setSetting } from '../../src/store/settings/settings.ts';
import { createApp } from '../../src/web/app.ts';
import { PASSWORD, type StoreFixture, storeFixture } from '../support/mirror-fixtures.ts';
import { pdfText } from '../support/pdf-text.ts';
import { testRuntime, truncate } from '../support/runtime.ts';
import { listen, WebClient } from '../support/web-client.ts';

const SELLER = {
  name: 'ООО «Торговый дом Контрагент»', inn: '7705000005', kpp: '770501001', address: '101000, г. Москва, ул. Складская, д. 1',
  bankName: 'ПАО Сбербанк', bic: '044525225', account: '40702810400000000001', corrAccount: '30101810400000000225', vatRate: '20',
  director: 'Иванов И. И.', accountant: 'Петрова А. А.',
};

/** The raw bytes of a GET with the client's session (the WebClient reads text). */
async function bytes(c: WebClient, path: string): Promise<{ status: number; type: string | null; disposition: string | null; body: Buffer }> {
  const res = await fetch(c.base + path, { redirect: 'manual', headers: { cookie: [...c.cookies].map(([k, v]) => `${k}=${v}`).join('; ') } });
  return { status: res.status, type: res.headers.get('content-type'), disposition: res.headers.get('content-disposition'), body: Buffer.from(await res.arrayBuffer()) };
}

function unzip(buf: Buffer): Promise<Map<string, Buffer>> {
  return new Promise((resolve, reject) => {
    yauzl.fromBuffer(buf, { lazyEntries: true }, (err, zip) => {
      if (err || !zip) return reject(err);
      const out = new Map<string, Buffer>();
      zip.on('entry', (e: yauzl.Entry) => {
        zip.openReadStream(e, (err2, s) => {
          if (err2 || !s) return reject(err2);
          const chunks: Buffer[] = [];
          s.on('data', (c: Buffer) => chunks.push(c));
          s.on('end', () => {
            out.set(e.fileName, Buffer.concat(chunks));
            zip.readEntry();
          });
        });
      });
      zip.on('end', () => resolve(out));
      zip.on('error', reject);
      zip.readEntry();
    });
  });
}

describe('web/documents: list, PDF, ZIP and the order’s invoice, scoped to the client’s legal entities', () => {
  let rt: Runtime;
  let srv: Awaited<ReturnType<typeof listen>>;
  let fx: StoreFixture;
  let a: WebClient;
  let b: WebClient;
  let docs: { aInvoice: number; aChildShipment: number; aAct: number; bInvoice: number; stray: number };
  let orders: { a: number; b: number };

  before(async () => {
    rt = await testRuntime();
    srv = await listen(createApp(rt, [], { mail: { send: async () => undefined } }));
  });
  after(() => srv.close());
  beforeEach(async () => {
    await truncate(rt, 'sources', 'users', 'clients', 'sessions', 'orders', 'outbox', 'settings');
    fx = await storeFixture(rt.db);
    const s = { source_id: fx.sourceId };
    // A legal entity no client was granted: its documents are nobody's to see in the store.
    const [stray] = await rt.db('counterparties').insert({ ...s, external_id: 'cp-x', name: 'Stray LLC', inn: '7701000099' }).returning('id');
    await rt.db('counterparties').where({ id: fx.cp.aHead }).update({
      kpp: '770101001', legal_address: '125000, г. Москва, ул. Ленина, д. 5', bank_name: 'АО «Альфа-Банк»', bank_bic: '044525593',
      bank_account: '40702810900000000077', bank_corr_account: '30101810200000000593',
    });
    const line = { lineNo: 1, name: 'Дрель Bosch', sku: 'SKU-001', unit: 'шт', quantity: '2', price: '600.00', amount: '1200.00', vatRate: '20', vatAmount: '200.00' };
    const doc = (external_id: string, counterparty_id: number, kind: 'invoice' | 'shipment' | 'reconciliation', number: string, date: string, extra: Record<string, unknown> = {}) =>
      rt.db('documents').insert({ ...s, external_id, counterparty_id, kind, number, date, amount: '1200.00', vat_amount: '200.00', status: 'Оплачен', lines: JSON.stringify([line]), ...extra }).returning('id').then((r) => r[0].id as number);
    const printed = Buffer.from('%PDF-1.4\n% the system’s own printed form\n');
    docs = {
      aInvoice: await doc('d1', fx.cp.aHead, 'invoice', 'СЧ-000001', '2026-03-10'),
      aChildShipment: await doc('d2', fx.cp.aChild, 'shipment', 'РН-000002', '2026-04-02', { status: 'Отгружен' }),
      aAct: await doc('d3', fx.cp.aHead, 'reconciliation', 'АС-000003', '2026-06-28', { file_name: 'act.pdf', file_base64: printed.toString('base64'), lines: '[]' }),
      bInvoice: await doc('d4', fx.cp.bHead, 'invoice', 'СЧ-000004', '2026-03-11'),
      stray: await doc('d5', stray.id, 'invoice', 'СЧ-000005', '2026-03-12'),
    };
    await rt.db('documents').insert({ ...s, external_id: 'd6', counterparty_id: fx.cp.aHead, kind: 'invoice', number: 'СЧ-УДАЛЁН', date: '2026-03-01', amount: '1.00', deleted: true });
    const order = async (client_id: number, counterparty_id: number, number: string) => {
      const [o] = await rt.db('orders').insert({ number, source_id: fx.sourceId, client_id, counterparty_id, contract_id: counterparty_id === fx.cp.aHead ? fx.contracts.aMain : null, total: '1380.00' }).returning('id');
      await rt.db('order_lines').insert([
        { order_id: o.id, line_no: 1, offer_id: fx.offers[0]!, sku: 'SKU-001', name: 'Drill Bosch GSB 13', unit: 'pcs', quantity: '2', price: '600.00', amount: '1200.00' },
        { order_id: o.id, line_no: 2, offer_id: fx.offers[2]!, sku: 'SKU-003', name: 'Hammer 500g', unit: 'pcs', quantity: '1', price: '180.00', amount: '180.00' },
      ]);
      return o.id as number;
    };
    orders = { a: await order(fx.clients.a, fx.cp.aHead, 'CP-000101'), b: await order(fx.clients.b, fx.cp.bHead, 'CP-000102') };
    a = new WebClient(srv.base);
    b = new WebClient(srv.base);
    await a.login(fx.emails.a, PASSWORD);
    await b.login(fx.emails.b, PASSWORD);
  });

  it('lists the documents of every legal entity of the client, newest first; never another client’s, a stray or a deleted one', async () => {
    const page = await a.get('/documents');
    expect(page.status).to.equal(200);
    const numbers = [...page.text.matchAll(/№ ((?:СЧ|РН|АС)-[^<\s]+)/g)].map((m) => m[1]);
    expect(numbers).to.deep.equal(['АС-000003', 'РН-000002', 'СЧ-000001']);
    expect(page.text).to.contain('Счёт на оплату').and.to.contain('Акт сверки').and.to.contain('Alpha North LLC');
    expect(page.text).to.contain('<td>10.03.2026</td>'); // the calendar day in the page's locale
    expect(page.text).to.contain('href="/documents"'); // the menu link
    const other = await b.get('/documents');
    expect([...other.text.matchAll(/№ ((?:СЧ|РН|АС)-[^<\s]+)/g)].map((m) => m[1])).to.deep.equal(['СЧ-000004']);
  });

  it('filters by kind, date range and legal entity', async () => {
    const nums = async (q: string) => [...(await a.get(`/documents?${q}`)).text.matchAll(/№ ((?:СЧ|РН|АС)-[^<\s]+)/g)].map((m) => m[1]);
    expect(await nums('kind=invoice')).to.deep.equal(['СЧ-000001']);
    expect(await nums('kind=shipment&from=&to=')).to.deep.equal(['РН-000002']);
    expect(await nums('from=2026-04-01&to=2026-06-27')).to.deep.equal(['РН-000002']);
    expect(await nums('to=2026-03-10')).to.deep.equal(['СЧ-000001']);
    expect(await nums(`counterpartyId=${fx.cp.aChild}`)).to.deep.equal(['РН-000002']);
    expect(await nums('kind=reconciliation&from=2026-07-01')).to.deep.equal([]);
  });

  it('refuses bad filters with 400 naming the filter, and another client’s legal entity with 404 (never 500)', async () => {
    for (const [q, says] of [
      ['kind=receipt', 'Фильтр «Вид»'], ['from=2026-13-01', 'Фильтр «Дата с»'], ['to=yesterday', 'Фильтр «Дата по»'], ['from=2026-02-30', 'такой даты нет'],
      ['from=2026-05-01&to=2026-04-01', 'дата «с» позже даты «по»'], ['counterpartyId=abc', 'Фильтр «Юрлицо»'], ['counterpartyId=99999999999999999999', 'Фильтр «Юрлицо»'],
    ] as const) {
      const r = await a.get(`/documents?${q}`);
      expect(r.status, q).to.equal(400);
      expect(r.text, q).to.contain(says);
    }
    expect((await a.get(`/documents?counterpartyId=${fx.cp.bHead}`)).status).to.equal(404);
    expect((await a.get(`/documents?counterpartyId=${docs.stray}`)).status).to.equal(404);
  });

  it('serves the system’s printed form when it sent one, else a rendered PDF with Cyrillic text', async () => {
    const own = await bytes(a, `/documents/${docs.aAct}.pdf`);
    expect(own.status).to.equal(200);
    expect(own.type).to.match(/^application\/pdf/);
    expect(own.body.toString()).to.contain('the system’s own printed form');
    expect(own.disposition).to.contain(`filename*=UTF-8''${encodeURIComponent('Акт сверки АС-000003 от 2026-06-28.pdf')}`);
    const rendered = await bytes(a, `/documents/${docs.aChildShipment}.pdf`);
    expect(rendered.status).to.equal(200);
    const text = await pdfText(rendered.body);
    expect(text).to.contain('Отгрузочный документ (УПД / ТОРГ-12) № РН-000002 от 02.04.2026');
    expect(text).to.contain('Alpha North LLC, ИНН 7701000002');
    expect(text).to.contain('Дрель Bosch (SKU-001)');
    expect(text).to.contain('Итого: 1 200,00 ₽');
  });

  it('a document of another client, of a stray legal entity, deleted or malformed is a 404; signed out goes to login', async () => {
    for (const id of [docs.bInvoice, docs.stray, 'abc', '0', '99999999999999999999']) {
      expect((await bytes(a, `/documents/${id}.pdf`)).status, String(id)).to.equal(404);
    }
    const deleted = (await rt.db('documents').where({ external_id: 'd6' }).first('id'))!.id;
    expect((await bytes(a, `/documents/${deleted}.pdf`)).status).to.equal(404);
    expect((await bytes(b, `/documents/${docs.aInvoice}.pdf`)).status).to.equal(404);
    expect((await bytes(new WebClient(srv.base), `/documents/${docs.aInvoice}.pdf`)).status).to.equal(303);
  });

  it('downloads the selection as one ZIP of PDFs; another client’s id in it is a 404; no or bad ids a 400', async () => {
    const zip = await bytes(a, `/documents.zip?id=${docs.aInvoice}&id=${docs.aAct}&id=${docs.aInvoice}`);
    expect(zip.status).to.equal(200);
    expect(zip.type).to.match(/^application\/zip/);
    const files = await unzip(zip.body);
    expect([...files.keys()].sort()).to.deep.equal(['Акт сверки АС-000003 от 2026-06-28.pdf', 'Счёт СЧ-000001 от 2026-03-10.pdf']);
    expect(await pdfText(files.get('Счёт СЧ-000001 от 2026-03-10.pdf')!)).to.contain('Счёт на оплату № СЧ-000001 от 10.03.2026');
    expect(files.get('Акт сверки АС-000003 от 2026-06-28.pdf')!.toString()).to.contain('the system’s own printed form');
    expect((await bytes(a, `/documents.zip?id=${docs.aInvoice}&id=${docs.bInvoice}`)).status).to.equal(404);
    expect((await bytes(a, `/documents.zip?id=${docs.stray}`)).status).to.equal(404);
    const none = await a.get('/documents.zip');
    expect(none.status).to.equal(400);
    expect(none.text).to.contain('Отметьте документы');
    expect((await a.get('/documents.zip?id=1e3')).status).to.equal(400);
    expect((await a.get(`/documents.zip?${Array.from({ length: 201 }, (_, i) => `id=${i + 1}`).join('&')}`)).status).to.equal(400);
  });

  it('renders the order’s invoice: both parties’ requisites, lines, VAT, the total in words', async () => {
    const missing = await a.get(`/orders/${orders.a}/invoice.pdf`);
    expect(missing.status).to.equal(409);
    expect(missing.text).to.contain('Реквизиты продавца для счетов ещё не заданы');
    await setSetting(rt.db, 'invoices.seller', SELLER);
    expect((await a.get(`/orders/${orders.a}`)).text).to.contain(`href="/orders/${orders.a}/invoice.pdf"`);
    const r = await bytes(a, `/orders/${orders.a}/invoice.pdf`);
    expect(r.status).to.equal(200);
    const text = await pdfText(r.body);
    expect(text).to.contain('Счёт на оплату № CP-000101');
    expect(text).to.contain('ООО «Торговый дом Контрагент», ИНН 7705000005, КПП 770501001');
    expect(text).to.contain('БИК 044525225');
    expect(text).to.contain('Alpha LLC, ИНН 7701000001, КПП 770101001, 125000, г. Москва, ул. Ленина, д. 5, р/с 40702810900000000077 в');
    expect(text).to.contain('Основание: Main № A-1');
    expect(text).to.contain('Drill Bosch GSB 13 (SKU-001)');
    expect(text).to.contain('Итого: 1 380,00');
    expect(text).to.contain('В том числе НДС 20%: 230,00');
    expect(text).to.contain('Одна тысяча триста восемьдесят рублей 00 копеек');
  });

  it('another client’s order, or a malformed id, has no invoice (404)', async () => {
    await setSetting(rt.db, 'invoices.seller', SELLER);
    expect((await bytes(a, `/orders/${orders.b}/invoice.pdf`)).status).to.equal(404);
    expect((await bytes(b, `/orders/${orders.a}/invoice.pdf`)).status).to.equal(404);
    expect((await bytes(a, '/orders/x/invoice.pdf')).status).to.equal(404);
    expect((await bytes(b, `/orders/${orders.b}/invoice.pdf`)).status).to.equal(200);
  });
});
