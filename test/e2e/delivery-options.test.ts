// Headless Chromium on the product page: typing a quantity and pressing Enter swaps the "when can
// I have it" options (htmx) without reloading the page and pushes ?qty= into the address; with
// JavaScript off, the same form is a plain GET.
import { expect } from 'chai';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { storeToday } from '../../src/store/arrivals/arrivals.ts';
import { launchBrowser, signInPage } from '../support/browser.ts';
import { PASSWORD, useWorld } from '../support/world.ts';

describe('e2e: "when can I have it" in Chromium', function () {
  this.timeout(60_000);
  const w = useWorld();
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  const offer = () => w.fx.offers[1]!;

  before(async () => {
    browser = await launchBrowser();
  });
  after(async () => {
    await browser?.close();
  });
  beforeEach(async () => {
    const d = new Date(`${storeToday()}T00:00:00Z`);
    d.setUTCDate(d.getUTCDate() + 10);
    await w.rt.db('expected_arrivals').insert({
      source_id: w.fx.sourceId, external_id: 'e2e-arrival', offer_id: offer(), warehouse_id: w.fx.warehouses.main, quantity: '15',
      expected_date: d.toISOString().slice(0, 10),
    });
    ({ context, page } = await signInPage(browser, w.base, w.fx.emails.a, PASSWORD, `/product/${offer()}`));
  });
  afterEach(async () => {
    await context?.close();
  });

  it('a new quantity swaps the options in place and pushes ?qty=; the marks move with it', async () => {
    const section = page.locator('#delivery-options');
    expect(await section.locator('tr.earliest td').first().textContent()).to.equal('Main');
    await page.evaluate(() => {
      (window as unknown as { marker: number }).marker = 42; // survives only if the page is not reloaded
    });
    await section.locator('input[name=qty]').fill('30');
    await section.locator('input[name=qty]').press('Enter');
    await page.waitForURL(/qty=30/);
    await section.locator('tr.earliest td', { hasText: 'Partner Far' }).first().waitFor({ timeout: 5000 });
    expect((await section.locator('tr.cheapest td').first().textContent())?.trim()).to.equal('Main');
    expect(await section.locator('tr.cheapest').textContent()).to.contain('после поступления');
    expect(await page.evaluate(() => (window as unknown as { marker?: number }).marker)).to.equal(42);
    await section.locator('input[name=qty]').fill('много');
    await section.locator('input[name=qty]').press('Enter');
    await section.locator('[role=alert]', { hasText: '«много» — не количество' }).waitFor({ timeout: 5000 });
  });

  it('without JavaScript the quantity form is a plain GET to the same page', async () => {
    const noJs = await browser.newContext({ javaScriptEnabled: false, storageState: await context.storageState() });
    try {
      const p = await noJs.newPage();
      await p.goto(`${w.base}/product/${offer()}`);
      await p.locator('#delivery-options input[name=qty]').fill('30');
      await Promise.all([p.waitForURL(/\/product\/\d+\?qty=30$/), p.locator('#delivery-options button[type=submit]').click()]);
      expect(await p.locator('#delivery-options tr.earliest td').first().textContent()).to.contain('Partner Far');
    } finally {
      await noJs.close();
    }
  });
});
