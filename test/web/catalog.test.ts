import { expect } from 'chai';
import type { WebClient } from '../support/web-client.ts';
import { useWorld } from '../support/world.ts';

describe('web/catalog: views, filters, search, product page', () => {
  // Seeded before every test (ids restart, caches are emptied): a test may add rows freely.
  const w = useWorld();
  let a: WebClient;
  beforeEach(async () => {
    a = await w.signIn('a');
  });

  const cells = (html: string, offerId: number) => html.match(new RegExp(`<tr id="o${offerId}">([\\s\\S]*?)</tr>`))?.[1] ?? '';

  it('renders the dense table: SKU, name, unit, own price, a stock column per warehouse, add form', async () => {
    const r = await a.get('/catalog');
    expect(r.status).to.equal(200);
    expect(r.text).to.contain('Цены и остатки на 27.11.2026, 12:00:00');
    expect(r.text).to.match(/<th scope="col" class="num wh">Main<\/th>/);
    expect(r.text).to.match(/Partner Far<br><small>партнёр · 3 дн.<\/small>/);
    const row = cells(r.text, w.fx.offers[0]!);
    expect(row).to.contain('SKU-001').and.contain('Drill Bosch GSB 13').and.contain('SKU-001 · шт.'); // the unit in the page's language
    expect(row).to.match(/sse-swap="p\d+"><span class="price" title="contract_type">85,50<\/span>/);
    expect(row).to.contain('100 <small class="pp">94,05</small>'); // partner: qty + price with commission
    expect(row).to.contain('name="qty"');
    expect(r.text).to.contain('sse-connect="/live/offers?ids=');
  });

  // The count, groups and warehouses are cached for a few seconds: the first visit fills them.
  const queriesOf = async (url: string) => {
    await a.get(url);
    const sqls: string[] = [];
    const onQuery = (q: { sql: string }) => sqls.push(q.sql);
    w.rt.db.on('query', onQuery);
    try {
      const r = await a.get(url);
      expect(r.status).to.equal(200);
      expect(r.text).to.match(/id="news-badge"|<nav class="store-nav">/);
    } finally {
      w.rt.db.off('query', onQuery);
    }
    expect(sqls[0]).to.contain('FROM sessions s').and.contain("'news'");
    return sqls;
  };

  it('costs two round trips to Postgres unfiltered: session with viewer and badges, then the page with its rows', async () => {
    const sqls = await queriesOf('/catalog');
    expect(sqls, sqls.map((s) => s.slice(0, 60)).join('\n')).to.have.length(2);
    expect(sqls[1]).to.contain('page_ids').and.contain('ORDER BY lower(p.name)');
  });

  it('costs three sorted by price: session, the page ids planned with the buyer\'s terms, their rows', async () => {
    const sqls = await queriesOf('/catalog?sort=price');
    expect(sqls, sqls.map((s) => s.slice(0, 60)).join('\n')).to.have.length(3);
  });

  it('follows the counterparty switch: other prices for Alpha North', async () => {
    const c = await w.signIn('a');
    await c.post('/account/switch', { counterpartyId: String(w.fx.cp.aChild) });
    const r = await c.get('/catalog');
    expect(cells(r.text, w.fx.offers[0]!)).to.contain('>100,00<'); // base price, no discount
    await c.post('/account/switch', { counterpartyId: String(w.fx.cp.aHead) });
  });

  it('switches views with htmx (fragment only) and remembers the choice per user', async () => {
    const frag = await a.get('/catalog?view=tiles', { 'hx-request': 'true', 'hx-target': 'catalog-results' });
    expect(frag.text).to.match(/^<div id="catalog-results"/);
    expect(frag.text).not.to.contain('<html');
    expect(frag.text).to.contain('class="catalog-tiles"');
    expect(frag.res.headers.get('vary')).to.contain('HX-Request');
    const again = await a.get('/catalog');
    expect(again.text).to.contain('class="catalog-tiles"');
    const list = await a.get('/catalog?view=list');
    expect(list.text).to.contain('class="catalog-list"');
    expect((await w.rt.db('users').where({ id: w.fx.users.a }).first('preferences'))!.preferences).to.deep.equal({ catalogView: 'list' });
    await a.get('/catalog?view=table');
  });

  it('searches by name with a typo, by SKU and by barcode', async () => {
    expect(cells((await a.get('/catalog?q=Makitta')).text, w.fx.offers[1]!)).to.contain('Drill Makita');
    const sku = await a.get('/catalog?q=sku-003');
    expect(sku.text).to.contain('Hammer 500g');
    expect(sku.text).to.contain('1 позиция');
    const bc = await a.get('/catalog?q=4600000000005');
    expect(bc.text).to.contain('Paint white 5 l').and.contain('1 позиция');
  });

  it('filters by group (with subgroups), stock at a warehouse, property and price; sorts by price', async () => {
    const groups = await w.rt.db('product_groups').select('id', 'external_id');
    const tools = groups.find((g) => g.external_id === 'g-tools')!.id;
    const r = await a.get(`/catalog?group=${tools}`);
    expect(r.text).to.contain('4 позиции'); // Tools + Drills
    const north = await a.get(`/catalog?wh=${w.fx.warehouses.north}`);
    expect(north.text).to.contain('3 позиции'); // even SKUs have 5 at North
    const prop = await a.get('/catalog?prop=Brand:Makita');
    expect(prop.text).to.contain('3 позиции');
    const price = await a.get('/catalog?price_min=200&price_max=400');
    // buyer prices (wholesale −5 %): 85.5, 142.5(contract), 256.5, 342, 427.5, 513 → 256.5 and 342
    expect(price.text).to.contain('2 позиции');
    const sorted = await a.get('/catalog?sort=price_desc');
    expect(sorted.text.indexOf('SKU-006')).to.be.lessThan(sorted.text.indexOf('SKU-001'));
    expect(sorted.text.replaceAll('&#x3D;', '=')).to.match(/href="\/catalog\?sort=price_desc" [^>]*class="active"/);
  });

  it('keeps filters in pagination links (shareable URLs) and treats bad params as defaults', async () => {
    await w.rt.db('products').insert(
      Array.from({ length: 55 }, (_, i) => ({ source_id: w.fx.sourceId, external_id: `extra${i}`, name: `Zeta item ${String(i).padStart(2, '0')}`, sku: `Z-${i}` })),
    );
    const ids = await w.rt.db('products').where('external_id', 'like', 'extra%').select('id', 'external_id');
    await w.rt.db('offers').insert(ids.map((p) => ({ source_id: w.fx.sourceId, external_id: p.external_id, product_id: p.id })));
    try {
      const r = await a.get('/catalog?q=Zeta&sort=name');
      expect(r.text).to.contain('55 позиций');
      expect(r.text.replaceAll('&#x3D;', '=')).to.contain('href="/catalog?q=Zeta&amp;sort=name&amp;page=2"');
      const p2 = await a.get('/catalog?q=Zeta&sort=name&page=2');
      expect(p2.text).to.contain('Zeta item 54').and.contain('Страница 2 из 2');
      const bad = await a.get('/catalog?page=-4&sort=evil&price_min=abc&wh=x');
      expect(bad.status).to.equal(200);
    } finally {
      await w.rt.db('offers').whereIn('external_id', ids.map((x) => x.external_id)).delete();
      await w.rt.db('products').where('external_id', 'like', 'extra%').delete();
    }
  });

  it('answers 404 for an unknown group', async () => {
    expect((await a.get('/catalog?group=999999')).status).to.equal(404);
  });

  it('shows the product page: properties, every warehouse with delivery days, price, add', async () => {
    const r = await a.get(`/product/${w.fx.offers[0]}`);
    expect(r.status).to.equal(200);
    expect(r.text).to.contain('Drill Bosch GSB 13').and.contain('Brand').and.contain('Bosch');
    expect(r.text).to.match(/Partner Far <small>\(партнёр\)<\/small><\/td>\s*<td class="num"[^>]*>100<\/td>\s*<td class="num">3 дн.<\/td>\s*<td class="num">94,05<\/td>/);
    expect(r.text).to.match(/Main<\/td>\s*<td class="num"[^>]*>1<\/td>\s*<td class="num">сегодня<\/td>/);
    expect(r.text).to.contain('action="/cart/add"');
    expect((await a.get('/product/999999')).status).to.equal(404);
    expect((await a.get('/product/abc')).status).to.equal(404);
  });

  it('subtracts active reservations from availability', async () => {
    await w.rt.db('reservations').insert({ client_id: w.fx.clients.b, counterparty_id: w.fx.cp.bHead, offer_id: w.fx.offers[1]!, warehouse_id: w.fx.warehouses.main, quantity: '15', expires_at: new Date(Date.now() + 3600_000) });
    const row = cells((await a.get('/catalog')).text, w.fx.offers[1]!);
    expect(row).to.match(new RegExp(`sse-swap="s${w.fx.offers[1]}-${w.fx.warehouses.main}">5<`));
    await w.rt.db('reservations').delete();
  });

  it('downloads the price list as CSV and XLSX for the current counterparty', async () => {
    const csv = await a.get('/pricelist.csv');
    expect(csv.res.headers.get('content-type')).to.contain('text/csv');
    const lines = csv.text.replace(/^\ufeff/, '').trim().split('\r\n');
    expect(lines[0]).to.equal('Артикул;Наименование;Ед.;Цена;Валюта;НДС включён;Main;North;Partner Far (партнёр, 3 дн.);Цена у Partner Far');
    expect(lines, lines.join('\n')).to.include('SKU-001;Drill Bosch GSB 13;pcs;85.50;RUB;да;1;0;100;94.05');
    const x = await fetch(`${w.base}/pricelist.xlsx`, { headers: { cookie: [...a.cookies].map(([k, v]) => `${k}=${v}`).join('; ') } });
    expect(x.status).to.equal(200);
    const buf = Buffer.from(await x.arrayBuffer());
    expect(buf.subarray(0, 2).toString()).to.equal('PK');
    const ExcelJS = (await import('exceljs')).default;
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(buf as never);
    const ws = wb.getWorksheet('Цены')!;
    expect(ws.getRow(2).getCell(1).value).to.equal('Артикул');
    expect(String(ws.getRow(1).getCell(1).value)).to.match(/^Прайс-лист для Alpha/);
    const first = ws.getRow(3);
    expect([first.getCell(1).value, first.getCell(4).value, first.getCell(9).value]).to.deep.equal(['SKU-001', 85.5, 100]);
  });
});
