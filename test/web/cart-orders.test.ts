import { expect } from 'chai';
import { getQueue } from '../../src/infra/queue/connection.ts';
import type { Runtime } from '../../src/infra/runtime.ts';
import { createApp } from '../../src/web/app.ts';
import { outboxLetters } from '../support/mail-outbox.ts';
import { PASSWORD, type StoreFixture, storeFixture } from '../support/mirror-fixtures.ts';
import { testRuntime, truncate } from '../support/runtime.ts';
import { until } from '../support/wait.ts';
import { listen, WebClient } from '../support/web-client.ts';

describe('web/cart and orders: quick order, checkout, history, reorder, authorization', () => {
  let rt: Runtime;
  let srv: Awaited<ReturnType<typeof listen>>;
  let fx: StoreFixture;
  let a: WebClient;
  let b: WebClient;

  before(async () => {
    rt = await testRuntime();
    srv = await listen(createApp(rt, [], { mail: { send: async () => undefined } }));
  });
  after(() => srv.close());
  beforeEach(async () => {
    await truncate(rt, 'sources', 'users', 'clients', 'sessions', 'orders', 'outbox', 'reservations', 'mail_outbox');
    fx = await storeFixture(rt.db);
    a = new WebClient(srv.base);
    b = new WebClient(srv.base);
    await a.login(fx.emails.a, PASSWORD);
    await b.login(fx.emails.b, PASSWORD);
  });

  const checkoutForm = async (c: WebClient, extra: Record<string, string> = {}) => {
    const page = await c.get('/cart');
    const key = page.text.match(/name="checkoutKey" value="([^"]+)"/)![1]!;
    const fields: Record<string, string> = { checkoutKey: key };
    for (const m of page.text.matchAll(/name="(qty_\d+)" value="([^"]*)"/g)) fields[m[1]!] = m[2]!.replace(',', '.');
    for (const m of page.text.matchAll(/<select name="(wh_\d+)"[\s\S]*?<option value="(\d+)" selected>/g)) fields[m[1]!] = m[2]!;
    return { ...fields, ...extra };
  };

  it('adds from the catalog (htmx fragment and plain form), refusing more than is available', async () => {
    const frag = await a.post('/cart/add', { offerId: String(fx.offers[2]), qty: '3' }, { headers: { 'hx-request': 'true' } });
    expect(frag.status).to.equal(200);
    expect(frag.text).to.contain('Добавлено: в корзине 3.');
    const plain = await a.post('/cart/add', { offerId: String(fx.offers[2]), qty: '2,5', back: '/catalog?q=x' });
    expect(plain.status).to.equal(303);
    expect(plain.location).to.equal('/catalog?q=x');
    const tooMany = await a.post('/cart/add', { offerId: String(fx.offers[0]), qty: '500' }, { headers: { 'hx-request': 'true' } });
    expect(tooMany.text).to.contain('Не хватает SKU-001: доступно 101, нужно 500.');
    const bad = await a.post('/cart/add', { offerId: String(fx.offers[0]), qty: 'lots' }, { headers: { 'hx-request': 'true' } });
    expect(bad.text).to.contain('«lots» — не количество');
    const cart = await a.get('/cart');
    expect(cart.text).to.contain('value="5,5"');
    expect(cart.text).to.contain('Цены и остатки на 27.11.2026, 12:00:00'); // every buyer page
  });

  it('quick order adds good lines and names each bad one', async () => {
    await a.get('/cart/quick');
    const r = await a.post('/cart/quick', { lines: 'SKU-002\t4\nNOPE-1\t1\nSKU-003\tabc\nSKU-001 999\n4600000000005;2' });
    expect(r.status, r.text.slice(r.text.indexOf('<main>'), r.text.indexOf('<main>') + 1500)).to.equal(200);
    expect(r.text).to.contain('Добавлено 2 строки.');
    expect(r.text).to.contain('Строка 2: неизвестный артикул «NOPE-1».');
    expect(r.text).to.contain('Строка 3: «abc» — не количество');
    expect(r.text).to.contain('Строка 4: Не хватает SKU-001: доступно 101, нужно 999.');
    const lines = await rt.db('cart_lines').orderBy('offer_id').select('offer_id', 'quantity');
    expect(lines).to.deep.equal([
      { offer_id: fx.offers[1], quantity: '4.000' },
      { offer_id: fx.offers[4], quantity: '2.000' },
    ]);
    const none = await a.post('/cart/quick', { lines: 'X 0' });
    expect(none.status).to.equal(422);
    // inside the boosted page the refused report keeps its 422 (the layout's responseHandling swaps it)
    const boosted = await a.post('/cart/quick', { lines: 'X 0' }, { headers: { 'hx-request': 'true', 'hx-boosted': 'true' } });
    expect(boosted.status).to.equal(422);
    expect(boosted.text).to.contain('Строка 1: «0» — не количество');
  });

  it('checks out: order + outbox, confirmation mail, then the order page with its status history', async () => {
    await a.post('/cart/add', { offerId: String(fx.offers[1]), qty: '2' });
    await a.post('/cart/add', { offerId: String(fx.offers[3]), qty: '1' });
    const form = await checkoutForm(a, { comment: 'Deliver after 10:00' });
    const r = await a.post('/checkout', form);
    expect(r.status, r.text.slice(0, 500)).to.equal(303);
    const order = await rt.db('orders').first();
    expect(r.location).to.equal(`/orders/${order!.id}`);
    expect(order).to.include({ total: '627.00', comment: 'Deliver after 10:00', counterparty_id: fx.cp.aHead }); // 2 × 142.50 + 342.00
    expect(await rt.db('outbox').where({ kind: 'order.create' }).count('* as n').first()).to.deep.equal({ n: 1 });
    // written to the mail outbox with the order (handed to mail.send after the commit)
    const sent = await outboxLetters(rt.db);
    expect(sent.map((m) => [m.key, m.to])).to.deep.equal([[`order-confirmation-${order!.id}`, fx.emails.a]]);
    expect(sent[0]!.subject).to.equal(`Заказ ${order!.number} принят`);
    expect(sent[0]!.text).to.contain('Итого: 627,00\u00a0₽').and.contain(`/orders/${order!.id}`);
    expect(sent[0]!.data.html).to.contain('<html lang="ru">');
    const page = await a.get(`/orders/${order!.id}`);
    expect(page.text).to.contain(`Заказ ${order!.number} оформлен.`);
    expect(page.text).to.contain('ждём учётную систему');
    // The accounting system answers: number + status history (written by the connector's job).
    await rt.db('orders').where({ id: order!.id }).update({ status: 'confirmed', status_text: 'Принят', external_number: 'УТ-00042', export_state: 'exported' });
    await rt.db('order_status_history').insert({ order_id: order!.id, status: 'confirmed', status_text: 'Принят', origin: 'accounting', note: 'Accepted' });
    const status = await a.get(`/orders/${order!.id}`, { 'hx-request': 'true', 'hx-target': 'order-status' });
    expect(status.text).to.match(/^<div id="order-status"/);
    // confirmed, not closed: it keeps polling for later statuses, slower; a closed order does not poll
    expect(status.text).to.contain('hx-trigger="every 10s"');
    expect(page.text).to.contain('hx-trigger="every 3s"');
    await rt.db('orders').where({ id: order!.id }).update({ status: 'completed' });
    expect((await a.get(`/orders/${order!.id}`, { 'hx-request': 'true', 'hx-target': 'order-status' })).text).to.not.contain('hx-trigger');
    await rt.db('orders').where({ id: order!.id }).update({ status: 'confirmed' });
    // the code's label, with the accounting system's own words as detail
    expect(status.text).to.contain('УТ-00042').and.contain('<strong class="status">Подтверждён</strong> <small class="muted">(Принят)</small>');
    expect(status.text).to.contain('<span class="status">Новый</span>').and.contain('<span class="status">Подтверждён</span> <small class="muted">(Принят)</small>');
    const list = await a.get('/orders');
    expect(list.text).to.contain(order!.number).and.contain('<td class="status">Подтверждён <small class="muted">(Принят)</small></td>');
    // A buyer who chose English sees the labels in English.
    await rt.db('users').where({ id: fx.users.a }).update({ language: 'en' });
    expect((await a.get('/orders')).text).to.contain('<td class="status">Confirmed <small class="muted">(Принят)</small></td>');
    await rt.db('users').where({ id: fx.users.a }).update({ language: null });
    // Submitting the same form again does not create a second order.
    const again = await a.post('/checkout', form);
    expect(again.status, again.text.slice(again.text.indexOf("<main>"), again.text.indexOf("<main>") + 600)).to.equal(303);
    expect(again.location).to.equal(`/orders/${order!.id}`);
    expect(await rt.db('orders').count('* as n').first()).to.deep.equal({ n: 1 });
    expect(await outboxLetters(rt.db)).to.have.length(1); // no second confirmation
    expect(await rt.db('cart_lines').count('* as n').first()).to.deep.equal({ n: 0 }); // the form's lines are the order's
  });

  it('a placed order asks for its own export at once (an orders.export job), not only at the periodic run', async () => {
    const queue = getQueue(rt, 'orders.export');
    await queue.obliterate({ force: true });
    await a.post('/cart/add', { offerId: String(fx.offers[1]), qty: '1' });
    const r = await a.post('/checkout', await checkoutForm(a));
    expect(r.status).to.equal(303);
    const jobs = await until(async () => {
      const j = await queue.getJobs(['waiting', 'prioritized', 'delayed', 'active', 'completed', 'failed']);
      return j.length ? j : undefined;
    }, 'the orders.export job the checkout asked for');
    expect(jobs!.map((j) => j.name)).to.deep.equal(['orders.export']);
    await queue.obliterate({ force: true });
  });

  it('refuses checkout with a clear message when stock went away meanwhile, and places nothing', async () => {
    await a.post('/cart/add', { offerId: String(fx.offers[0]), qty: '1' });
    const form = await checkoutForm(a);
    await rt.db('stock').where({ offer_id: fx.offers[0]!, warehouse_id: fx.warehouses.main }).update({ quantity: '0' });
    const r = await a.post('/checkout', form);
    expect(r.status).to.equal(409);
    expect(r.text).to.contain('Не хватает SKU-001 на складе Main: доступно 0, в корзине 1.');
    expect(await rt.db('orders').count('* as n').first()).to.deep.equal({ n: 0 });
  });

  it('a refused checkout names every problem line, as a page (no JS) and inside the boosted page (htmx)', async () => {
    await a.post('/cart/add', { offerId: String(fx.offers[0]), qty: '1' });
    await a.post('/cart/add', { offerId: String(fx.offers[2]), qty: '2' });
    const form = await checkoutForm(a);
    await rt.db('stock').whereIn('offer_id', [fx.offers[0]!, fx.offers[2]!]).where({ warehouse_id: fx.warehouses.main }).update({ quantity: '1.5' });
    const lines = ['Не хватает SKU-001 на складе Main: доступно 1,5, в корзине 1.', 'Не хватает SKU-003 на складе Main: доступно 1,5, в корзине 2.'];
    const plain = await a.post('/checkout', form);
    expect(plain.status).to.equal(409);
    expect(plain.text).to.contain(lines[1]);
    expect(plain.text).not.to.contain(lines[0]); // 1.5 ≥ 1: only the short line is named
    await rt.db('stock').where({ offer_id: fx.offers[0]!, warehouse_id: fx.warehouses.main }).update({ quantity: '0.5' });
    const boosted = await a.post('/checkout', form, { headers: { 'hx-request': 'true', 'hx-boosted': 'true' } });
    expect(boosted.status).to.equal(409); // the layout's htmx responseHandling swaps 4xx
    expect(boosted.text).to.contain('<h1>Корзина').and.contain('Не хватает SKU-001 на складе Main: доступно 0,5, в корзине 1.').and.contain(lines[1]);
    expect(await rt.db('orders').count('* as n').first()).to.deep.equal({ n: 0 });
  });

  it('refuses an order in two currencies (422), naming the line to order separately', async () => {
    await rt.db('contract_prices').where({ contract_id: fx.contracts.aMain, offer_id: fx.offers[1]! }).update({ currency: 'USD' });
    await a.post('/cart/add', { offerId: String(fx.offers[2]), qty: '1' });
    await a.post('/cart/add', { offerId: String(fx.offers[1]), qty: '1' });
    const r = await a.post('/checkout', await checkoutForm(a));
    expect(r.status).to.equal(422);
    expect(r.text).to.contain('Цена SKU-002 — в USD, остального заказа — в RUB; заказ бывает в одной валюте, закажите отдельно.');
    expect(await rt.db('orders').count('* as n').first()).to.deep.equal({ n: 0 });
  });

  it('lets the buyer pick a partner warehouse per line and prices it with the commission', async () => {
    await a.post('/cart/add', { offerId: String(fx.offers[0]), qty: '3' });
    const form = await checkoutForm(a);
    form[`wh_${fx.offers[0]}`] = String(fx.warehouses.partner);
    const r = await a.post('/checkout', form);
    expect(r.status).to.equal(303);
    expect(await rt.db('order_lines').first('warehouse_id', 'price', 'amount')).to.deep.equal({ warehouse_id: fx.warehouses.partner, price: '94.05', amount: '282.15' });
  });

  it('reorders a past order into the cart', async () => {
    await a.post('/cart/add', { offerId: String(fx.offers[2]), qty: '2' });
    await a.post('/checkout', await checkoutForm(a));
    const order = await rt.db('orders').first('id');
    const r = await a.post(`/orders/${order!.id}/reorder`, {});
    expect(r.location).to.equal('/cart');
    expect(await rt.db('cart_lines').select('offer_id', 'quantity')).to.deep.equal([{ offer_id: fx.offers[2], quantity: '2.000' }]);
  });

  it("answers 404 for another client's order on every order route, and never lists it", async () => {
    await b.post('/cart/add', { offerId: String(fx.offers[2]), qty: '1' });
    expect((await b.post('/checkout', await checkoutForm(b))).status).to.equal(303);
    const order = await rt.db('orders').first('id', 'number');
    const view = await a.get(`/orders/${order!.id}`);
    expect(view.status).to.equal(404);
    expect(view.text).not.to.contain(order!.number);
    expect((await a.get(`/orders/${order!.id}`, { 'hx-request': 'true', 'hx-target': 'order-status' })).status).to.equal(404);
    expect((await a.post(`/orders/${order!.id}/reorder`, {})).status).to.equal(404);
    expect((await rt.db.raw<{ rows: { n: number }[] }>('SELECT count(*)::int AS n FROM cart_lines l JOIN carts c ON c.id = l.cart_id WHERE c.user_id = ?', [fx.users.a])).rows[0]).to.deep.equal({ n: 0 });
    const list = await a.get('/orders');
    expect(list.text).not.to.contain(order!.number);
    expect((await a.get('/orders/abc')).status).to.equal(404);
  });

  it("never acts for another client's counterparty: switch, cart, checkout and downloads follow the viewer's own", async () => {
    expect((await a.post('/account/switch', { counterpartyId: String(fx.cp.bHead) })).status).to.equal(404);
    // Carts are per user × counterparty: B's cart lines are not visible to A.
    await b.post('/cart/add', { offerId: String(fx.offers[3]), qty: '1' });
    const cart = await a.get('/cart');
    expect(cart.text).to.contain('Корзина пуста');
    expect(cart.text).not.to.contain('Beta');
    // The price list is the viewer's current counterparty's, whatever is asked.
    const csv = await a.get(`/pricelist.csv?counterpartyId=${fx.cp.bHead}`);
    expect(csv.text).to.contain('SKU-001;Drill Bosch GSB 13;pcs;85.50');
  });

  it('sends anonymous visitors to sign in and keeps staff out of the buyer pages', async () => {
    const anon = new WebClient(srv.base);
    for (const path of ['/catalog', `/product/${fx.offers[0]}`, '/cart', '/cart/quick', '/orders', '/orders/1', '/pricelist.csv', '/pricelist.xlsx', '/live/offers?ids=1']) {
      const r = await anon.get(path);
      expect(r.status, path).to.equal(303);
      expect(r.res.headers.get('location'), path).to.match(/^\/login\?next=/);
    }
    await anon.get('/login');
    for (const path of ['/cart/add', '/cart/update', '/cart/quick', '/checkout', '/orders/1/reorder', '/account/switch', '/logout']) {
      const r = await anon.post(path, { offerId: '1', qty: '1', counterpartyId: '1' });
      expect(r.status, path).to.be.oneOf(path === '/logout' ? [303] : [401]);
    }
    const admin = new WebClient(srv.base);
    await admin.login(fx.emails.admin, PASSWORD);
    for (const path of ['/catalog', '/cart', '/orders', '/pricelist.csv']) expect((await admin.get(path)).status, path).to.equal(403);
  });
});
