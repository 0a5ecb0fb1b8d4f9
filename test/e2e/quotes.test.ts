// Headless Chromium through a quote: the buyer asks for prices from the cart, the manager answers
// on the quote page (another price and quantity), writes in the quote's thread — the buyer's open
// page shows it live — and the buyer accepts: the order page at the quoted price. An expired
// quote shows no accept button and the server refuses it anyway (409).
import { expect } from 'chai';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { storeToday } from '../../src/store/arrivals/arrivals.ts';
import { launchBrowser, pageReady, signInPage } from '../support/browser.ts';
import { PASSWORD, useWorld } from '../support/world.ts';

const day = (n: number) => {
  const d = new Date(`${storeToday()}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + n);
  return d.toISOString().slice(0, 10);
};

describe('e2e: a quote in Chromium, from the cart to the order', function () {
  this.timeout(60_000);
  const w = useWorld({ staff: true, tables: ['orders', 'outbox', 'messages', 'message_threads'] });
  let browser: Browser;
  const contexts: BrowserContext[] = [];

  before(async () => {
    browser = await launchBrowser();
  });
  after(async () => {
    await browser?.close();
  });
  afterEach(async () => {
    for (const c of contexts.splice(0)) await c.close();
  });

  async function as(email: string, next: string): Promise<Page> {
    const { context, page } = await signInPage(browser, w.base, email, PASSWORD, next);
    contexts.push(context);
    return page;
  }

  /** The buyer fills the cart by the paste box and asks for a quote; returns the quote page. */
  async function ask(): Promise<{ buyer: Page; id: number }> {
    const buyer = await as(w.fx.emails.a, '/cart/quick');
    await buyer.fill('textarea[name=lines]', 'SKU-003\t4');
    await Promise.all([buyer.waitForResponse((r) => r.url().endsWith('/cart/quick') && r.request().method() === 'POST'), buyer.click('form[action="/cart/quick"] button[type=submit]')]);
    await buyer.goto(`${w.base}/cart`);
    await buyer.fill('form.quote-request textarea[name=comment]', 'Нужна цена на партию');
    await Promise.all([buyer.waitForURL(/\/quotes\/\d+$/), buyer.click('form.quote-request button[type=submit]')]);
    const id = Number(/\/quotes\/(\d+)$/.exec(buyer.url())![1]);
    expect(await buyer.textContent('h1')).to.contain(`Запрос цены № ${id}`).and.contain('ждёт ответа менеджера');
    return { buyer, id };
  }

  it('asked from the cart, answered with another price and quantity, a live message, accepted → the order at the quoted price', async () => {
    const { buyer, id } = await ask();
    const manager = await as(w.fx.staffEmails.ivanov, `/quotes/${id}`);
    await manager.fill('input[name=price_1]', '250,00');
    await manager.fill('input[name=qty_1]', '5');
    await manager.fill('input[name=validUntil]', day(3));
    // the page is already /quotes/:id: wait for the answer's own response, not the URL (the buyer's reload raced it)
    await Promise.all([manager.waitForResponse((r) => r.url().endsWith(`/quotes/${id}/answer`) && r.request().method() === 'POST'), manager.click('button:has-text("Отправить предложение")')]);
    await manager.waitForURL(new RegExp(`/quotes/${id}$`));
    await pageReady(manager);

    // the buyer's quote page is open (live thread) while the manager writes
    await buyer.reload();
    await pageReady(buyer);
    await manager.fill('#message-body', 'Цена при заказе 5 штук');
    await manager.click('.message-form button[type=submit]');
    await buyer.locator('#thread', { hasText: 'Цена при заказе 5 штук' }).waitFor({ timeout: 10_000 });

    const body = (await buyer.textContent('main'))!.replaceAll('\u00a0', ' ');
    expect(body).to.contain('есть предложение').and.contain('1 250,00');
    await Promise.all([buyer.waitForURL(/\/orders\/\d+$/), buyer.click('button:has-text("Принять и оформить заказ")')]);
    const orderId = Number(/\/orders\/(\d+)$/.exec(buyer.url())![1]);
    expect((await buyer.textContent('main'))!.replaceAll('\u00a0', ' ')).to.contain('1 250,00');
    const line = await w.rt.db('order_lines').where({ order_id: orderId }).first('quantity', 'price', 'amount');
    expect(line).to.deep.equal({ quantity: '5.000', price: '250.00', amount: '1250.00' });
    expect((await w.rt.db('quotes').where({ id }).first('status', 'order_id'))).to.deep.equal({ status: 'accepted', order_id: orderId });
  });

  it('an expired quote: no accept button, a warning, and the server refuses the accept with 409', async () => {
    const [q] = await w.rt.db('quotes').insert({
      client_id: w.fx.clients.a, counterparty_id: w.fx.cp.aHead, user_id: w.fx.users.a, status: 'answered', valid_until: day(-1), currency: 'RUB', answered_at: w.rt.db.fn.now(),
    }).returning('id');
    await w.rt.db('quote_lines').insert({ quote_id: q.id, line_no: 1, offer_id: w.fx.offers[2]!, requested_quantity: '2', quantity: '2', price: '100.00' });
    const buyer = await as(w.fx.emails.a, `/quotes/${q.id}`);
    expect(await buyer.textContent('h1')).to.contain('срок предложения истёк');
    expect(await buyer.textContent('main')).to.contain('принять его нельзя');
    expect(await buyer.locator('button:has-text("Принять и оформить заказ")').count()).to.equal(0);
    const csrf = await buyer.getAttribute('input[name=_csrf]', 'value');
    const refused = await buyer.request.post(`${w.base}/quotes/${q.id}/accept`, { form: { _csrf: csrf! }, maxRedirects: 0 });
    expect(refused.status()).to.equal(409);
    expect(await refused.text()).to.contain('Срок действия предложения истёк');
    expect(Number((await w.rt.db('orders').count({ n: '*' }))[0]!.n)).to.equal(0);
    // valid again (the manager extended it): the button is back
    await w.rt.db('quotes').where({ id: q.id }).update({ valid_until: day(1) });
    await buyer.reload();
    expect(await buyer.locator('button:has-text("Принять и оформить заказ")').count()).to.equal(1);
  });
});
