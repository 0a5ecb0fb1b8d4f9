// Headless Chromium through the documents page: filter by kind, download one PDF (its text read
// back with pdfjs-dist), tick two documents and download them as one ZIP.
import fs from 'node:fs';
import { expect } from 'chai';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { launchBrowser, signInPage } from '../support/browser.ts';
import { pdfText } from '../support/pdf-text.ts';
import { PASSWORD, useWorld } from '../support/world.ts';

describe('e2e: documents in Chromium', function () {
  this.timeout(60_000);
  const w = useWorld();
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
    const s = { source_id: w.fx.sourceId, counterparty_id: w.fx.cp.aHead, amount: '2400.00', vat_amount: '400.00', status: 'Не оплачен' };
    const line = { name: 'Шуруповёрт Makita', quantity: '2', price: '1200.00', amount: '2400.00' };
    await w.rt.db('documents').insert([
      { ...s, external_id: 'e2e-1', kind: 'invoice', number: 'СЧ-000777', date: '2026-05-12', lines: JSON.stringify([line]) },
      { ...s, external_id: 'e2e-2', kind: 'shipment', number: 'РН-000778', date: '2026-05-13', lines: JSON.stringify([line]) },
    ]);
    ({ context, page } = await signInPage(browser, w.base, w.fx.emails.a, PASSWORD, '/documents'));
  });
  afterEach(async () => {
    await context?.close();
  });

  it('filters by kind, downloads a PDF with Cyrillic text, and a ZIP of the ticked documents', async () => {
    await page.selectOption('select[name=kind]', 'invoice');
    await Promise.all([page.waitForURL(/kind=invoice/), page.click('form.filters button[type=submit]')]);
    expect(await page.locator('tbody tr').count()).to.equal(1);
    const [pdf] = await Promise.all([page.waitForEvent('download'), page.click('a[href$=".pdf"]')]);
    expect(pdf.suggestedFilename()).to.equal('Счёт СЧ-000777 от 2026-05-12.pdf');
    const text = await pdfText(fs.readFileSync((await pdf.path())!));
    expect(text).to.contain('Счёт на оплату № СЧ-000777 от 12.05.2026');
    expect(text).to.contain('Шуруповёрт Makita');

    await page.goto(`${w.base}/documents`);
    for (const box of await page.locator('input[type=checkbox][name=id]').all()) await box.check();
    const [zip] = await Promise.all([page.waitForEvent('download'), page.click('button:has-text("Скачать отмеченные")')]);
    expect(zip.suggestedFilename()).to.equal('Документы.zip');
    expect(fs.readFileSync((await zip.path())!).subarray(0, 2).toString()).to.equal('PK');
  });
});
