// Headless Chromium through reservations and the waiting list: catalog → "Reserve…" → the
// product page's reserve box → "My reservations" (ticking countdown, extend over htmx) → the
// reservation expires and the open page shows it without a reload (SSE) → "Notify me" → "My
// waiting list". Screenshots go to test-artifacts/.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect } from 'chai';
import { type Browser, chromium, type Page } from 'playwright-core';
import type { Runtime } from '../../src/infra/runtime.ts';
import { invalidateWarehouses } from '../../src/store/catalog/availability.ts';
import { invalidateGroups } from '../../src/store/catalog/catalog.ts';
import { expireDue } from '../../src/store/reservations/lifecycle.ts';
import { createApp } from '../../src/web/app.ts';
import { PASSWORD, type StoreFixture, storeFixture } from '../support/mirror-fixtures.ts';
import { resetQueues } from '../support/queues.ts';
import { deleteKeys } from '../support/redis-cleanup.ts';
import { testRuntime, truncate } from '../support/runtime.ts';
import { listen } from '../support/web-client.ts';

const ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'];
const artifacts = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../test-artifacts');

describe('e2e: reservations and the waiting list in Chromium', function () {
  this.timeout(60_000);
  let rt: Runtime;
  let fx: StoreFixture;
  let srv: Awaited<ReturnType<typeof listen>>;
  let browser: Browser;
  let page: Page;
  const shot = (name: string) => page.screenshot({ path: path.join(artifacts, `reservations-${name}.png`), fullPage: true });

  before(async () => {
    rt = await testRuntime();
    await truncate(rt, 'sources', 'users', 'clients', 'sessions');
    await resetQueues(rt);
    await deleteKeys(rt.redisUrl, `${rt.prefix}:login`);
    invalidateWarehouses(rt.db);
    invalidateGroups(rt.db);
    fs.mkdirSync(artifacts, { recursive: true });
    fx = await storeFixture(rt.db);
    // A short period for this client, so the countdown visibly ticks.
    await rt.db('clients').where({ id: fx.clients.a }).update({ settings: JSON.stringify({ reservations: { periodHours: 0.05 } }) });
    srv = await listen(createApp(rt));
    browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ARGS });
    page = await (await browser.newContext({ viewport: { width: 1300, height: 800 } })).newPage();
    await page.goto(`${srv.base}/login`);
    await page.fill('input[name=email]', fx.emails.a);
    await page.fill('input[name=password]', PASSWORD);
    await Promise.all([page.waitForURL((u) => u.pathname !== '/login'), page.click('form[action="/login"] button[type=submit]')]);
  });
  after(async () => {
    await browser?.close();
    await srv?.close();
  });

  it('reserves from the product page reached by the catalog\'s "Reserve…" link', async () => {
    await page.goto(`${srv.base}/catalog`);
    await page.locator(`a.reserve-link[href="/product/${fx.offers[1]}#reserve"]`).first().click();
    await page.waitForURL((u) => u.pathname === `/product/${fx.offers[1]}`);
    const box = page.locator(`#reserve-box-${fx.offers[1]}`);
    await box.waitFor();
    const mainRow = box.locator('tr', { hasText: 'Main' });
    expect((await mainRow.locator('td.num').textContent())?.trim()).to.equal('20 pcs');
    await mainRow.locator('input[name=quantity]').fill('2');
    await mainRow.locator('button', { hasText: 'Reserve' }).click();
    await box.locator('.alert.ok').waitFor();
    expect(await box.locator('.alert.ok').textContent()).to.match(/Reserved 2 pcs of Drill Makita HP1630 at Main until/);
    await page.waitForFunction((id) => document.querySelector(`#reserve-box-${id} tr td.num`)?.textContent?.trim() === '18 pcs', fx.offers[1]);
    await shot('product');
  });

  it('"My reservations": a ticking countdown, extend over htmx, and expiry shown live', async () => {
    await page.goto(`${srv.base}/reservations`);
    const time = page.locator('time[data-expires]').first();
    const t1 = await time.textContent();
    await page.waitForTimeout(1200);
    const t2 = await time.textContent();
    expect(t1).to.match(/^\d+ min \d+ s$|^\d+ min$/);
    expect(t2).to.not.equal(t1);
    await page.locator('button', { hasText: 'Extend' }).click();
    await page.locator('#reservations .alert.ok', { hasText: 'extended' }).waitFor();
    await shot('list');
    const id = (await rt.db('reservations').first('id'))!.id;
    await rt.db('reservations').where({ id }).update({ expires_at: rt.db.raw("now() - interval '1 second'") });
    await expireDue(rt);
    await page.locator(`tr[data-reservation="${id}"][data-state="expired"]`).waitFor({ timeout: 5000 });
    await shot('expired');
  });

  it('"Notify me" for an item out of stock at a warehouse, then "My waiting list"', async () => {
    await page.goto(`${srv.base}/product/${fx.offers[0]}`); // North: 0
    const north = page.locator(`#reserve-box-${fx.offers[0]} tr`, { hasText: 'North' });
    await north.locator('button', { hasText: 'Notify me' }).click();
    await page.locator(`#reserve-box-${fx.offers[0]} .alert.ok`).waitFor();
    expect(await page.locator(`#reserve-box-${fx.offers[0]} .alert.ok`).textContent()).to.contain('We will e-mail you once when Drill Bosch GSB 13 is available at North.');
    await page.goto(`${srv.base}/waitlist`);
    expect(await page.locator('tr[data-waitlist]').count()).to.equal(1);
    expect(await page.locator('tr[data-waitlist]').textContent()).to.contain('North');
    await shot('waitlist');
  });
});
