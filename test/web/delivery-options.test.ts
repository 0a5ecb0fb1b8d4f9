import { expect } from 'chai';
import { storeToday } from '../../src/store/arrivals/arrivals.ts';
import { dayText } from '../../src/web/delivery-options.ts';
import type { WebClient } from '../support/web-client.ts';
import { useWorld } from '../support/world.ts';

/** The store's calendar date `n` days from today. */
const inDays = (n: number) => {
  const d = new Date(`${storeToday()}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + n);
  return d.toISOString().slice(0, 10);
};
const ruDate = (date: string, today: string) => dayText(date, today, 'ru');
const nb = (s: string) => s.replaceAll('\u00a0', ' ');
/** The options table's rows: warehouse, how, date, price, amount, marks (tags and spacing dropped). */
function rows(html: string): string[][] {
  const table = html.match(/<table class="dense delivery">([\s\S]*?)<\/table>/)?.[1] ?? '';
  return [...table.matchAll(/<tr class="[^"]*" data-warehouse="\d+">([\s\S]*?)<\/tr>/g)].map((m) =>
    [...m[1]!.matchAll(/<td[^>]*>([\s\S]*?)<\/td>/g)].map((c) => nb(c[1]!.replace(/<[^>]+>/g, ' ').replace(/\s+/g, ' ').trim())),
  );
}

describe('web: "when can I have it" on the product page and in the cart', () => {
  const w = useWorld();
  let a: WebClient;
  let b: WebClient;
  // SKU-002: Main 20, North 5, Partner Far 100 (10 %, 3 days). Alpha's contract price 150 − 5 % = 142.50; Beta's dealer price 160.
  const offer = () => w.fx.offers[1]!;
  const arrive = (quantity: string, days: number, extra: Record<string, unknown> = {}) =>
    w.rt.db('expected_arrivals').insert({
      source_id: w.fx.sourceId, external_id: `ЗП-${days}-${quantity}`, offer_id: offer(), warehouse_id: w.fx.warehouses.main, quantity,
      expected_date: inDays(days), order_number: 'ЗП-1', ...extra,
    });
  beforeEach(async () => {
    a = await w.signIn('a');
    b = await w.signIn('b');
  });

  it('shows the options side by side for ?qty=, earliest and cheapest marked, dates in Russian, the buyer’s own prices', async () => {
    await arrive('15', 10);
    await arrive('1000', 20, { deleted: true }); // a received order's line counts no more
    const r = await a.get(`/product/${offer()}?qty=30`);
    expect(r.status).to.equal(200);
    expect(r.text).to.contain('Когда можно получить').and.contain('name="qty" value="30"');
    expect(rows(r.text)).to.deep.equal([
      ['Partner Far (партнёр)', 'в наличии', `${ruDate(inDays(3), storeToday())} 3 дн. доставки`, '156,75', '4 702,50', 'раньше всего'],
      ['Main', `после поступления ${ruDate(inDays(10), storeToday())}: 20 шт. есть, 10 шт. придёт`, `${ruDate(inDays(10), storeToday())} в день готовности`, '142,50', '4 275,00', 'дешевле всего'],
    ]);
    expect(r.text).to.contain(`<time datetime="${inDays(3)}">`);
    expect(r.text).to.match(/Не хватает: North: не больше 5 шт\./);
  });

  it('another client sees its own prices for the same options: Alpha’s contract price never leaks to Beta', async () => {
    await arrive('15', 10);
    const r = await b.get(`/product/${offer()}?qty=30`);
    expect(r.status).to.equal(200);
    const got = rows(r.text);
    expect(got.map((x) => [x[0], x[3], x[4]])).to.deep.equal([['Partner Far (партнёр)', '176,00', '5 280,00'], ['Main', '160,00', '4 800,00']]);
    expect(nb(r.text)).not.to.contain('142,50').and.not.to.contain('156,75').and.not.to.contain('4 275,00');
  });

  it('by default for 1 piece: every warehouse that has it today, the main one earliest and cheapest', async () => {
    const r = await a.get(`/product/${offer()}`);
    expect(rows(r.text).map((x) => [x[0], x[2].split(' ')[0], x[5]])).to.deep.equal([
      ['Main', 'сегодня', 'раньше всего дешевле всего'], ['North', 'завтра', ''], ['Partner Far (партнёр)', ruDate(inDays(3), storeToday()).split(' ')[0], ''],
    ]);
  });

  it('not enough anywhere says so; a bad quantity is a 400 naming it (htmx too: the fragment only)', async () => {
    const none = await a.get(`/product/${offer()}?qty=1000`);
    expect(none.status).to.equal(200);
    expect(nb(none.text)).to.contain('1000 шт. нет ни на одном складе и не ожидается в поступлениях.');
    for (const bad of ['lots', '-3', '0', '1e9', '1.23456']) {
      const r = await a.get(`/product/${offer()}?qty=${encodeURIComponent(bad)}`);
      expect(r.status, bad).to.equal(400);
      expect(r.text).to.contain(`«${bad}» — не количество`).and.contain('Drill Makita HP1630');
    }
    const frag = await a.get(`/product/${offer()}?qty=abc`, { 'hx-request': 'true', 'hx-target': 'delivery-options' });
    expect(frag.status).to.equal(400);
    expect(frag.text.trim()).to.match(/^<section id="delivery-options"/);
    expect(frag.text).not.to.contain('<html');
    const ok = await a.get(`/product/${offer()}?qty=2,5`, { 'hx-request': 'true', 'hx-target': 'delivery-options' });
    expect(ok.status).to.equal(200);
    expect(rows(ok.text)[0]!.slice(0, 1)).to.deep.equal(['Main']);
    expect(ok.text).to.contain('Сумма за 2,5 шт.');
  });

  it('an unknown or malformed product id is not found, whatever the quantity', async () => {
    expect((await a.get('/product/999999?qty=3')).status).to.equal(404);
    expect((await a.get('/product/abc?qty=3')).status).to.equal(404);
  });

  it('each cart line says, compactly, when the earliest and the cheapest way to get its quantity is, with every option side by side folded under it', async () => {
    await arrive('15', 10);
    const add = await a.post('/cart/add', { offerId: String(offer()), qty: '30' });
    expect(add.status).to.be.oneOf([303, 200]);
    const cart = await a.get('/cart');
    expect(cart.status).to.equal(200);
    expect(nb(cart.text)).to.contain(
      `Когда: раньше всего: ${ruDate(inDays(3), storeToday())} — Partner Far, 4 702,50; дешевле всего: ${ruDate(inDays(10), storeToday())} — Main, 4 275,00`,
    );
    expect(cart.text).to.contain(`href="/product/${offer()}?qty=30.000#delivery-options"`);
    // folded under the line: every option side by side, as on the product page
    const folded = cart.text.match(/<details class="when-all"><summary>все варианты рядом<\/summary>([\s\S]*?)<\/details>/)?.[1] ?? '';
    expect(rows(folded)).to.deep.equal([
      ['Partner Far (партнёр)', 'в наличии', `${ruDate(inDays(3), storeToday())} 3 дн. доставки`, '156,75', '4 702,50', 'раньше всего'],
      ['Main', `после поступления ${ruDate(inDays(10), storeToday())}: 20 шт. есть, 10 шт. придёт`, `${ruDate(inDays(10), storeToday())} в день готовности`, '142,50', '4 275,00', 'дешевле всего'],
    ]);
    const other = await b.get('/cart');
    expect(other.text).not.to.contain('Когда:');
  });
});
