// Headless Chromium with JavaScript off: the product page shows its reserve box rendered by the
// server (no "Loading availability…"), and a reservation made from it is a plain form post that
// comes back to the product page with the flash and the lower availability.
import { expect } from 'chai';
import type { Browser, BrowserContext } from 'playwright-core';
import { launchBrowser } from '../support/browser.ts';
import { PASSWORD, useWorld } from '../support/world.ts';

describe('e2e: the product page without JavaScript', function () {
  this.timeout(30_000);
  const w = useWorld({ tables: ['reservations', 'waitlist'] });
  let browser: Browser;
  let context: BrowserContext | undefined;

  before(async () => {
    browser = await launchBrowser();
  });
  after(async () => {
    await context?.close();
    await browser?.close();
  });

  it('renders the reserve box in the page and reserves by a plain form post', async () => {
    context = await browser.newContext({ viewport: { width: 1400, height: 900 }, javaScriptEnabled: false });
    const page = await context.newPage();
    const offer = w.fx.offers[1]!; // SKU-002: 20 at Main, 5 at North
    const path = `/product/${offer}`;
    await page.goto(`${w.base}/login?next=${encodeURIComponent(path)}`);
    await page.fill('input[name=email]', w.fx.emails.a);
    await page.fill('input[name=password]', PASSWORD);
    await Promise.all([page.waitForURL((u) => u.pathname === path), page.click('form[action="/login"] button[type=submit]')]);

    const box = page.locator(`#reserve-box-${offer}`);
    expect(await page.locator('#reserve').textContent()).not.to.contain('Loading availability');
    const main = box.locator('tr', { hasText: 'Main' });
    expect(await main.locator('[data-available]').getAttribute('data-available')).to.equal('20');

    await main.locator('input[name=quantity]').fill('3');
    await Promise.all([page.waitForURL((u) => u.pathname === path), main.locator('button[type=submit]').click()]);
    expect(await page.locator('.alert.ok').textContent()).to.match(/Зарезервировано 3 .* на складе Main до/);
    expect(await page.locator(`#reserve-box-${offer} tr`, { hasText: 'Main' }).locator('[data-available]').getAttribute('data-available')).to.equal('17');
    expect(await w.rt.db('reservations').where({ offer_id: offer, state: 'active' }).count('* as n').first()).to.deep.equal({ n: 1 });
  });
});
