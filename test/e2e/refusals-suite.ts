// Headless Chromium, JavaScript on and off: every refusal the server answers with a re-rendered
// page (4xx) is shown. With JS on the body is hx-boosted and htmx 2 swaps no 4xx by default; the
// layout's htmx-config responseHandling makes it swap them, in the same document (no reload).
// One suite, run by refusals-js.test.ts and refusals-nojs.test.ts (each file under 30 s).
import { expect } from 'chai';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { issueToken } from '../../src/store/accounts/users.ts';
import { launchBrowser, pageReady } from '../support/browser.ts';
import { PASSWORD, useWorld } from '../support/world.ts';

export function refusalSuite(js: boolean): void {
  describe(`e2e: refusals are shown (JavaScript ${js ? 'on' : 'off'})`, function () {
    this.timeout(60_000);
    const w = useWorld({ tables: ['orders', 'carts'] });
    let browser: Browser;
    let context: BrowserContext | undefined;

    before(async () => {
      browser = await launchBrowser();
    });
    afterEach(async () => {
      await context?.close();
      context = undefined;
    });
    after(async () => {
      await browser?.close();
    });

    /** A page (signed in as email unless null) on path; with JS, live and marked to tell a reload. */
    async function open(email: string | null, path: string): Promise<Page> {
      context = await browser.newContext({ viewport: { width: 1400, height: 900 }, javaScriptEnabled: js });
      const page = await context.newPage();
      if (email) {
        await page.goto(`${w.base}/login?next=${encodeURIComponent(path)}`);
        await page.fill('input[name=email]', email);
        await page.fill('input[name=password]', PASSWORD);
        await Promise.all([page.waitForURL((u) => u.pathname === path.split('?')[0]), page.click('form[action="/login"] button[type=submit]')]);
      } else await page.goto(`${w.base}${path}`);
      if (js) {
        await pageReady(page);
        await page.evaluate(() => {
          (window as unknown as { marker: number }).marker = 17;
        });
      }
      return page;
    }

    /** Clicks and waits for the answer to a POST to path; returns its status. */
    async function submit(page: Page, selector: string, path: RegExp): Promise<number> {
      const [res] = await Promise.all([page.waitForResponse((r) => r.request().method() === 'POST' && path.test(new URL(r.url()).pathname)), page.click(selector)]);
      await res.finished();
      return res.status();
    }

    /** The alert is on the page; with JS, in the same document (swapped by htmx, not reloaded). */
    async function shows(page: Page, text: string): Promise<void> {
      await page.locator('.alert.error', { hasText: text }).first().waitFor({ timeout: 5000 });
      if (js) expect(await page.evaluate(() => (window as unknown as { marker?: number }).marker), 'same document').to.equal(17);
    }

    async function cartWith(offerIndex: number, qty: string): Promise<Page> {
      const c = await w.signIn('a');
      expect((await c.post('/cart/add', { offerId: String(w.fx.offers[offerIndex]), qty, back: '/cart' })).status).to.equal(303);
      return open(w.fx.emails.a, '/cart');
    }

    it('place order with the stock gone: 409 and the cart naming the short line', async () => {
      const page = await cartWith(2, '2'); // SKU-003, 30 at Main
      await w.rt.db('stock').where({ offer_id: w.fx.offers[2]!, warehouse_id: w.fx.warehouses.main }).update({ quantity: '1.5' });
      expect(await submit(page, 'button.primary', /^\/checkout$/)).to.equal(409);
      await shows(page, 'Не хватает SKU-003 на складе Main: доступно 1,5, в корзине 2.');
      expect(await w.rt.db('orders').count('* as n').first()).to.deep.equal({ n: 0 });
    });

    it('a bad quantity in the cart: 422 and the cart saying why', async () => {
      const page = await cartWith(2, '1');
      await page.fill(`input[name=qty_${w.fx.offers[2]}]`, 'lots');
      expect(await submit(page, 'button[formaction="/cart/update"]:not([name])', /^\/cart\/update$/)).to.equal(422);
      await shows(page, '«lots» — не количество');
    });

    it('quick order with only refused lines: 422 naming the line', async () => {
      const page = await open(w.fx.emails.a, '/cart/quick');
      await page.fill('textarea[name=lines]', 'NO-SUCH-SKU\t1');
      expect(await submit(page, 'form[action="/cart/quick"] button[type=submit]', /^\/cart\/quick$/)).to.equal(422);
      await shows(page, 'неизвестный артикул «NO-SUCH-SKU»');
    });

    it('setting a password that does not match: 422 and the form again', async () => {
      const token = await issueToken(w.rt.db, w.fx.users.a, 'reset', 2);
      const page = await open(null, `/password/set/${token}`);
      await page.fill('input[name=password]', 'a long enough password');
      await page.fill('input[name=password2]', 'another long password');
      expect(await submit(page, 'form.stack button[type=submit]', /^\/password\/set\//)).to.equal(422);
      await shows(page, 'Пароли не совпадают.');
    });

    it('a console form refused: 422 and the settings naming the field', async () => {
      const page = await open(w.fx.emails.admin, '/console/settings');
      await page.fill('input[name=period]', 'many');
      expect(await submit(page, 'form[action="/console/settings"] button[type=submit]', /^\/console\/settings$/)).to.equal(422);
      await page.locator('.alert.error').first().waitFor();
      if (js) expect(await page.evaluate(() => (window as unknown as { marker?: number }).marker)).to.equal(17);
      expect(await page.inputValue('input[name=period]')).to.equal('many'); // what was typed stays
    });
  });
}
