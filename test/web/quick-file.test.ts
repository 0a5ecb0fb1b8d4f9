import { expect } from 'chai';
import type { Runtime } from '../../src/infra/runtime.ts';
import { MAX_QUICK_FILE_BYTES } from '../../src/store/cart/quick-file.ts';
import { createApp } from '../../src/web/app.ts';
import { PASSWORD, type StoreFixture, storeFixture } from '../support/mirror-fixtures.ts';
import { cp1251, xlsx, zipOf } from '../support/quick-files.ts';
import { testRuntime, truncate } from '../support/runtime.ts';
import { listen, WebClient } from '../support/web-client.ts';

const XLSX = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';
const main = (t: string) => t.slice(t.indexOf('<main>'), t.indexOf('</main>'));

describe('web/quick order from a file: XLSX and CSV upload next to the paste box', () => {
  let rt: Runtime;
  let srv: Awaited<ReturnType<typeof listen>>;
  let fx: StoreFixture;
  let a: WebClient;
  let b: WebClient;

  before(async () => {
    rt = await testRuntime();
    srv = await listen(createApp(rt, [], { mail: { send: async () => {} } }));
  });
  after(() => srv.close());
  beforeEach(async () => {
    await truncate(rt, 'sources', 'users', 'clients', 'sessions', 'orders', 'outbox', 'reservations');
    fx = await storeFixture(rt.db);
    a = new WebClient(srv.base);
    b = new WebClient(srv.base);
    await a.login(fx.emails.a, PASSWORD);
    await b.login(fx.emails.b, PASSWORD);
    await a.get('/cart/quick');
    await b.get('/cart/quick');
  });

  const cartOf = async (userId: number) =>
    rt.db('cart_lines as l').join('carts as c', 'c.id', 'l.cart_id').where('c.user_id', userId).orderBy('l.offer_id').select('l.offer_id', 'l.quantity');

  it('shows the upload form on the quick order page', async () => {
    const page = await a.get('/cart/quick');
    expect(page.text).to.contain('<form method="post" action="/cart/quick/file" enctype="multipart/form-data" class="stack" hx-boost="false">');
    expect(page.text).to.contain('Заказ из файла');
  });

  it('adds the lines of an XLSX (header under a title, Russian names) with the paste box report per row', async () => {
    const data = await xlsx([
      ['Заказ от 01.12.2026'],
      ['Артикул', 'Наименование', 'Количество'],
      ['SKU-002', 'Drill Makita', 4],
      ['NOPE-1', 'Нет такого', 1],
      ['SKU-003', 'Hammer', 'abc'],
      ['SKU-001', 'Drill Bosch', 999],
      ['', 'по штрихкоду нет', 2],
    ]);
    const r = await a.upload('/cart/quick/file', { file: { name: 'заказ.xlsx', data, type: XLSX } });
    expect(r.status, main(r.text)).to.equal(200);
    expect(r.text).to.contain('Добавлена 1 строка.');
    expect(r.text).to.contain('Файл заказ.xlsx');
    expect(r.text).to.contain('Строка 4: неизвестный артикул «NOPE-1».');
    expect(r.text).to.contain('Строка 5: «abc» — не количество');
    expect(r.text).to.contain('Строка 6: Не хватает SKU-001: доступно 101, нужно 999.');
    expect(r.text).to.contain('Строка 7: нет артикула или штрихкода для количества «2».');
    expect(await cartOf(fx.users.a)).to.deep.equal([{ offer_id: fx.offers[1], quantity: '4.000' }]);
    expect(await cartOf(fx.users.b)).to.deep.equal([]);
  });

  it('reads English headers and numeric barcodes in an XLSX, summing with what is in the cart', async () => {
    await a.post('/cart/add', { offerId: String(fx.offers[4]), qty: '1' });
    const data = await xlsx([['Barcode', 'Name', 'Qty'], [4600000000005, 'Paint', 2], [4600000000003, 'Hammer', 1.5]]);
    const r = await a.upload('/cart/quick/file', { file: { name: 'order.xlsx', data, type: XLSX } });
    expect(r.status, main(r.text)).to.equal(200);
    expect(r.text).to.contain('Добавлено 2 строки.');
    expect(await cartOf(fx.users.a)).to.deep.equal([
      { offer_id: fx.offers[2], quantity: '1.500' },
      { offer_id: fx.offers[4], quantity: '3.000' },
    ]);
  });

  it('reads a UTF-8 CSV with `;` and decimal commas, and a windows-1251 CSV with `,` and quotes', async () => {
    const utf8 = Buffer.from('\ufeffАртикул;Наименование;Кол-во\r\nSKU-002;Дрель;2,5\r\nsku-004;"Набор; отвёрток";1\r\n');
    const r1 = await a.upload('/cart/quick/file', { file: { name: 'order.csv', data: utf8, type: 'text/csv' } });
    expect(r1.status, main(r1.text)).to.equal(200);
    expect(r1.text).to.contain('Добавлено 2 строки.');
    const win = cp1251('"Штрихкод","Наименование","Количество"\r\n"4600000000006","Краска синяя","3"\r\n"4600000000099","Нет","1"\r\n');
    // the fixture is really windows-1251 (not valid UTF-8): read back with another decoder
    expect(new TextDecoder('windows-1251').decode(win)).to.contain('Штрихкод');
    expect(() => new TextDecoder('utf-8', { fatal: true }).decode(win)).to.throw();
    const r2 = await a.upload('/cart/quick/file', { file: { name: 'заказ.csv', data: win, type: 'text/csv' } });
    expect(r2.status, main(r2.text)).to.equal(200);
    expect(r2.text).to.contain('Добавлена 1 строка.');
    expect(r2.text).to.contain('Строка 3: неизвестный артикул «4600000000099».');
    expect(await cartOf(fx.users.a)).to.deep.equal([
      { offer_id: fx.offers[1], quantity: '2.500' },
      { offer_id: fx.offers[3], quantity: '1.000' },
      { offer_id: fx.offers[5], quantity: '3.000' },
    ]);
  });

  it('answers a file with no line added with 422, still naming each line', async () => {
    const r = await a.upload('/cart/quick/file', { file: { name: 'x.csv', data: Buffer.from('SKU;Qty\nNOPE;1\n'), type: 'text/csv' } });
    expect(r.status).to.equal(422);
    expect(r.text).to.contain('Строка 2: неизвестный артикул «NOPE».');
  });

  it('refuses what is not an order with a clear 422, never a 500', async () => {
    const cases: [string, Buffer, string][] = [
      ['photo.png', Buffer.from('89504e470d0a1a0a0000000d494844520000', 'hex'), 'Это не таблица: загрузите файл XLSX или CSV.'],
      ['old.xls', Buffer.from('d0cf11e0a1b11ae10000000000000000', 'hex'), 'старом формате Excel (XLS)'],
      ['broken.xlsx', Buffer.concat([Buffer.from('PK\x03\x04'), Buffer.alloc(300, 1)]), 'Файл XLSX повреждён'],
      ['archive.xlsx', await zipOf('readme.txt', 'hello'), 'не книга Excel'],
      ['cut.xlsx', (await xlsx([['SKU', 'Qty'], ['SKU-001', 1]])).subarray(0, 900), 'Файл XLSX повреждён'],
      ['letter.csv', Buffer.from('Добрый день!\nПришлите, пожалуйста, счёт.\n'), 'В файле не нашлись колонки'],
      ['quote.csv', Buffer.from('SKU;Qty\n"SKU-001;1\n'), 'Файл CSV не читается'],
      ['nul.csv', Buffer.from('SKU;Qty\nSKU-001\u0000;1\n'), 'Это не таблица'],
      ['empty.csv', Buffer.alloc(0), 'Файл пуст.'],
      ['header-only.csv', Buffer.from('Артикул;Количество\n'), 'В файле нет строк с артикулом и количеством.'],
      ['big.csv', Buffer.alloc(MAX_QUICK_FILE_BYTES + 10, 0x41), 'Файл больше 1 МБ'],
    ];
    for (const [name, data, message] of cases) {
      const r = await a.upload('/cart/quick/file', { file: { name, data } });
      expect(r.status, name).to.equal(422);
      expect(main(r.text), name).to.contain(message);
      expect(r.text, name).to.contain('action="/cart/quick/file"'); // the page again, to try another file
    }
    const none = await a.upload('/cart/quick/file', {});
    expect(none.status).to.equal(422);
    expect(none.text).to.contain('Выберите файл XLSX или CSV.');
    const two = await a.upload('/cart/quick/file', { file: { name: 'a.csv', data: Buffer.from('SKU-001;1') }, other: { name: 'b.csv', data: Buffer.from('SKU-001;1') } });
    expect(two.status).to.equal(422);
    expect(two.text).to.contain('Загрузите один файл.');
    expect(await cartOf(fx.users.a)).to.deep.equal([]);
  });

  it('needs a signed-in buyer and the form token; a file goes to the uploader\'s own cart only', async () => {
    const file = { name: 'o.csv', data: Buffer.from('SKU;Qty\nSKU-002;1\n') };
    const anon = new WebClient(srv.base);
    await anon.get('/login');
    expect((await anon.upload('/cart/quick/file', { file })).status).to.equal(401);
    expect((await a.upload('/cart/quick/file', { file }, { csrf: null })).status).to.equal(403);
    expect((await a.upload('/cart/quick/file', { file }, { csrf: 'forged' })).status).to.equal(403);
    const admin = new WebClient(srv.base);
    await admin.login(fx.emails.admin, PASSWORD);
    expect((await admin.upload('/cart/quick/file', { file })).status).to.equal(403);
    // A counterpartyId in the form changes nothing: the cart is the viewer's current one.
    const r = await b.upload('/cart/quick/file', { counterpartyId: String(fx.cp.aHead), file });
    expect(r.status).to.equal(200);
    expect(await cartOf(fx.users.a)).to.deep.equal([]);
    const carts = await rt.db('carts').select('user_id', 'counterparty_id');
    expect(carts).to.deep.equal([{ user_id: fx.users.b, counterparty_id: fx.cp.bHead }]);
  });
});
