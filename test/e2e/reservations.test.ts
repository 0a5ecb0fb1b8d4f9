// Headless Chromium through reservations and the waiting list: catalog → "Reserve…" → the
// product page's reserve box → "My reservations" (ticking countdown, extend over htmx) → the
// reservation expires and the open page shows it without a reload (SSE) → "Notify me" → "My
// waiting list". Screenshots go to test-artifacts/.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect } from 'chai';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { expireDue } from '../../src/store/reservations/lifecycle.ts';
import { reserve } from '../../src/store/reservations/reservations.ts';
import { launchBrowser, pageReady, signInPage } from '../support/browser.ts';
import { resetQueues } from '../support/queues.ts';
import { PASSWORD, useWorld } from '../support/world.ts';

const artifacts = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../test-artifacts');

describe('e2e: reservations and the waiting list in Chromium', function () {
  this.timeout(60_000);
  // Every test starts from the fixture with buyer A signed in on a page of its own: none relies
  // on what an earlier one reserved.
  const w = useWorld();
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  const shot = (name: string) => page.screenshot({ path: path.join(artifacts, `reservations-${name}.png`), fullPage: true });

  before(async () => {
    fs.mkdirSync(artifacts, { recursive: true });
    browser = await launchBrowser();
  });
  after(async () => {
    await browser?.close();
  });
  beforeEach(async () => {
    await resetQueues(w.rt);
    // A short period for this client, so the countdown visibly ticks.
    await w.rt.db('clients').where({ id: w.fx.clients.a }).update({ settings: JSON.stringify({ reservations: { periodHours: 0.05 } }) });
    ({ context, page } = await signInPage(browser, w.base, w.fx.emails.a, PASSWORD, '/catalog'));
  });
  afterEach(async () => {
    await context?.close();
  });

  it('reserves from the product page reached by the catalog\'s "Reserve…" link', async () => {
    await page.goto(`${w.base}/catalog`);
    await page.locator(`a.reserve-link[href="/product/${w.fx.offers[1]}#reserve"]`).first().click();
    await page.waitForURL((u) => u.pathname === `/product/${w.fx.offers[1]}`);
    await pageReady(page);
    const box = page.locator(`#reserve-box-${w.fx.offers[1]}`);
    await box.waitFor();
    const mainRow = box.locator('tr', { hasText: 'Main' });
    expect((await mainRow.locator('td.num').textContent())?.trim()).to.equal('20 шт.');
    await mainRow.locator('input[name=quantity]').fill('2');
    await mainRow.locator('button', { hasText: 'Зарезервировать' }).click();
    await box.locator('.alert.ok').waitFor();
    expect(await box.locator('.alert.ok').textContent()).to.match(/Зарезервировано 2 шт\. «Drill Makita HP1630» на складе Main до/);
    await page.waitForFunction((id) => document.querySelector(`#reserve-box-${id} tr td.num`)?.textContent?.trim() === '18 шт.', w.fx.offers[1]);
    await shot('product');
  });

  it('"My reservations": a ticking countdown, extend over htmx, and expiry shown live', async () => {
    const { fx, rt } = w;
    await reserve(rt, { userId: fx.users.a, clientId: fx.clients.a, counterpartyId: fx.cp.aHead }, { offerId: fx.offers[1]!, warehouseId: fx.warehouses.main, quantity: '2' });
    await page.goto(`${w.base}/reservations`);
    await pageReady(page); // the Extend button posts over htmx, the expiry comes over SSE
    const time = page.locator('time[data-expires]').first();
    const t1 = await time.textContent();
    expect(t1).to.match(/^\d+ мин \d+ с$|^\d+ мин$/);
    // the countdown ticks in the page
    await page.waitForFunction((before) => document.querySelector('time[data-expires]')?.textContent !== before, t1, { timeout: 5000 });
    await page.locator('button', { hasText: 'Продлить' }).click();
    await page.locator('#reservations .alert.ok', { hasText: 'продлён' }).waitFor();
    await shot('list');
    const id = (await w.rt.db('reservations').first('id'))!.id;
    await w.rt.db('reservations').where({ id }).update({ expires_at: rt.db.raw("now() - interval '1 second'") });
    await expireDue(w.rt);
    await page.locator(`tr[data-reservation="${id}"][data-state="expired"]`).waitFor({ timeout: 5000 });
    await shot('expired');
  });

  it('"Notify me" for an item out of stock at a warehouse, then "My waiting list"', async () => {
    await page.goto(`${w.base}/product/${w.fx.offers[0]}`); // North: 0
    await pageReady(page);
    const north = page.locator(`#reserve-box-${w.fx.offers[0]} tr`, { hasText: 'North' });
    await north.locator('button', { hasText: 'Сообщить о поступлении' }).click();
    await page.locator(`#reserve-box-${w.fx.offers[0]} .alert.ok`).waitFor();
    expect(await page.locator(`#reserve-box-${w.fx.offers[0]} .alert.ok`).textContent()).to.contain('Напишем вам один раз, когда Drill Bosch GSB 13 появится на складе North.');
    await page.goto(`${w.base}/waitlist`);
    expect(await page.locator('tr[data-waitlist]').count()).to.equal(1);
    expect(await page.locator('tr[data-waitlist]').textContent()).to.contain('North');
    await shot('waitlist');
  });
});
