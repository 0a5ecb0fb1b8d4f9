// Chromium with JavaScript off: templates and draft carts are plain forms. A buyer saves the
// cart as a template, puts it aside as a draft, orders from the template again (a short line
// named on the cart page) and switches back to the draft.
import { expect } from 'chai';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { launchBrowser } from '../support/browser.ts';
import { PASSWORD, useWorld } from '../support/world.ts';

describe('e2e: templates and draft carts in Chromium without JavaScript', function () {
  this.timeout(60_000);
  const w = useWorld({ tables: ['orders', 'reservations'] });
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;

  const submit = async (selector: string, path: string) => {
    await Promise.all([page.waitForURL((u) => u.pathname === path), page.click(selector)]);
  };

  before(async () => {
    browser = await launchBrowser();
  });
  after(async () => {
    await browser?.close();
  });
  beforeEach(async () => {
    context = await browser.newContext({ javaScriptEnabled: false });
    page = await context.newPage();
    await page.goto(`${w.base}/login?next=%2Fcart%2Fquick`);
    await page.fill('input[name=email]', w.fx.emails.a);
    await page.fill('input[name=password]', PASSWORD);
    await submit('form[action="/login"] button[type=submit]', '/cart/quick');
  });
  afterEach(async () => {
    await context?.close();
  });

  it('saves a template, puts the cart aside, orders from the template and switches back', async () => {
    await page.fill('textarea[name=lines]', 'SKU-002\t4\nSKU-004\t2');
    await submit('form[action="/cart/quick"] button[type=submit]', '/cart/quick');
    await page.goto(`${w.base}/cart`);
    await submit('a[href="/templates#save"]', '/templates');
    await page.fill('form[action="/templates"] input[name=name]', 'Каждый понедельник');
    await Promise.all([page.waitForURL(/\/templates\/\d+$/), page.click('button:has-text("Сохранить шаблон")')]);
    expect(await page.locator('h1').textContent()).to.equal('Шаблон «Каждый понедельник»');
    expect(await page.locator('tbody tr').count()).to.equal(2);

    await page.goto(`${w.base}/carts`);
    await page.fill('form[action="/carts"] input[name=name]', 'Склад на Ленина');
    await submit('button:has-text("Отложить и начать новую")', '/carts');
    expect(await page.locator('main').textContent()).to.contain('0 строк.');
    expect(await page.locator('table.drafts tbody tr td').first().textContent()).to.equal('Склад на Ленина');

    // SKU-004 has run short since the template was saved
    await w.rt.db('stock').where({ offer_id: w.fx.offers[3] }).update({ quantity: '0.5' });
    await page.goto(`${w.base}/templates`);
    await submit('button:has-text("Заказать снова")', '/cart');
    const main = await page.locator('main').textContent();
    expect(main).to.contain('Из шаблона «Каждый понедельник» в корзину добавлено строк: 1.');
    expect(main).to.contain('SKU-004: Не хватает SKU-004: доступно 1,5, нужно 2.');
    expect(await page.locator('input[name^=qty_]').count()).to.equal(1);

    await page.goto(`${w.base}/carts`);
    await submit('button:has-text("Сделать текущей")', '/cart');
    expect(await page.locator('main').textContent()).to.contain('Открыта корзина «Склад на Ленина»; прежняя отложена как «Отложенная корзина».');
    expect(await page.locator('input[name^=qty_]').count()).to.equal(2);
  });
});
