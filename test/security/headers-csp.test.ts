// Issue 12 #5: security headers and a strict CSP. Headers over HTTP; in Chromium the cart,
// catalog, and messages pages run their JS behaviours with no CSP violation, and another origin
// cannot frame the cart.
import fs from 'node:fs';
import path from 'node:path';
import { expect } from 'chai';
import { type Browser, chromium, type Page } from 'playwright-core';
import type { Runtime } from '../../src/infra/runtime.ts';
import { repoRoot } from '../../src/infra/paths.ts';
import { invalidateWarehouses } from '../../src/store/catalog/availability.ts';
import { invalidateGroups } from '../../src/store/catalog/catalog.ts';
import { createNews, NEWS_KINDS } from '../../src/store/news/news.ts';
import { queueBoard } from '../../src/app/roles/console-services.ts';
import { createApp } from '../../src/web/app.ts';
import { PASSWORD, type StoreFixture, storeFixture } from '../support/mirror-fixtures.ts';
import { deleteKeys } from '../support/redis-cleanup.ts';
import { testRuntime, truncate } from '../support/runtime.ts';
import { until } from '../support/wait.ts';
import { listen, WebClient } from '../support/web-client.ts';

const ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'];

function viewFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? viewFiles(path.join(dir, e.name)) : e.name.endsWith('.hbs') ? [path.join(dir, e.name)] : []));
}

