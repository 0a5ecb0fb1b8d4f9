import { expect } from 'chai';
import type { Runtime } from '../../src/infra/runtime.ts';
import { reserve } from '../../src/store/reservations/reservations.ts';
import { createApp } from '../../src/web/app.ts';
import { PASSWORD, type StoreFixture, storeFixture } from '../support/mirror-fixtures.ts';
import { testRuntime, truncate } from '../support/runtime.ts';
import { listen, WebClient } from '../support/web-client.ts';

/** The figures keep a number and its ₽ together with no-break spaces; tests read plain ones. */
const plain = (s: string) => s.replace(/\u00a0/g, ' ').replace(/\s+/g, ' ');
const main = (s: string) => plain(s.slice(s.indexOf('<main>'), s.indexOf('</main>')));

describe('web/credit: debt and limit in the header, at checkout and for staff; refusal and warning', () => {
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
    await truncate(rt, 'sources', 'users', 'clients', 'sessions', 'orders', 'outbox', 'reservations');
    fx = await storeFixture(rt.db);
    a = new WebClient(srv.base);
    b = new WebClient(srv.base);
    await a.login(fx.emails.a, PASSWORD);
    await b.login(fx.emails.b, PASSWORD);
  });

  const setCredit = (counterpartyId: number, o: { limit: string | null; debt: string; overdue?: string; policy: 'refuse' | 'warn' }) =>
    rt.db('counterparty_credit')
      .insert({ counterparty_id: counterpartyId, source_id: fx.sourceId, debt: o.debt, overdue: o.overdue ?? '0', credit_limit: o.limit, policy: o.policy, as_of: new Date('2026-12-03T06:00:00Z') })
      .onConflict('counterparty_id').merge();
  const checkoutForm = async (c: WebClient, extra: Record<string, string> = {}) => {
    const page = await c.get('/cart');
    const fields: Record<string, string> = { checkoutKey: page.text.match(/name="checkoutKey" value="([^"]+)"/)![1]! };
    for (const m of page.text.matchAll(/name="(qty_\d+)" value="([^"]*)"/g)) fields[m[1]!] = m[2]!.replace(',', '.');
    for (const m of page.text.matchAll(/<select name="(wh_\d+)"[\s\S]*?<option value="(\d+)" selected>/g)) fields[m[1]!] = m[2]!;
    return { ...fields, ...extra };
  };
  const orders = async () => Number((await rt.db('orders').count({ n: '*' }).first())!.n);

  it('the cabinet header shows debt, overdue part, limit, what is left and the as-of stamp of the current legal entity only', async () => {
    await setCredit(fx.cp.aHead, { limit: '500000.00', debt: '475000.00', overdue: '47500.50', policy: 'refuse' });
    await setCredit(fx.cp.bHead, { limit: '90000.00', debt: '12.34', policy: 'warn' });
    const page = plain((await a.get('/catalog')).text);
    expect(page).to.match(/Alpha LLC: <span class="credit-figures"> Долг <b class="credit-debt">475 000,00 ₽<\/b>, просрочено <b class="credit-overdue">47 500,50 ₽<\/b> · лимит <b class="credit-limit">500 000,00 ₽<\/b> · доступно <b class="credit-left">25 000,00 ₽<\/b> <small class="muted credit-as-of">на 03\.12\.2026/);
    expect(page).to.not.contain('90 000,00'); // another client's figures
    const other = plain((await b.get('/catalog')).text);
    expect(other).to.contain('Beta JSC: <span class="credit-figures"> Долг <b class="credit-debt">12,34 ₽</b> · лимит <b class="credit-limit">90 000,00 ₽</b> · доступно <b class="credit-left">89 987,66 ₽</b>');
    // the branch has no settlements: no figures, and a switch there drops them
    await a.post('/account/switch', { counterpartyId: String(fx.cp.aChild), back: '/catalog' });
    expect((await a.get('/catalog')).text).to.not.contain('credit-figures');
    // another client's legal entity cannot be chosen (its figures stay hidden)
    expect((await b.post('/account/switch', { counterpartyId: String(fx.cp.aHead), back: '/catalog' })).status).to.equal(404);
  });

  it('policy refuse: the cart warns before, checkout answers 409 naming limit, debt, this order and the excess, and places nothing', async () => {
    await setCredit(fx.cp.aHead, { limit: '1000.00', debt: '800.00', overdue: '100.00', policy: 'refuse' });
    await a.post('/cart/add', { offerId: String(fx.offers[1]), qty: '2' }); // 2 × 142.50 = 285.00
    const cart = main((await a.get('/cart')).text);
    expect(cart).to.contain('Задолженность Alpha LLC:').and.contain('доступно <b class="credit-left">200,00 ₽</b>');
    const message = 'Заказ превышает лимит задолженности и не может быть оформлен: лимит задолженности 1 000,00 ₽, текущий долг 800,00 ₽ (из них просрочено 100,00 ₽), этот заказ 285,00 ₽, превышение 85,00 ₽.';
    expect(cart).to.contain(message);
    expect(cart).to.not.contain('name="creditConfirmed"');
    const r = await a.post('/checkout', await checkoutForm(a, { creditConfirmed: '1' })); // confirming does not pass a refusal
    expect(r.status).to.equal(409);
    expect(main(r.text)).to.contain(message);
    expect(await orders()).to.equal(0);
    // htmx (the boosted form) gets the refused cart with its real status: the layout swaps 4xx answers
    const hx = await a.post('/checkout', await checkoutForm(a), { headers: { 'hx-request': 'true', 'hx-boosted': 'true' } });
    expect(hx.status).to.equal(409);
    expect(main(hx.text)).to.contain(message);
    // the accounting system raises the limit: the same cart goes through
    await setCredit(fx.cp.aHead, { limit: '1085.00', debt: '800.00', policy: 'refuse' });
    expect((await a.post('/checkout', await checkoutForm(a))).status).to.equal(303);
    expect(await orders()).to.equal(1);
  });

  it('policy warn: checkout answers 409 with the figures and a confirm box; confirmed, the order is placed', async () => {
    await setCredit(fx.cp.aHead, { limit: '300.00', debt: '100.00', policy: 'warn' });
    await a.post('/cart/add', { offerId: String(fx.offers[1]), qty: '2' });
    const r = await a.post('/checkout', await checkoutForm(a));
    expect(r.status).to.equal(409);
    expect(main(r.text)).to.contain('Заказ превышает лимит задолженности: лимит задолженности 300,00 ₽, текущий долг 100,00 ₽, этот заказ 285,00 ₽, превышение 85,00 ₽. Его можно оформить, подтвердив превышение.');
    expect(r.text).to.contain('name="creditConfirmed" value="1"');
    expect(await orders()).to.equal(0);
    const ok = await a.post('/checkout', await checkoutForm(a, { creditConfirmed: '1' }));
    expect(ok.status, main(ok.text).slice(0, 400)).to.equal(303);
    const order = await rt.db('orders').first('id', 'total', 'counterparty_id');
    expect(order).to.deep.include({ total: '285.00', counterparty_id: fx.cp.aHead });
    // the open order now counts: the header shows what is left after it
    expect(plain((await a.get('/catalog')).text)).to.contain('доступно <b class="credit-left">0,00 ₽</b> (лимит превышен на 85,00 ₽) <small class="muted">с учётом заказов в работе на 285,00 ₽</small>');
  });

  it('another client’s limit never applies: buyer B orders freely while A’s limit is used up', async () => {
    await setCredit(fx.cp.aHead, { limit: '0.00', debt: '999999.00', policy: 'refuse' });
    await b.post('/cart/add', { offerId: String(fx.offers[1]), qty: '2' });
    expect((await b.post('/checkout', await checkoutForm(b))).status).to.equal(303);
  });

  it('staff see the same figures beside each legal entity: the manager desk and the console client page; a buyer may not', async () => {
    await setCredit(fx.cp.aHead, { limit: '500000.00', debt: '475000.00', overdue: '47500.50', policy: 'warn' });
    const admin = new WebClient(srv.base);
    await admin.login(fx.emails.admin, PASSWORD);
    const figures = 'Долг <b class="credit-debt">475 000,00 ₽</b>, просрочено <b class="credit-overdue">47 500,50 ₽</b> · лимит <b class="credit-limit">500 000,00 ₽</b> · доступно <b class="credit-left">25 000,00 ₽</b>';
    const desk = main((await admin.get(`/manager/clients/${fx.clients.a}/messages`)).text);
    expect(desk).to.contain(figures).and.contain('нет данных о задолженности'); // the branch has none
    expect(main((await admin.get(`/console/clients/${fx.clients.a}`)).text)).to.contain(figures);
    expect((await b.get(`/manager/clients/${fx.clients.a}/messages`)).status).to.equal(403);
    expect((await b.get(`/console/clients/${fx.clients.a}`)).status).to.equal(403);
  });

  it('reservations → order: refused past the limit with the figures; policy warn offers the confirm box, ticked it orders', async () => {
    const actor = { userId: fx.users.a, clientId: fx.clients.a, counterpartyId: fx.cp.aHead, contractId: fx.contracts.aMain };
    const held = await reserve(rt, actor, { offerId: fx.offers[1]!, warehouseId: fx.warehouses.main, quantity: '2' });
    await setCredit(fx.cp.aHead, { limit: '100.00', debt: '0.00', policy: 'refuse' });
    expect((await a.get('/reservations')).text).to.not.contain('name="creditConfirmed"');
    const refused = await a.post('/reservations/order', { ids: String(held.id) }, { headers: { 'hx-request': 'true' } });
    expect(plain(refused.text)).to.contain('Заказ превышает лимит задолженности и не может быть оформлен: лимит задолженности 100,00 ₽, текущий долг 0,00 ₽, этот заказ 285,00 ₽, превышение 185,00 ₽.');
    await setCredit(fx.cp.aHead, { limit: '100.00', debt: '0.00', policy: 'warn' });
    expect((await a.get('/reservations')).text).to.contain('name="creditConfirmed" value="1"');
    const ok = await a.post('/reservations/order', { ids: String(held.id), creditConfirmed: '1' });
    expect(ok.status).to.equal(303);
    expect(await rt.db('orders').first('total')).to.deep.equal({ total: '285.00' });
  });
});
