// Company roles and legal-entity grants over HTTP: a viewer and an accountant cannot order,
// reserve or fill a cart; documents follow the role; an employee cannot act for an entity not
// granted (404), nor see another client's ids.
import { expect } from 'chai';
import type { Runtime } from '../../src/infra/runtime.ts';
import { createUser } from '../../src/store/accounts/users.ts';
import { createOrder } from '../../src/store/orders/create.ts';
import { reserve } from '../../src/store/reservations/reservations.ts';
import { setSetting } from '../../src/store/settings/settings.ts';
import { createApp } from '../../src/web/app.ts';
import { PASSWORD, type StoreFixture, storeFixture } from '../support/mirror-fixtures.ts';
import { testRuntime, truncate } from '../support/runtime.ts';
import { listen, WebClient } from '../support/web-client.ts';

const CANNOT = (role: string) => `Ваша роль в компании (${role}) не позволяет оформлять заказы и резервы. Обратитесь к владельцу кабинета.`;

describe('web/company roles: what a viewer, an accountant and a limited employee may do', () => {
  let rt: Runtime;
  let srv: Awaited<ReturnType<typeof listen>>;
  let fx: StoreFixture;
  let ids: { aHeadOrder: number; aChildOrder: number; bOrder: number; aHeadDoc: number; aChildDoc: number; bDoc: number; aHeadReservation: number };
  let users: { viewer: number; accountant: number; buyer: number; north: number };

  before(async () => {
    rt = await testRuntime();
    srv = await listen(createApp(rt, [], { mail: { send: async () => undefined } }));
  });
  after(() => srv.close());
  beforeEach(async () => {
    await truncate(rt, 'sources', 'users', 'clients', 'sessions', 'orders', 'outbox', 'reservations', 'settings');
    fx = await storeFixture(rt.db);
    const employee = async (email: string, company_role: 'buyer' | 'accountant' | 'viewer', onlyChild = false) => {
      const id = await createUser(rt.db, { email, role: 'buyer', clientId: fx.clients.a, password: PASSWORD });
      await rt.db('users').where({ id }).update({ company_role, all_counterparties: !onlyChild });
      if (onlyChild) await rt.db('user_counterparties').insert({ user_id: id, counterparty_id: fx.cp.aChild });
      return id;
    };
    users = {
      viewer: await employee('viewer@alpha.test', 'viewer'),
      accountant: await employee('accountant@alpha.test', 'accountant'),
      buyer: await employee('purchaser@alpha.test', 'buyer'),
      north: await employee('north@alpha.test', 'accountant', true),
    };
    const order = async (userId: number, clientId: number, counterpartyId: number, key: string) =>
      (await createOrder(rt.db, {
        origin: { kind: 'checkout', checkoutKey: key }, userId, clientId, counterpartyId, contractId: 'default',
        lines: [{ offerId: fx.offers[2]!, warehouseId: fx.warehouses.main, quantity: '1' }], comment: '',
      })).orderId;
    const s = { source_id: fx.sourceId };
    const doc = async (external_id: string, counterparty_id: number) =>
      (await rt.db('documents').insert({ ...s, external_id, counterparty_id, kind: 'invoice', number: `СЧ-${external_id}`, date: '2026-03-10', amount: '100.00', lines: '[]' }).returning('id'))[0].id as number;
    await setSetting(rt.db, 'invoices.seller', {
      name: 'ООО «Продавец»', inn: '7705000005', kpp: '770501001', address: 'г. Москва', bankName: 'ПАО Сбербанк', bic: '044525225',
      account: '40702810400000000001', corrAccount: '30101810400000000225', vatRate: '20', director: 'Иванов И. И.', accountant: 'Петрова А. А.',
    });
    ids = {
      aHeadOrder: await order(fx.users.a, fx.clients.a, fx.cp.aHead, 'owner-head-1'),
      aChildOrder: await order(fx.users.a, fx.clients.a, fx.cp.aChild, 'owner-child-1'),
      bOrder: await order(fx.users.b, fx.clients.b, fx.cp.bHead, 'beta-head-1'),
      aHeadDoc: await doc('a1', fx.cp.aHead),
      aChildDoc: await doc('a2', fx.cp.aChild),
      bDoc: await doc('b1', fx.cp.bHead),
      aHeadReservation: (await reserve(rt, { userId: fx.users.a, clientId: fx.clients.a, counterpartyId: fx.cp.aHead }, { offerId: fx.offers[3]!, warehouseId: fx.warehouses.main, quantity: '1' })).id,
    };
  });

  const signIn = async (email: string) => {
    const c = new WebClient(srv.base);
    await c.login(email, PASSWORD);
    return c;
  };
  const count = async (table: string) => Number((await rt.db(table).count<{ n: string }[]>('* as n'))[0]!.n);

  for (const [who, label] of [['viewer', 'наблюдатель'], ['accountant', 'бухгалтер']] as const) {
    it(`${who === 'viewer' ? 'a viewer' : 'an accountant'} cannot add to the cart, check out, reserve, reorder or touch a reservation (403, the role named), and sees no such buttons`, async () => {
      const c = await signIn(`${who}@alpha.test`);
      const catalog = await c.get('/catalog');
      expect(catalog.status).to.equal(200);
      expect(catalog.text).not.to.contain('action="/cart/add"');
      expect(catalog.text).not.to.contain('href="/cart"');
      expect(catalog.text).not.to.contain('/cart/quick');
      const product = await c.get(`/reservations/box/${fx.offers[3]}`);
      expect(product.status).to.equal(200);
      expect(product.text).not.to.contain('action="/reservations"');
      const order = await c.get(`/orders/${ids.aHeadOrder}`);
      expect(order.status).to.equal(200);
      expect(order.text).not.to.contain('/reorder');
      const list = await c.get('/reservations');
      expect(list.status).to.equal(200);
      expect(list.text).not.to.contain(`/reservations/${ids.aHeadReservation}/cancel`);

      const before = { orders: await count('orders'), reservations: await count('reservations'), lines: await count('cart_lines') };
      const attempts = [
        await c.post('/cart/add', { offerId: String(fx.offers[2]), qty: '1' }),
        await c.post('/cart/add', { offerId: String(fx.offers[2]), qty: '1' }, { headers: { 'hx-request': 'true' } }),
        await c.post('/cart/update', { [`qty_${fx.offers[2]}`]: '3' }),
        await c.post('/cart/quick', { lines: 'SKU-003 2' }),
        await c.post('/checkout', { checkoutKey: 'abcdefgh12345' }),
        await c.post('/reservations', { offerId: String(fx.offers[2]), warehouseId: String(fx.warehouses.main), quantity: '1' }),
        await c.post(`/reservations/${ids.aHeadReservation}/cancel`, {}),
        await c.post(`/reservations/${ids.aHeadReservation}/extend`, {}),
        await c.post('/reservations/order', { ids: String(ids.aHeadReservation) }),
        await c.post(`/orders/${ids.aHeadOrder}/reorder`, {}),
        await c.post('/templates', { name: 'Шаблон' }),
        await c.post('/carts', { name: 'Черновик' }),
      ];
      for (const r of attempts) {
        expect(r.status).to.equal(403);
        expect(r.text).to.contain(CANNOT(label));
      }
      for (const page of ['/cart', '/templates', '/carts']) expect((await c.get(page)).status, page).to.equal(403);
      expect({ orders: await count('orders'), reservations: await count('reservations'), lines: await count('cart_lines') }).to.deep.equal(before);
      expect(await rt.db('reservations').where({ id: ids.aHeadReservation }).first('state')).to.deep.equal({ state: 'active' });
    });
  }

  it('documents: an accountant sees them and the invoices; a buyer employee only order invoices; a viewer reads both, its client’s only', async () => {
    const accountant = await signIn('accountant@alpha.test');
    const docs = await accountant.get('/documents');
    expect(docs.status).to.equal(200);
    expect(docs.text).to.contain('СЧ-a1').and.to.contain('СЧ-a2').and.not.to.contain('СЧ-b1');
    expect((await accountant.get(`/documents/${ids.aHeadDoc}.pdf`)).status).to.equal(200);
    expect((await accountant.get(`/documents/${ids.bDoc}.pdf`)).status).to.equal(404);
    expect((await accountant.get(`/orders/${ids.aHeadOrder}/invoice.pdf`)).status).to.equal(200);
    expect((await accountant.get(`/orders/${ids.bOrder}/invoice.pdf`)).status).to.equal(404);

    const buyer = await signIn('purchaser@alpha.test');
    const refused = await buyer.get('/documents');
    expect(refused.status).to.equal(403);
    expect(refused.text).to.contain('Ваша роль в компании (закупщик) не даёт доступа к документам.');
    expect((await buyer.get(`/documents/${ids.aHeadDoc}.pdf`)).status).to.equal(403);
    expect((await buyer.get(`/documents.zip?id=${ids.aHeadDoc}`)).status).to.equal(403);
    expect((await buyer.get('/catalog')).text).not.to.contain('href="/documents"');
    expect((await buyer.get(`/orders/${ids.aHeadOrder}/invoice.pdf`)).status).to.equal(200);
    expect((await buyer.get(`/orders/${ids.bOrder}/invoice.pdf`)).status).to.equal(404);
    // A buyer employee orders like the owner.
    expect((await buyer.post('/cart/add', { offerId: String(fx.offers[2]), qty: '1' }, { headers: { 'hx-request': 'true' } })).text).to.contain('Добавлено: в корзине 1');

    // A viewer is read only, not blind: documents and invoices to read, nothing of another client's.
    const viewer = await signIn('viewer@alpha.test');
    const viewed = await viewer.get('/documents');
    expect(viewed.status).to.equal(200);
    expect(viewed.text).to.contain('СЧ-a1').and.not.to.contain('СЧ-b1');
    expect((await viewer.get('/catalog')).text).to.contain('href="/documents"');
    expect((await viewer.get(`/documents/${ids.aHeadDoc}.pdf`)).status).to.equal(200);
    expect((await viewer.get(`/documents/${ids.bDoc}.pdf`)).status).to.equal(404);
    expect((await viewer.get(`/documents.zip?id=${ids.bDoc}`)).status).to.equal(404);
    expect((await viewer.get(`/orders/${ids.aHeadOrder}/invoice.pdf`)).status).to.equal(200);
    expect((await viewer.get(`/orders/${ids.bOrder}/invoice.pdf`)).status).to.equal(404);
    expect((await viewer.get(`/orders/${ids.aHeadOrder}`)).text).to.contain('invoice.pdf');
  });

  it('an employee granted one entity: switching to another, its orders, documents and reservations are 404; the granted one works', async () => {
    const c = await signIn('north@alpha.test');
    const page = await c.get('/orders');
    expect(page.status).to.equal(200);
    expect(page.text).to.contain('Alpha North LLC');
    expect(page.text).to.contain('Alpha North LLC · 7701000002').and.not.to.contain('7701000001');
    expect((await c.post('/account/switch', { counterpartyId: String(fx.cp.aHead) })).status).to.equal(404);
    expect((await c.post('/account/switch', { counterpartyId: String(fx.cp.bHead) })).status).to.equal(404);
    expect((await c.post('/account/switch', { counterpartyId: String(fx.cp.aChild) })).status).to.equal(303);
    expect((await c.get(`/orders/${ids.aHeadOrder}`)).status).to.equal(404);
    expect((await c.get(`/orders/${ids.bOrder}`)).status).to.equal(404);
    expect((await c.get(`/orders/${ids.aChildOrder}`)).status).to.equal(200);
    expect((await c.get(`/orders/${ids.aHeadOrder}/invoice.pdf`)).status).to.equal(404);
    expect((await c.get(`/orders/${ids.aChildOrder}/invoice.pdf`)).status).to.equal(200);
    expect((await c.get(`/documents/${ids.aHeadDoc}.pdf`)).status).to.equal(404);
    expect((await c.get(`/documents.zip?id=${ids.aHeadDoc}&id=${ids.aChildDoc}`)).status).to.equal(404);
    expect((await c.get(`/documents/${ids.aChildDoc}.pdf`)).status).to.equal(200);
    const docs = await c.get('/documents');
    expect(docs.text).to.contain('СЧ-a2').and.not.to.contain('СЧ-a1');
    expect((await c.get(`/documents?counterpartyId=${fx.cp.aHead}`)).status).to.equal(404);
    const list = await c.get('/reservations');
    expect(list.text).not.to.contain(`data-reservation="${ids.aHeadReservation}"`);
  });

  it('checkout over the employee’s order limit: the order is placed but waits for the owner (no outbox row), the page says so', async () => {
    await rt.db('users').where({ id: users.buyer }).update({ order_limit: '100.00' });
    const c = await signIn('purchaser@alpha.test');
    await c.post('/cart/add', { offerId: String(fx.offers[2]), qty: '3' });
    const cart = await c.get('/cart');
    const key = cart.text.match(/name="checkoutKey" value="([^"]+)"/)![1]!;
    const before = await count('orders');
    const r = await c.post('/checkout', { checkoutKey: key, [`qty_${fx.offers[2]}`]: '3' });
    expect(r.status).to.equal(303);
    expect(await count('orders')).to.equal(before + 1);
    const page = await c.get(r.location!);
    expect(page.text).to.contain('больше лимита на один заказ (100,00\u00a0₽): он ждёт согласования владельцем кабинета');
    expect(page.text).to.contain('Согласование: ждёт согласования');
    expect(await rt.db('outbox').where({ kind: 'order.create' }).whereRaw(`payload->>'orderId' = ?`, [r.location!.split('/').pop()!])).to.deep.equal([]);
    expect(await rt.db('reservations').where({ user_id: users.buyer }).pluck('state')).to.deep.equal(['active']);
  });

  it('a buyer employee granted one entity cannot reserve or order for another: 404 from the store, even with a stale current entity', async () => {
    await rt.db('users').where({ id: users.buyer }).update({ all_counterparties: false, current_counterparty_id: fx.cp.aHead });
    await rt.db('user_counterparties').insert({ user_id: users.buyer, counterparty_id: fx.cp.aChild });
    const c = await signIn('purchaser@alpha.test');
    // The viewer falls back to the granted entity: a reservation is made for it, never for aHead.
    const r = await c.post('/reservations', { offerId: String(fx.offers[2]), warehouseId: String(fx.warehouses.main), quantity: '1' });
    expect(r.status).to.equal(303);
    const made = await rt.db('reservations').where({ user_id: users.buyer }).select('counterparty_id');
    expect(made).to.deep.equal([{ counterparty_id: fx.cp.aChild }]);
    expect((await c.post(`/reservations/${ids.aHeadReservation}/cancel`, {})).status).to.equal(404);
    expect(await rt.db('reservations').where({ id: ids.aHeadReservation }).first('state')).to.deep.equal({ state: 'active' });
  });
});
