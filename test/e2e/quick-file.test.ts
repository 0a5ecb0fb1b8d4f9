// Headless Chromium: a buyer picks an XLSX on the quick order page (the plain multipart form,
// no script needed), sees the per-line report and finds the lines in the cart; then a
// windows-1251 CSV that names no columns is refused on the same page.
import { expect } from 'chai';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { launchBrowser, signInPage } from '../support/browser.ts';
import { cp1251, xlsx } from '../support/quick-files.ts';
import { PASSWORD, useWorld } from '../support/world.ts';

describe('e2e: quick order from a file in Chromium', function () {
  this.timeout(60_000);
  const w = useWorld({ tables: ['orders', 'reservations'] });
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;

  before(async () => {
    browser = await launchBrowser();
  });
  after(async () => {
    await browser?.close();
  });
  beforeEach(async () => {
    ({ context, page } = await signInPage(browser, w.base, w.fx.emails.a, PASSWORD, '/cart/quick'));
  });
  afterEach(async () => {
    await context?.close();
  });

  it('uploads an XLSX, reports each line, and the cart has the good ones', async () => {
    const buffer = await xlsx([
      ['Артикул', 'Наименование', 'Количество'],
      ['SKU-002', 'Дрель', 3],
      ['SKU-999', 'Нет такого', 1],
    ]);
    await page.setInputFiles('input[type=file][name=file]', { name: 'заказ.xlsx', mimeType: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet', buffer });
    await Promise.all([page.waitForURL((u) => u.pathname === '/cart/quick/file'), page.click('button:has-text("Загрузить в корзину")')]);
    expect(await page.locator('[role=status]').textContent()).to.contain('Добавлена 1 строка.');
    expect(await page.locator('[role=alert] li').allInnerTexts()).to.deep.equal(['Строка 3: неизвестный артикул «SKU-999».']);
    await page.click('a[href="/cart"]');
    await page.waitForURL((u) => u.pathname === '/cart');
    expect(await page.inputValue('input[name^=qty_]')).to.equal('3');
    expect(await page.locator('form.cart > table > tbody > tr').count()).to.equal(1);
  });

  it('shows why a file is refused and keeps the form to try another', async () => {
    await page.setInputFiles('input[type=file][name=file]', { name: 'письмо.csv', mimeType: 'text/csv', buffer: cp1251('Добрый день;пришлите счёт\n') });
    await Promise.all([page.waitForURL((u) => u.pathname === '/cart/quick/file'), page.click('button:has-text("Загрузить в корзину")')]);
    expect(await page.locator('[role=alert]').textContent()).to.contain('письмо.csv: В файле не нашлись колонки');
    expect(await page.locator('input[type=file][name=file]').count()).to.equal(1);
  });
});
