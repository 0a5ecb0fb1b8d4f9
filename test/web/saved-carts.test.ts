import { expect } from 'chai';
import type { Runtime } from '../../src/infra/runtime.ts';
import { createUser } from '../../src/store/accounts/users.ts';
import { createApp } from '../../src/web/app.ts';
import { PASSWORD, type StoreFixture, storeFixture } from '../support/mirror-fixtures.ts';
import { testRuntime, truncate } from '../support/runtime.ts';
import { listen, WebClient } from '../support/web-client.ts';

const main = (t: string) => t.slice(t.indexOf('<main>'), t.indexOf('</main>'));

describe('web/templates and draft carts: save, order again, switch, rename, delete, scoped to the buyer and legal entity', () => {
  let rt: Runtime;
  let srv: Awaited<ReturnType<typeof listen>>;
  let fx: StoreFixture;
  let a: WebClient;
  let a2: WebClient;
  let b: WebClient;
  let a2Id: number;

  before(async () => {
    rt = await testRuntime();
    srv = await listen(createApp(rt, [], { mail: { send: async () => {} } }));
  });
  after(() => srv.close());
  beforeEach(async () => {
    await truncate(rt, 'sources', 'users', 'clients', 'sessions', 'orders', 'outbox', 'reservations');
    fx = await storeFixture(rt.db);
    a2Id = await createUser(rt.db, { email: 'second@alpha.test', role: 'buyer', clientId: fx.clients.a, password: PASSWORD });
    a = new WebClient(srv.base);
    a2 = new WebClient(srv.base);
    b = new WebClient(srv.base);
    await a.login(fx.emails.a, PASSWORD);
    await a2.login('second@alpha.test', PASSWORD);
    await b.login(fx.emails.b, PASSWORD);
  });

  const add = (c: WebClient, offer: number, qty: string) => c.post('/cart/add', { offerId: String(offer), qty });
  const cartOf = async (userId: number, counterpartyId = fx.cp.aHead) =>
    rt.db('cart_lines as l')
      .join('carts as c', 'c.id', 'l.cart_id')
      .where({ 'c.user_id': userId, 'c.counterparty_id': counterpartyId })
      .orderBy('l.offer_id')
      .select('l.offer_id', 'l.quantity', 'l.warehouse_id');
  const saved = (kind: 'template' | 'draft') => rt.db('saved_carts').where({ kind }).orderBy('id').select('id', 'name', 'user_id', 'counterparty_id');

  it('saves the cart as a named template (the cart stays), lists and shows it; refuses an empty name, a taken one and an empty cart', async () => {
    await add(a, fx.offers[1]!, '4');
    await add(a, fx.offers[2]!, '2');
    await a.get('/templates');
    const r = await a.post('/templates', { name: '  Еженедельный   заказ ' });
    expect(r.status, main(r.text)).to.equal(303);
    const [t] = await saved('template');
    expect(t).to.deep.include({ name: 'Еженедельный заказ', user_id: fx.users.a, counterparty_id: fx.cp.aHead });
    expect(r.location).to.equal(`/templates/${t!.id}`);
    expect(await cartOf(fx.users.a)).to.have.length(2);
    const page = await a.get(`/templates/${t!.id}`);
    expect(page.text).to.contain('Корзина сохранена как шаблон «Еженедельный заказ».');
    expect(main(page.text)).to.contain('SKU-002').and.contain('Drill Makita HP1630').and.contain('SKU-003');
    const list = await a.get('/templates');
    expect(list.text).to.contain(`<a href="/templates/${t!.id}">Еженедельный заказ</a></td><td class="num">2</td>`);
    expect((await a.post('/templates', { name: ' ' })).status).to.equal(422);
    const dup = await a.post('/templates', { name: 'Еженедельный заказ' });
    expect(dup.status).to.equal(409);
    expect(dup.text).to.contain('Шаблон «Еженедельный заказ» уже есть: выберите другое название.');
    expect((await a.post('/templates', { name: 'x'.repeat(101) })).status).to.equal(422);
    await a2.get('/templates');
    const empty = await a2.post('/templates', { name: 'Пустой' });
    expect(empty.status).to.equal(409);
    expect(empty.text).to.contain('Корзина пуста: сохранять нечего.');
    expect(await saved('template')).to.have.length(1);
  });

  it('orders from a template again, naming the lines that are gone or short and adding the rest', async () => {
    await add(a, fx.offers[1]!, '4'); // SKU-002
    await add(a, fx.offers[2]!, '2'); // SKU-003
    await add(a, fx.offers[4]!, '50'); // SKU-005
    await a.get('/templates');
    await a.post('/templates', { name: 'Объект' });
    const [t] = await saved('template');
    await rt.db('cart_lines').delete();
    await rt.db('offers').where({ id: fx.offers[2] }).update({ deleted: true });
    await rt.db('stock').where({ offer_id: fx.offers[4] }).update({ quantity: '5' }); // 15 in all
    await a.get('/cart');
    const r = await a.post(`/templates/${t!.id}/order`, {});
    expect(r.status).to.equal(303);
    expect(r.location).to.equal('/cart');
    const cart = await a.get('/cart');
    expect(cart.text).to.contain('Из шаблона «Объект» в корзину добавлено строк: 1.');
    expect(cart.text).to.contain('SKU-003: этого товара больше нет в каталоге.');
    expect(cart.text).to.contain('SKU-005: Не хватает SKU-005: доступно 15, нужно 50.');
    expect(await cartOf(fx.users.a)).to.deep.equal([{ offer_id: fx.offers[1], quantity: '4.000', warehouse_id: null }]);
    // the template stays, and shows its gone line
    const page = await a.get(`/templates/${t!.id}`);
    expect(page.text).to.contain('нет в каталоге');
    // ordering again sums with the cart, like adding from the catalog
    await a.post(`/templates/${t!.id}/order`, {});
    expect(await cartOf(fx.users.a)).to.deep.equal([{ offer_id: fx.offers[1], quantity: '8.000', warehouse_id: null }]);
  });

  it('renames and deletes a template', async () => {
    await add(a, fx.offers[1]!, '1');
    await a.get('/templates');
    await a.post('/templates', { name: 'Старое' });
    await a.post('/cart/add', { offerId: String(fx.offers[3]), qty: '1' });
    await a.post('/templates', { name: 'Другое' });
    const [t] = await saved('template');
    const taken = await a.post(`/templates/${t!.id}/rename`, { name: 'Другое' });
    expect(taken.status).to.equal(409);
    expect(taken.text).to.contain('Шаблон «Другое» уже есть');
    expect((await a.post(`/templates/${t!.id}/rename`, { name: '' })).status).to.equal(422);
    const ok = await a.post(`/templates/${t!.id}/rename`, { name: 'Новое' });
    expect(ok.status).to.equal(303);
    expect((await saved('template')).map((s) => s.name)).to.deep.equal(['Новое', 'Другое']);
    const del = await a.post(`/templates/${t!.id}/delete`, {});
    expect(del.location).to.equal('/templates');
    expect((await a.get('/templates')).text).to.contain('Шаблон «Новое» удалён.');
    expect((await a.get(`/templates/${t!.id}`)).status).to.equal(404);
    expect(await rt.db('saved_cart_lines').where({ saved_cart_id: t!.id }).count('* as n').first()).to.deep.equal({ n: 0 });
  });

  it('puts the cart aside as a named draft, switches between drafts (warehouses kept), renames and deletes them', async () => {
    await add(a, fx.offers[1]!, '3');
    await a.get('/cart');
    await a.post('/cart/update', { [`qty_${fx.offers[1]}`]: '3', [`wh_${fx.offers[1]}`]: String(fx.warehouses.partner) });
    await a.get('/carts');
    const park = await a.post('/carts', { name: 'Объект на Ленина' });
    expect(park.status, main(park.text)).to.equal(303);
    expect(await cartOf(fx.users.a)).to.deep.equal([]);
    const [d1] = await saved('draft');
    expect(d1).to.deep.include({ name: 'Объект на Ленина', user_id: fx.users.a });
    expect((await a.get('/cart')).text).to.match(/<h1>Корзина <small/);
    const emptyPark = await a.post('/carts', { name: 'Ещё' });
    expect(emptyPark.status).to.equal(409);

    await add(a, fx.offers[3]!, '1');
    const sw = await a.post(`/carts/${d1!.id}/switch`, {});
    expect(sw.location).to.equal('/cart');
    expect(await cartOf(fx.users.a)).to.deep.equal([{ offer_id: fx.offers[1], quantity: '3.000', warehouse_id: fx.warehouses.partner }]);
    const cart = await a.get('/cart');
    expect(cart.text).to.contain('Открыта корзина «Объект на Ленина»; прежняя отложена как «Отложенная корзина».');
    // the cart page itself names the open draft, not only the one-time flash
    expect((await a.get('/cart')).text).to.match(/<h1>Корзина «Объект на Ленина» <small/);
    const drafts = await saved('draft');
    expect(drafts.map((d) => d.name)).to.deep.equal(['Отложенная корзина']);
    // back: the current cart keeps its name when it is put aside
    const sw2 = await a.post(`/carts/${drafts[0]!.id}/switch`, {});
    expect(sw2.status).to.equal(303);
    expect(await cartOf(fx.users.a)).to.deep.equal([{ offer_id: fx.offers[3], quantity: '1.000', warehouse_id: null }]);
    const list = await a.get('/carts');
    expect(main(list.text)).to.contain('Текущая <a href="/cart">корзина</a> «Отложенная корзина»: 1 строка.');
    const [d2] = await saved('draft');
    expect(d2!.name).to.equal('Объект на Ленина');
    // an unnamed park takes the cart's own name, made unique
    await a.post('/carts', { name: '' });
    expect((await saved('draft')).map((d) => d.name).sort()).to.deep.equal(['Объект на Ленина', 'Отложенная корзина']);
    const [first, second] = await saved('draft');
    expect((await a.post(`/carts/${first!.id}/rename`, { name: second!.name })).status).to.equal(409);
    expect((await a.post(`/carts/${first!.id}/rename`, { name: 'Склад' })).status).to.equal(303);
    expect((await a.post(`/carts/${first!.id}/delete`, {})).status).to.equal(303);
    expect((await saved('draft')).map((d) => d.name)).to.deep.equal([second!.name]);
  });

  it('names the gone lines of a draft on a switch and opens the rest', async () => {
    await add(a, fx.offers[1]!, '1');
    await add(a, fx.offers[2]!, '1');
    await a.get('/carts');
    await a.post('/carts', { name: 'Старый' });
    await rt.db('products').where({ id: fx.products[2] }).update({ deleted: true });
    const [d] = await saved('draft');
    await a.post(`/carts/${d!.id}/switch`, {});
    expect((await a.get('/cart')).text).to.contain('SKU-003: этого товара больше нет в каталоге.');
    expect((await cartOf(fx.users.a)).map((l) => l.offer_id)).to.deep.equal([fx.offers[1]]);
  });

  it("answers 404 for another employee's, another client's and another legal entity's templates and drafts, and never lists them", async () => {
    await add(a, fx.offers[1]!, '2');
    await a.get('/templates');
    await a.post('/templates', { name: 'Мой шаблон' });
    await add(a, fx.offers[3]!, '1');
    await a.post('/carts', { name: 'Мой черновик' });
    const [t] = await saved('template');
    const [d] = await saved('draft');
    const others: [WebClient, string][] = [[a2, 'another employee'], [b, 'another client']];
    for (const [c, who] of others) {
      await c.get('/cart');
      await add(c, fx.offers[0]!, '1');
      expect((await c.get(`/templates/${t!.id}`)).status, who).to.equal(404);
      for (const path of [`/templates/${t!.id}/order`, `/templates/${t!.id}/rename`, `/templates/${t!.id}/delete`, `/carts/${d!.id}/switch`, `/carts/${d!.id}/rename`, `/carts/${d!.id}/delete`]) {
        expect((await c.post(path, { name: 'Чужое' })).status, `${who} ${path}`).to.equal(404);
      }
      expect((await c.get('/templates')).text, who).not.to.contain('Мой шаблон');
      expect((await c.get('/carts')).text, who).not.to.contain('Мой черновик');
    }
    // the same buyer, switched to another legal entity of the client
    await a.post('/account/switch', { counterpartyId: String(fx.cp.aChild) });
    expect((await a.get(`/templates/${t!.id}`)).status).to.equal(404);
    expect((await a.post(`/carts/${d!.id}/switch`, {})).status).to.equal(404);
    expect((await a.get('/templates')).text).not.to.contain('Мой шаблон');
    // malformed ids are 404s too, never 500s
    for (const id of ['abc', '0', '99999999999999999999', '1e3']) {
      expect((await a.get(`/templates/${id}`)).status, id).to.equal(404);
      expect((await a.post(`/carts/${id}/switch`, {})).status, id).to.equal(404);
    }
    // nothing of theirs changed
    expect(await saved('template')).to.deep.equal([{ id: t!.id, name: 'Мой шаблон', user_id: fx.users.a, counterparty_id: fx.cp.aHead }]);
    expect(await saved('draft')).to.deep.equal([{ id: d!.id, name: 'Мой черновик', user_id: fx.users.a, counterparty_id: fx.cp.aHead }]);
    expect(await cartOf(a2Id)).to.deep.equal([{ offer_id: fx.offers[0], quantity: '1.000', warehouse_id: null }]);
  });

  it('works as plain forms for signed-in buyers only', async () => {
    const anon = new WebClient(srv.base);
    for (const path of ['/templates', '/templates/1', '/carts']) expect((await anon.get(path)).status, path).to.equal(303);
    await anon.get('/login');
    for (const path of ['/templates', '/templates/1/order', '/carts', '/carts/1/switch']) expect((await anon.post(path, {})).status, path).to.equal(401);
    expect((await a.post('/templates', { name: 'x' }, { csrf: null })).status).to.equal(403);
    const admin = new WebClient(srv.base);
    await admin.login(fx.emails.admin, PASSWORD);
    expect((await admin.get('/templates')).status).to.equal(403);
    const page = await a.get('/cart');
    expect(page.text).to.contain('<a href="/carts">Мои корзины</a>').and.contain('<a href="/templates">Шаблоны</a>');
  });
});
