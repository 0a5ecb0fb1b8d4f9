// Headless Chromium through /company, with JavaScript on and off: the owner invites an employee
// (the mail's link sets the password), restricts them to one legal entity, and revokes access.
import { expect } from 'chai';
import type { Browser } from 'playwright-core';
import type { OutgoingMail } from '../../src/store/shared/mail-port.ts';
import { createApp } from '../../src/web/app.ts';
import { launchBrowser } from '../support/browser.ts';
import { PASSWORD, useWorld } from '../support/world.ts';

describe('e2e: the company page in Chromium', function () {
  this.timeout(90_000);
  const sent: OutgoingMail[] = [];
  const w = useWorld({ app: (rt) => createApp(rt, [], { mail: { send: async (m) => void sent.push(m) } }) });
  let browser: Browser;

  before(async () => {
    browser = await launchBrowser();
  });
  after(async () => {
    await browser?.close();
  });
  beforeEach(() => {
    sent.length = 0;
  });

  for (const javaScriptEnabled of [true, false]) {
    it(`invite, restrict to one entity, revoke — JavaScript ${javaScriptEnabled ? 'on' : 'off'}`, async () => {
      const context = await browser.newContext({ viewport: { width: 1400, height: 900 }, javaScriptEnabled });
      try {
        const page = await context.newPage();
        await page.goto(`${w.base}/login?next=/company`);
        await page.fill('input[name=email]', w.fx.emails.a);
        await page.fill('input[name=password]', PASSWORD);
        await Promise.all([page.waitForURL((u) => u.pathname === '/company'), page.click('form[action="/login"] button[type=submit]')]);

        const invite = page.locator('#invite form');
        await invite.locator('input[name=email]').fill('olga@alpha.test');
        await invite.locator('input[name=name]').fill('Ольга');
        await invite.locator('select[name=companyRole]').selectOption('buyer');
        await invite.locator('input[name=orderLimit]').fill('50 000');
        await invite.locator('button[type=submit]').click();
        await page.getByText('Приглашение отправлено на olga@alpha.test.').waitFor();
        expect(sent.map((m) => m.to)).to.deep.equal(['olga@alpha.test']);
        const row = page.locator('tr', { hasText: 'olga@alpha.test' });
        expect((await row.textContent()) ?? '').to.contain('закупщик').and.contain('все юрлица').and.contain('50\u00a0000,00').and.contain('приглашён');

        // Only Alpha North.
        const emp = page.locator('section.employee', { hasText: 'olga@alpha.test' }).locator('form', { has: page.locator('select[name=companyRole]') });
        await emp.locator('input[name=scope][value=listed]').check();
        await emp.locator('label', { hasText: 'Alpha North LLC' }).locator('input').check();
        await emp.locator('button[type=submit]').click();
        await page.getByText('Изменения сохранены.').waitFor();
        expect((await page.locator('tr', { hasText: 'olga@alpha.test' }).textContent()) ?? '').to.contain('Alpha North LLC');

        await page.locator('section.employee', { hasText: 'olga@alpha.test' }).getByRole('button', { name: 'Отозвать доступ' }).click();
        await page.getByText('Доступ отозван: сотрудник вышел из кабинета.').waitFor();
        expect((await page.locator('tr', { hasText: 'olga@alpha.test' }).textContent()) ?? '').to.contain('доступ отозван');
      } finally {
        await context.close();
      }
    });
  }
});
