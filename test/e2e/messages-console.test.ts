// Headless Chromium: a buyer writes, the manager sees it live and answers, the buyer sees the
// answer live; the admin watches a sync's progress bar move.
import { expect } from 'chai';
import { type Browser, type BrowserContext, chromium, type Page } from 'playwright-core';
import type { Runtime } from '../../src/runtime.ts';
import { createApp } from '../../src/web/app.ts';
import { deleteKeys } from '../support/redis-cleanup.ts';
import { testRuntime, truncate } from '../support/runtime.ts';
import { PASSWORD, type StaffFixture, staffFixture } from '../support/staff-fixtures.ts';
import { listen } from '../support/web-client.ts';

const ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'];

describe('e2e: live messages and sync progress in Chromium', function () {
  this.timeout(60_000);
  let rt: Runtime;
  let srv: Awaited<ReturnType<typeof listen>>;
  let fx: StaffFixture;
  let browser: Browser;
  const contexts: BrowserContext[] = [];

  async function signIn(email: string, next: string): Promise<Page> {
    const ctx = await browser.newContext();
    contexts.push(ctx);
    const page = await ctx.newPage();
    await page.goto(`${srv.base}/login?next=${encodeURIComponent(next)}`);
    await page.fill('input[name=email]', email);
    await page.fill('input[name=password]', PASSWORD);
    await Promise.all([page.waitForURL((u) => u.pathname === next.split('?')[0]), page.click('button[type=submit]')]);
    return page;
  }

  before(async () => {
    rt = await testRuntime();
    srv = await listen(createApp(rt));
    browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ARGS });
  });
  after(async () => {
    for (const c of contexts) await c.close().catch(() => {});
    await browser?.close();
    await srv.close();
  });
  beforeEach(async () => {
    await truncate(rt, 'sources', 'users', 'clients', 'sessions', 'messages');
    await deleteKeys(rt.redisUrl, `${rt.prefix}:login`);
    fx = await staffFixture(rt.db);
  });

  it('a buyer writes, the manager sees it live and answers, the buyer sees the answer live', async () => {
    const buyer = await signIn(fx.emails.a, '/messages');
    const manager = await signIn(fx.staffEmails.ivanov, `/manager/clients/${fx.clients.a}/messages`);
    // both pages hold an open SSE stream before anyone writes
    await buyer.waitForFunction(() => (window as unknown as { htmx?: unknown }).htmx !== undefined);
    await manager.waitForFunction(() => (window as unknown as { htmx?: unknown }).htmx !== undefined);
    await new Promise((r) => setTimeout(r, 300));

    await buyer.fill('#message-body', 'Do you have 40 drills in stock?');
    await buyer.click('.message-form button[type=submit]');
    await buyer.locator('#thread .msg.mine', { hasText: 'Do you have 40 drills in stock?' }).waitFor({ timeout: 5000 });
    expect(await buyer.inputValue('#message-body')).to.equal(''); // the form was reset, the page not reloaded

    await manager.locator('#thread .msg.theirs', { hasText: 'Do you have 40 drills in stock?' }).waitFor({ timeout: 5000 });
    await manager.fill('#message-body', 'Yes, 52 on the main warehouse.');
    await manager.click('.message-form button[type=submit]');

    await buyer.locator('#thread .msg.theirs', { hasText: 'Yes, 52 on the main warehouse.' }).waitFor({ timeout: 5000 });
    // the manager read the question live: the buyer's own message shows "read" after the read event
    await buyer.locator('#thread .msg.mine .read').waitFor({ timeout: 5000 });
    expect(await rt.db('messages').whereNull('read_at').count('* as n').first()).to.deep.equal({ n: 0 });
  });

  it('the admin watches a running sync’s progress bar move', async () => {
    const [run] = await rt.db('sync_runs').insert({ source_id: fx.sourceId, kind: 'full', mode: 'full', progress: { done: 10, total: 100 } }).returning('id');
    const admin = await signIn(fx.emails.admin, '/console/sources');
    const bar = admin.locator(`tr[data-run="${run.id}"] progress.sync-progress`);
    expect(await bar.getAttribute('value')).to.equal('10');
    await rt.db('sync_runs').where({ id: run.id }).update({ progress: { done: 55, total: 100, message: 'stock' } });
    await admin.waitForFunction((id) => document.querySelector(`tr[data-run="${id}"] progress`)?.getAttribute('value') === '55', run.id, { timeout: 5000 });
    await rt.db('sync_runs').where({ id: run.id }).update({ state: 'succeeded', finished_at: new Date(), counts: { prices: { inserted: 7, updated: 0, deleted: 0, unchanged: 0, received: 7, unknownRefs: 0 } } });
    await admin.locator(`tr[data-run="${run.id}"]`, { hasText: 'inserted 7' }).waitFor({ timeout: 5000 });
    expect(await admin.locator(`tr[data-run="${run.id}"] progress`).count()).to.equal(0);
  });
});
