// Headless Chromium through an approval (issue 15, item 2), on a mirror synced from the SOAP
// simulator: an employee's order over their per-order limit is placed but not exported; the
// owner approves it at /approvals with a comment; the buyer's order page shows it approved and
// the order reaches the simulator exactly once, with its lines and sum. A second decision is
// refused. The reject path: the buyer sees the owner's comment and the reservation is freed.
import { expect } from 'chai';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { exportDueOrders } from '../../jobs/orders-export.ts';
import type { Simulator } from '../../sim/index.ts';
import { resetCaches } from '../../src/infra/caches.ts';
import { getQueue } from '../../src/infra/queue/connection.ts';
import { JOB_ORDERS_EXPORT } from '../../src/infra/queue/sync-requests.ts';
import type { Runtime } from '../../src/infra/runtime.ts';
import { runFullSync, soapSourceRow } from '../../src/sources/soap-source.ts';
import { createUser } from '../../src/store/accounts/users.ts';
import { cmp } from '../../src/store/shared/decimal.ts';
import { outboxLetters } from '../support/mail-outbox.ts';
import { createApp } from '../../src/web/app.ts';
import { launchBrowser, pageReady, signInPage } from '../support/browser.ts';
import { deleteKeys } from '../support/redis-cleanup.ts';
import { testRuntime, truncate } from '../support/runtime.ts';
import { simSource } from '../support/sim-source.ts';
import { until } from '../support/wait.ts';
import { listen } from '../support/web-client.ts';

const PASSWORD = 'e2e approvals password';
const OWNER = 'owner@approvals.test';
const EMPLOYEE = 'buyer@approvals.test';
const LIMIT = '1.00'; // per order: any priced line of 2 units is over it