describe('security: headers and a strict CSP', function () {
  this.timeout(60_000);
  let rt: Runtime;
  let srv: Awaited<ReturnType<typeof listen>>;
  let fx: StoreFixture;

  before(async () => {
    rt = await testRuntime();
    srv = await listen(createApp(rt, [], { console: { queueBoard: queueBoard(rt) } })); // the board as the roles wire it
    await truncate(rt, 'sources', 'users', 'clients', 'sessions', 'messages');
    await deleteKeys(rt.redisUrl, `${rt.prefix}:login`);
    invalidateWarehouses(rt.db);
    invalidateGroups(rt.db);
    fx = await storeFixture(rt.db);
  });
  after(() => srv.close());

  it('sends CSP, frame, nosniff, referrer and HSTS headers; signed-in pages are not cacheable', async () => {
    const a = new WebClient(srv.base);
    await a.login(fx.emails.a, PASSWORD);
    for (const p of ['/cart', '/catalog', '/login', '/static/app.css']) {
      const h = (await a.get(p)).res.headers;
      const csp = h.get('content-security-policy') ?? '';
      expect(csp, p).to.contain("script-src 'self'").and.contain("frame-ancestors 'none'").and.contain("script-src-attr 'none'").and.contain("object-src 'none'");
      expect(csp, p).not.to.contain('unsafe-inline');
      expect(csp, p).not.to.contain('unsafe-eval');
      expect(h.get('x-frame-options'), p).to.equal('DENY');
      expect(h.get('x-content-type-options'), p).to.equal('nosniff');
      expect(h.get('referrer-policy'), p).to.equal('same-origin');
      expect(h.get('strict-transport-security'), p).to.match(/max-age=\d{7,}/);
    }
    for (const p of ['/cart', '/catalog', '/orders', '/login']) expect((await a.get(p)).res.headers.get('cache-control'), p).to.equal('no-store');
  });

  it('has no inline scripts or inline event handlers in any view', () => {
    for (const f of viewFiles(path.join(repoRoot, 'views'))) {
      const src = fs.readFileSync(f, 'utf8');
      const rel = path.relative(repoRoot, f);
      expect(src, rel).not.to.match(/\son[a-z]+\s*=/i);
      expect(src, rel).not.to.match(/\shx-on[:-]/i);
      expect(src, rel).not.to.match(/<script(?![^>]*\ssrc=)[^>]*>/i);
      expect(src, rel).not.to.match(/javascript:/i);
    }
  });

  describe('in Chromium', () => {
    let browser: Browser;
    let page: Page;
    const violations: string[] = [];

    before(async () => {
      browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ARGS });
      page = await (await browser.newContext()).newPage();
      page.on('console', (m) => {
        if (/Content Security Policy/i.test(m.text())) violations.push(`console: ${m.text()}`);
      });
      page.on('pageerror', (e) => violations.push(`pageerror: ${e.message}`));
      await page.exposeFunction('__cspViolation', (v: string) => violations.push(`event: ${v}`));
      await page.addInitScript(() => {
        document.addEventListener('securitypolicyviolation', (e) => {
          (window as unknown as { __cspViolation(v: string): void }).__cspViolation(`${e.violatedDirective} ${e.blockedURI} ${e.sample}`);
        });
      });
    });
    after(() => browser?.close());

    it('signs in, adds to cart, switches the counterparty and opens the cart without a CSP violation', async () => {
      await page.goto(`${srv.base}/login`);
      await page.fill('input[name=email]', fx.emails.a);
      await page.fill('input[name=password]', PASSWORD);
      await Promise.all([page.waitForURL((u) => u.pathname === '/catalog'), page.click('form[action="/login"] button[type=submit]')]);
      // htmx runs (no eval needed): the add form posts in the background and shows its message.
      const row = page.locator(`#o${fx.offers[2]}`);
      await row.locator('button[type=submit]', { hasText: 'В корзину' }).click();
      await row.locator('.add-msg').filter({ hasText: /\S/ }).waitFor();
      // The filter form submits on change (hx-trigger) and pushes the URL.
      await page.check('input[name=stock]');
      await page.waitForURL(/stock=1/);
      // The counterparty switcher submits on change (public/app.js data-autosubmit).
      await page.selectOption('select[name=counterpartyId]', String(fx.cp.aChild));
      await page.waitForFunction((id) => document.querySelector('select[name=counterpartyId] option[selected]')?.getAttribute('value') === id, String(fx.cp.aChild));
      expect(Number((await rt.db('users').where({ id: fx.users.a }).first('current_counterparty_id'))!.current_counterparty_id)).to.equal(fx.cp.aChild);
      await page.selectOption('select[name=counterpartyId]', String(fx.cp.aHead));
      await page.waitForFunction((id) => document.querySelector('select[name=counterpartyId] option[selected]')?.getAttribute('value') === id, String(fx.cp.aHead));
      await page.goto(`${srv.base}/cart`);
      await page.locator('button.primary', { hasText: 'Оформить заказ' }).waitFor();
      expect(violations).to.deep.equal([]);
    });

    it('resets the message form after a successful send (data-reset-on-success)', async () => {
      await page.goto(`${srv.base}/messages`);
      await page.fill('#message-body', 'Hello from the CSP test');
      await page.click('.message-form button[type=submit]');
      await page.locator('#thread', { hasText: 'Hello from the CSP test' }).waitFor();
      await page.waitForFunction(() => (document.querySelector('#message-body') as HTMLTextAreaElement).value === '');
      expect(violations).to.deep.equal([]);
    });

    it('asks before deleting a news item in the console (data-confirm): "no" keeps it, "yes" deletes it', async () => {
      const id = await createNews(rt.db, { kind: NEWS_KINDS[0], title: 'CSP probe item' });
      const ctx = await browser.newContext();
      const admin = await ctx.newPage();
      admin.on('console', (m) => {
        if (/Content Security Policy/i.test(m.text())) violations.push(`console: ${m.text()}`);
      });
      await admin.goto(`${srv.base}/login`);
      await admin.fill('input[name=email]', fx.emails.admin);
      await admin.fill('input[name=password]', PASSWORD);
      await Promise.all([admin.waitForURL((u) => u.pathname !== '/login'), admin.click('form[action="/login"] button[type=submit]')]);
      await admin.goto(`${srv.base}/console/news`);
      const del = admin.locator(`form[action="/console/news/${id}/delete"] button`);
      const posts: string[] = [];
      admin.on('request', (r) => {
        if (r.method() === 'POST' && r.url().endsWith(`/console/news/${id}/delete`)) posts.push(r.url());
      });
      const questions: string[] = [];
      admin.once('dialog', (d) => {
        questions.push(d.message());
        void d.dismiss();
      });
      await del.click();
      await until(() => questions.length === 1, 'the confirm dialog');
      expect(questions[0]).to.equal('Удалить эту новость?');
      // A request after the click has gone through the browser: a delete post would be seen by now.
      expect(await admin.evaluate(() => fetch('/console/news').then((r) => r.status))).to.equal(200);
      expect(posts).to.deep.equal([]);
      expect(await rt.db('news').where({ id }).first('id')).to.not.equal(undefined);
      admin.once('dialog', (d) => void d.accept());
      await del.click();
      await until(async () => !(await rt.db('news').where({ id }).first('id')), 'the item deleted');
      // The queue board (bull-board's prebuilt UI) runs under the same script policy.
      await admin.goto(`${srv.base}/console/queues`);
      await admin.getByText('Counterpart queues').first().waitFor();
      await ctx.close();
      expect(violations).to.deep.equal([]);
    });

    it('blocks an inline handler and reports it (the detector works), and refuses to be framed', async () => {
      await page.goto(`${srv.base}/cart`);
      await page.evaluate(() => {
        const b = document.createElement('button');
        b.id = 'inline-probe';
        b.setAttribute('onclick', 'document.title = "pwned"');
        document.body.append(b);
      });
      await page.click('#inline-probe');
      expect(await page.title()).not.to.equal('pwned');
      await until(() => violations.some((v) => /script-src-attr|inline event handler/i.test(v)), 'the inline handler is reported');
      violations.length = 0;
      // Another origin frames the signed-in cart: the frame stays empty.
      const other = await page.context().newPage();
      const blocked: string[] = [];
      other.on('console', (m) => void blocked.push(m.text()));
      await other.setContent(`<iframe id="f" src="${srv.base}/cart"></iframe>`);
      await until(() => blocked.some((t) => /frame-ancestors/.test(t)), 'the browser refuses to frame the cart');
      const frame = other.frames().find((f) => f !== other.mainFrame());
      const buttons = frame ? await frame.locator('button.primary').count().catch(() => 0) : 0;
      expect(buttons).to.equal(0);
      await other.close();
    });
  });
});
