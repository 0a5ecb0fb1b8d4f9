// /approvals over HTTP: an employee's order over the limit is placed but waits; the owner sees it
// and approves or rejects it with a comment. Tried with another employee's, another role's and
// another client's sessions and ids; a viewer and an accountant cannot order or keep a waiting list.
import { expect } from 'chai';
import type { Runtime } from '../../src/infra/runtime.ts';
import { createUser } from '../../src/store/accounts/users.ts';
import { outboxLetters } from '../support/mail-outbox.ts';
import { createApp } from '../../src/web/app.ts';
import { PASSWORD } from '../support/mirror-fixtures.ts';
import { type StaffFixture, staffFixture } from '../support/staff-fixtures.ts';
import { testRuntime, truncate } from '../support/runtime.ts';
import { listen, WebClient } from '../support/web-client.ts';

describe('web/approvals: the owner approves or rejects an employee’s order over the limit', () => {
  let rt: Runtime;
  let srv: Awaited<ReturnType<typeof listen>>;
  let fx: StaffFixture;

  before(async () => {
    rt = await testRuntime();
    srv = await listen(createApp(rt, [], { mail: { send: async () => undefined } }));
  });
  after(() => srv.close());
  beforeEach(async () => {
    await truncate(rt, 'sources', 'users', 'clients', 'sessions', 'orders', 'outbox', 'reservations', 'waitlist', 'mail_outbox');
    fx = await staffFixture(rt.db);
    const employee = async (email: string, company_role: 'buyer' | 'accountant' | 'viewer') => {
      const id = await createUser(rt.db, { email, role: 'buyer', clientId: fx.clients.a, password: PASSWORD });
      await rt.db('users').where({ id }).update({ company_role, name: email.split('@')[0], order_limit: '100.00' });
      return id;
    };
    for (const [email, role] of [['emp@alpha.test', 'buyer'], ['other@alpha.test', 'buyer'], ['viewer@alpha.test', 'viewer'], ['accountant@alpha.test', 'accountant']] as const) await employee(email, role);
  });

  const signIn = async (email: string) => {
    const c = new WebClient(srv.base);
    await c.login(email, PASSWORD);
    return c;
  };
  /** The employee checks out 3 × SKU-003 (over the 100,00 limit); the order's id. */
  const overLimitOrder = async (email = 'emp@alpha.test') => {
    const c = await signIn(email);
    await c.post('/cart/add', { offerId: String(fx.offers[2]), qty: '3' });
    const key = (await c.get('/cart')).text.match(/name="checkoutKey" value="([^"]+)"/)![1]!;
    const r = await c.post('/checkout', { checkoutKey: key, [`qty_${fx.offers[2]}`]: '3' });
    expect(r.status).to.equal(303);
    return { c, orderId: Number(r.location!.split('/').pop()) };
  };
  const orderRows = (orderId: number) => rt.db('outbox').where({ kind: 'order.create' }).whereRaw(`(payload->>'orderId')::bigint = ?`, [orderId]).select('state');

  it('placed over the limit: the buyer sees "ждёт согласования" on the order and in the list; the owner is e-mailed and approves once', async () => {
    const { c, orderId } = await overLimitOrder();
    const number = (await rt.db('orders').where({ id: orderId }).first('number'))!.number;
    const page = await c.get(`/orders/${orderId}`);
    expect(page.text).to.contain(`Заказ ${number} оформлен.`).and.contain('Согласование: ждёт согласования').and.contain('Решает владелец кабинета.');
    expect((await c.get('/orders')).text).to.match(new RegExp(`${number}[\\s\\S]*?approval-pending">ждёт согласования`));
    // written with the order: the mail outbox hands it to mail.send
    expect((await outboxLetters(rt.db, `approval-${orderId}-request-%`)).map((m) => [m.to, m.subject])).to.deep.equal([[fx.emails.a, `Заказ ${number} ждёт вашего согласования`]]);
    // the employee cannot open /approvals nor decide
    expect((await c.get('/approvals')).status).to.equal(403);
    expect((await c.post(`/approvals/${orderId}/approve`, { comment: '' })).status).to.equal(403);
    expect(await orderRows(orderId)).to.deep.equal([]);

    const owner = await signIn(fx.emails.a);
    const list = await owner.get('/approvals');
    expect(list.status).to.equal(200);
    expect(list.text).to.contain(`id="approval-${orderId}"`).and.contain('больше лимита на один заказ 100,00\u00a0₽').and.contain('emp <span class="muted">(emp@alpha.test)</span>');
    expect((await owner.get('/catalog')).text).to.contain('href="/approvals"');
    const ok = await owner.post(`/approvals/${orderId}/approve`, { comment: 'Да, нужно' });
    expect([ok.status, ok.location]).to.deep.equal([303, '/approvals']);
    expect(await orderRows(orderId)).to.deep.equal([{ state: 'pending' }]);
    expect((await outboxLetters(rt.db, `approval-${orderId}-approved-%`)).map((m) => m.to)).to.deep.equal(['emp@alpha.test', fx.emails.a]);
    const after = await owner.get('/approvals');
    expect(after.text).to.contain(`Заказ ${number} согласован и передаётся в учётную систему.`).and.contain('Нет заказов, ждущих согласования.').and.contain('Да, нужно');
    const again = await owner.post(`/approvals/${orderId}/reject`, { comment: 'нет' });
    expect(again.status).to.equal(409);
    expect(again.text).to.contain(`Заказ ${number} уже согласован.`);
    expect(await orderRows(orderId)).to.have.length(1);
    expect((await c.get(`/orders/${orderId}`)).text).to.contain('Согласование: согласован').and.contain('Комментарий: Да, нужно');
  });

  it('rejected: a comment is required (422, kept in the form); then the order is cancelled and the buyer sees the comment', async () => {
    const { c, orderId } = await overLimitOrder();
    const owner = await signIn(fx.emails.a);
    const empty = await owner.post(`/approvals/${orderId}/reject`, { comment: '  ' });
    expect(empty.status).to.equal(422);
    expect(empty.text).to.contain('Напишите, почему заказ отклонён');
    const r = await owner.post(`/approvals/${orderId}/reject`, { comment: 'Купим в следующем месяце' });
    expect(r.status).to.equal(303);
    expect((await rt.db('orders').where({ id: orderId }).first('status'))!.status).to.equal('cancelled');
    expect(await rt.db('reservations').where({ order_id: orderId }).pluck('state')).to.deep.equal(['cancelled']);
    const page = await c.get(`/orders/${orderId}`);
    expect(page.text).to.contain('Согласование: отклонён').and.contain('Комментарий: Купим в следующем месяце');
  });

  it('another role’s, another employee’s and another client’s ids: viewer / accountant 403, client B’s owner 404, bad ids 404, anonymous to sign-in', async () => {
    const { orderId } = await overLimitOrder();
    for (const email of ['viewer@alpha.test', 'accountant@alpha.test', 'other@alpha.test']) {
      const c = await signIn(email);
      expect((await c.get('/approvals')).status, email).to.equal(403);
      expect((await c.post(`/approvals/${orderId}/approve`, { comment: '' })).status, email).to.equal(403);
      expect((await c.post(`/approvals/${orderId}/reject`, { comment: 'x' })).status, email).to.equal(403);
    }
    const ownerB = await signIn(fx.emails.b);
    const listB = await ownerB.get('/approvals');
    expect(listB.status).to.equal(200);
    expect(listB.text).not.to.contain(`approval-${orderId}`);
    expect((await ownerB.post(`/approvals/${orderId}/approve`, { comment: '' })).status).to.equal(404);
    expect((await ownerB.post(`/approvals/${orderId}/reject`, { comment: 'x' })).status).to.equal(404);
    const owner = await signIn(fx.emails.a);
    for (const bad of ['abc', '0', '99999999999999999999', '999999']) expect((await owner.post(`/approvals/${bad}/approve`, { comment: '' })).status, bad).to.equal(404);
    const admin = await signIn(fx.emails.admin);
    expect((await admin.get('/approvals')).status).to.equal(403);
    expect((await admin.post(`/approvals/${orderId}/approve`, { comment: '' })).status).to.equal(403);
    // The client's manager sees it on the desk (read only); another manager does not.
    const number = (await rt.db('orders').where({ id: orderId }).first('number'))!.number;
    const ivanov = await signIn(fx.staffEmails.ivanov);
    expect((await ivanov.get('/manager')).text).to.contain(`data-approval="${orderId}"`).and.contain(number).and.contain('больше лимита на один заказ 100,00\u00a0₽');
    // the desk in the manager's language: the reason too, not only its headings
    ivanov.cookies.set('lang', 'en');
    expect((await ivanov.get('/manager')).text).to.contain(`data-approval="${orderId}"`).and.not.contain('больше лимита');
    ivanov.cookies.delete('lang');
    expect((await ivanov.post(`/approvals/${orderId}/approve`, { comment: '' })).status).to.equal(403);
    const petrova = await signIn(fx.staffEmails.petrova);
    expect((await petrova.get('/manager')).text).not.to.contain(`data-approval="${orderId}"`);
    const anon = new WebClient(srv.base);
    const a = await anon.get('/approvals');
    expect([a.status, a.res.headers.get('location')]).to.deep.equal([303, '/login?next=%2Fapprovals']);
    expect((await rt.db('order_approvals').where({ order_id: orderId }).first('state'))!.state).to.equal('pending');
    expect(await orderRows(orderId)).to.deep.equal([]);
  });

  it('Console › Согласования: an admin sees every client’s, the client’s manager theirs, another manager none; read only; buyers 403', async () => {
    const { orderId } = await overLimitOrder();
    const number = (await rt.db('orders').where({ id: orderId }).first('number'))!.number as string;
    const row = `data-approval="${orderId}"`;
    const admin = await signIn(fx.emails.admin);
    const page = await admin.get('/console/approvals');
    expect(page.status).to.equal(200);
    expect(page.text).to.contain('Согласования заказов').and.contain(row).and.contain(number).and.contain('emp@alpha.test').and.contain('больше лимита на один заказ');
    expect(page.text, 'staff do not decide').not.to.contain(`/approvals/${orderId}/approve`);
    expect((await admin.get(`/console/approvals?client=${fx.clients.a}`)).text).to.contain(row);
    expect((await admin.get(`/console/approvals?client=${fx.clients.b}`)).text).not.to.contain(row);
    expect((await admin.get('/console/approvals?client=abc')).status).to.equal(400);
    expect((await (await signIn(fx.staffEmails.ivanov)).get('/console/approvals')).text).to.contain(row);
    const petrova = await signIn(fx.staffEmails.petrova);
    expect((await petrova.get('/console/approvals')).text).not.to.contain(row);
    expect((await petrova.get(`/console/approvals?client=${fx.clients.a}`)).text).not.to.contain(row);
    for (const email of [fx.emails.a, 'emp@alpha.test', fx.emails.b]) expect((await (await signIn(email)).get('/console/approvals')).status, email).to.equal(403);
    // decided: it moves to the decided list with its comment
    const owner = await signIn(fx.emails.a);
    await owner.get('/approvals');
    await owner.post(`/approvals/${orderId}/reject`, { comment: 'Не сейчас' });
    const after = (await admin.get('/console/approvals')).text;
    expect(after.slice(after.indexOf('console-approvals-decided'))).to.contain(row).and.contain('Не сейчас');
  });

  it('a viewer and an accountant cannot order: no waiting list, reservation, quote or order (403); both read the conversation, only the accountant writes to the manager', async () => {
    await rt.db('stock').where({ offer_id: fx.offers[3]! }).update({ quantity: '0' });
    for (const email of ['viewer@alpha.test', 'accountant@alpha.test']) {
      const c = await signIn(email);
      expect((await c.post('/waitlist', { offerId: String(fx.offers[3]) })).status, `${email} waitlist`).to.equal(403);
      expect((await c.post('/reservations', { offerId: String(fx.offers[2]), warehouseId: String(fx.warehouses.main), quantity: '1' })).status, `${email} reserve`).to.equal(403);
      expect((await c.post('/quotes', { comment: 'x' })).status, `${email} quote`).to.equal(403);
      expect((await c.post('/checkout', { checkoutKey: 'abcdefgh12' })).status, `${email} checkout`).to.equal(403);
      const product = await c.get(`/product/${fx.offers[3]}`);
      expect(product.status).to.equal(200);
      expect(product.text, `${email} sees no "Notify me"`).not.to.contain('action="/waitlist"');
      expect((await c.get('/orders')).status).to.equal(200);
      const thread = await c.get('/messages');
      expect(thread.status).to.equal(200);
      const msg = await c.upload('/messages', { body: `Когда будет поставка? (${email})` });
      if (email.startsWith('viewer')) {
        // read only: the page has no form, the server refuses the post (plain and htmx alike)
        expect(thread.text).not.to.contain('class="message-form"');
        expect(thread.text).to.contain('Вы наблюдатель');
        expect(msg.status, 'a viewer does not write').to.equal(403);
        expect(msg.text).to.contain('доступ только для чтения');
      } else {
        expect(thread.text).to.contain('class="message-form"');
        expect(msg.status, `${email} writes to the manager`).to.be.oneOf([200, 303]);
      }
    }
    expect(await rt.db('messages').pluck('body')).to.deep.equal(['Когда будет поставка? (accountant@alpha.test)']);
    expect(await rt.db('waitlist').count('* as n').first()).to.deep.equal({ n: 0 });
  });
});