describe('e2e: an employee’s order over the limit waits for the owner in Chromium (simulator → store → approval → simulator)', function () {
  this.timeout(60_000);
  let rt: Runtime;
  let srv: Awaited<ReturnType<typeof listen>>;
  let sim: Simulator;
  let browser: Browser;
  const contexts: BrowserContext[] = [];
  let offerId: number;

  const as = async (email: string, next: string): Promise<Page> => {
    const { context, page } = await signInPage(browser, srv.base, email, PASSWORD, next, { width: 1300, height: 900 });
    contexts.push(context);
    return page;
  };
  const outboxRows = (orderId: number) =>
    rt.db('outbox').where({ kind: 'order.create' }).whereRaw(`(payload->>'orderId')::bigint = ?`, [orderId]).select('state');
  const inSim = (number: string) => sim.state.orders().filter((o) => o.storeNumber === number);
  const exportQueued = async () => (await getQueue(rt, JOB_ORDERS_EXPORT).getJobs(['waiting', 'delayed', 'prioritized'])).length;

  /** The employee adds 2 of the offer on its product page, checks out, and lands on the order page. */
  const placeOverLimit = async () => {
    const page = await as(EMPLOYEE, `/product/${offerId}`);
    const add = page.locator('form.add').first();
    await add.locator('input[name=qty]').fill('2');
    await add.locator('button[type=submit]').click();
    await add.locator('.add-msg').filter({ hasText: /\S/ }).waitFor();
    await page.goto(`${srv.base}/cart`);
    await pageReady(page);
    await Promise.all([page.waitForURL(/\/orders\/\d+$/), page.click('form.cart button.primary')]);
    const orderId = Number(new URL(page.url()).pathname.split('/').pop());
    const order = (await rt.db('orders').where({ id: orderId }).first('number', 'total', 'export_state'))!;
    expect(cmp(order.total, LIMIT), 'the cart total is over the per-order limit').to.be.greaterThan(0);
    const approval = page.locator('#order-approval');
    expect(await approval.textContent()).to.contain('Согласование: ждёт согласования').and.contain('Решает владелец кабинета.');
    return { page, orderId, number: order.number };
  };

  before(async () => {
    rt = await testRuntime();
    await truncate(rt, 'sources', 'users', 'clients', 'sessions', 'orders', 'outbox', 'reservations', 'mail_outbox');
    await deleteKeys(rt.redisUrl, `${rt.prefix}:login`);
    resetCaches();
    ({ sim } = await simSource(rt, 'sim', { products: 20, counterparties: 6, priceTypes: 2, warehouses: 2, partnerWarehouses: 0, managers: 1 }));
    await runFullSync(rt, await soapSourceRow(rt, 'sim')); // also seeds clients from head links
    const client = await rt.db('client_counterparties').orderBy('client_id').first('client_id');
    expect(client, 'the simulator data seeds a client').to.not.equal(undefined);
    const ownerId = await createUser(rt.db, { email: OWNER, role: 'buyer', clientId: client!.client_id, password: PASSWORD, name: 'Владелец' });
    await rt.db('users').where({ id: ownerId }).update({ company_role: 'owner' });
    const empId = await createUser(rt.db, { email: EMPLOYEE, role: 'buyer', clientId: client!.client_id, password: PASSWORD, name: 'Закупщик' });
    await rt.db('users').where({ id: empId }).update({ company_role: 'buyer', order_limit: LIMIT, invited_by: ownerId });
    // An offer with a base price over the limit and stock for 2 at an own warehouse.
    const { rows } = await rt.db.raw(
      `SELECT o.id FROM offers o
         JOIN stock s ON s.offer_id = o.id AND s.quantity >= 10
         JOIN warehouses w ON w.id = s.warehouse_id AND w.kind = 'own' AND NOT w.deleted
         JOIN prices p ON p.offer_id = o.id AND NOT p.deleted AND p.value > 1
         JOIN price_types pt ON pt.id = p.price_type_id AND pt.is_base
        WHERE NOT o.deleted ORDER BY s.quantity DESC, o.id LIMIT 1`,
    );
    expect(rows, 'an offer in stock with a price').to.have.length(1);
    offerId = rows[0].id;
    srv = await listen(createApp(rt, [], { mail: { send: async () => undefined } }));
    browser = await launchBrowser();
  });
  beforeEach(async () => {
    await getQueue(rt, JOB_ORDERS_EXPORT).obliterate({ force: true });
  });
  afterEach(async () => {
    for (const c of contexts.splice(0)) await c.close();
  });
  after(async () => {
    await browser?.close();
    await srv?.close();
    await sim?.stop();
  });

  it('the owner approves with a comment: the buyer sees it approved and the order reaches the simulator once; a second decision is refused', async () => {
    const { page: buyer, orderId, number } = await placeOverLimit();
    // Held: the export sends nothing and the simulator has no such order.
    await exportDueOrders(rt);
    expect(await outboxRows(orderId)).to.deep.equal([]);
    expect(inSim(number)).to.have.length(0);
    expect((await rt.db('orders').where({ id: orderId }).first('export_state'))!.export_state).to.equal('held');
    // written with the order to the mail outbox
    expect((await outboxLetters(rt.db, `approval-${orderId}-request-%`)).map((m) => [m.to, m.subject])).to.deep.equal([[OWNER, `Заказ ${number} ждёт вашего согласования`]]);
    await getQueue(rt, JOB_ORDERS_EXPORT).obliterate({ force: true });

    const owner = await as(OWNER, '/approvals');
    const card = owner.locator(`#approval-${orderId}`);
    expect(await card.textContent()).to.contain(number).and.contain('больше лимита на один заказ').and.contain(EMPLOYEE);
    await card.locator('textarea[name=comment]').fill('Согласовано, срочно нужно');
    await Promise.all([owner.waitForURL((u) => u.pathname === '/approvals'), card.getByRole('button', { name: 'Согласовать' }).click()]);
    await owner.getByText(`Заказ ${number} согласован и передаётся в учётную систему.`).waitFor();
    await owner.getByText('Нет заказов, ждущих согласования.').waitFor();
    expect(await owner.locator('table.approvals-decided').textContent()).to.contain(number).and.contain('Согласовано, срочно нужно');
    // The approval wrote the outbox row and asked for the export at once.
    expect(await outboxRows(orderId)).to.deep.equal([{ state: 'pending' }]);
    await until(async () => (await exportQueued()) > 0, 'an orders.export run requested by the approval');

    await buyer.reload();
    const approval = buyer.locator('#order-approval');
    await approval.filter({ hasText: 'Согласование: согласован' }).waitFor();
    expect(await approval.textContent()).to.contain('Комментарий: Согласовано, срочно нужно').and.not.contain('ждёт согласования');

    // Exactly once, with the order's lines and sum.
    expect((await exportDueOrders(rt)).delivered).to.equal(1);
    expect((await exportDueOrders(rt)).delivered).to.equal(0);
    const sent = inSim(number);
    expect(sent).to.have.length(1);
    const order = (await rt.db('orders').where({ id: orderId }).first('total', 'export_state'))!;
    expect(order.export_state).to.equal('exported');
    expect(cmp(sent[0]!.total, order.total)).to.equal(0);
    const lines = await rt.db('order_lines').where({ order_id: orderId }).join('offers', 'offers.id', 'order_lines.offer_id')
      .orderBy('line_no').select('offers.external_id', 'order_lines.quantity', 'order_lines.amount');
    expect(lines).to.have.length(1);
    expect(sent[0]!.lines.map((l) => [l.offerId, cmp(l.quantity, '2'), cmp(l.amount, lines[0]!.amount)])).to.deep.equal([[lines[0]!.external_id, 0, 0]]);

    // A second decision (a stale tab rejecting) is refused and changes nothing.
    const res = await owner.request.post(`${srv.base}/approvals/${orderId}/reject`, {
      form: { _csrf: (await owner.locator('input[name=_csrf]').first().getAttribute('value')) ?? '', comment: 'передумал' },
    });
    expect(res.status()).to.equal(409);
    expect(await res.text()).to.contain(`Заказ ${number} уже согласован.`);
    expect((await rt.db('orders').where({ id: orderId }).first('status'))!.status).to.not.equal('cancelled');
    expect(await outboxRows(orderId)).to.have.length(1);
    expect(inSim(number)).to.have.length(1);
  });

  it('the owner rejects with a comment: the buyer sees the comment, the reservation is freed and nothing reaches the simulator', async () => {
    const { page: buyer, orderId, number } = await placeOverLimit();
    expect(await rt.db('reservations').where({ order_id: orderId }).pluck('state')).to.not.include('cancelled');
    const owner = await as(OWNER, '/approvals');
    const card = owner.locator(`#approval-${orderId}`);
    await card.locator('textarea[name=comment]').fill('Купим в следующем месяце');
    await Promise.all([owner.waitForURL((u) => u.pathname === '/approvals'), card.getByRole('button', { name: 'Отклонить' }).click()]);
    await owner.getByText(`Заказ ${number} отклонён, резерв снят.`).waitFor();

    await buyer.reload();
    await buyer.locator('#order-approval').filter({ hasText: 'Согласование: отклонён' }).waitFor();
    expect(await buyer.locator('#order-approval').textContent()).to.contain('Комментарий: Купим в следующем месяце');
    expect((await rt.db('orders').where({ id: orderId }).first('status'))!.status).to.equal('cancelled');
    expect(await rt.db('reservations').where({ order_id: orderId }).pluck('state')).to.deep.equal(['cancelled']);
    await exportDueOrders(rt);
    expect(await outboxRows(orderId)).to.deep.equal([]);
    expect(inSim(number)).to.have.length(0);
  });
});
