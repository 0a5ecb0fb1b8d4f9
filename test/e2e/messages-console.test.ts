// Headless Chromium: a buyer writes, the manager sees it live and answers, the buyer sees the
// answer live; the admin watches a sync's progress bar move.
import type { Worker } from 'bullmq';
import { expect } from 'chai';
import { syncFull } from '../../jobs/sync-full.ts';
import { type Simulator, startSimulator } from '../../sim/index.ts';
import { provideSecret } from '../../src/infra/config.ts';
import { startWorkers } from '../../src/app/roles/worker.ts';
import { type Browser, type BrowserContext, chromium, type Page } from 'playwright-core';
import type { Runtime } from '../../src/infra/runtime.ts';
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

  it('the manager’s desk shows new unread messages live', async () => {
    const desk = await signIn(fx.staffEmails.ivanov, '/manager');
    const buyer = await signIn(fx.emails.a, '/messages');
    await new Promise((r) => setTimeout(r, 300));
    for (const [i, text] of ['First question', 'Second question'].entries()) {
      await buyer.fill('#message-body', text);
      await buyer.click('.message-form button[type=submit]');
      await desk.locator(`#managed-clients tr[data-client="${fx.clients.a}"] [data-unread="${i + 1}"]`).waitFor({ timeout: 5000 });
    }
    // another client's manager hears nothing of it
    expect(await rt.db('messages').count('* as n').first()).to.deep.equal({ n: 2 });
    await Promise.all([desk.waitForURL(/\/messages$/), desk.click(`#managed-clients tr[data-client="${fx.clients.a}"] a`)]);
    await desk.locator('#thread .msg.theirs', { hasText: 'Second question' }).waitFor();
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

  it('the admin clicks "run full now" and watches a real sync of the simulator progress', async () => {
    const sim: Simulator = await startSimulator({ dataset: { products: 120, counterparties: 8 }, credentials: { username: 'exchange', password: 'e2e-pw' } });
    provideSecret('SIM_SOAP_USER', 'exchange');
    provideSecret('SIM_SOAP_PASSWORD', 'e2e-pw');
    sim.faults.set({ kind: 'latency', ms: 350 }); // slow enough to see the bar between polls
    let workers: Worker[] = [];
    try {
      await rt.db('sources').insert({ name: 'erp', kind: 'soap', settings: { mapping: 'connectors/mappings/simulator.yaml', endpoint: sim.url } });
      workers = await startWorkers(rt, [syncFull as never]);
      const admin = await signIn(fx.emails.admin, '/console/sources');
      await Promise.all([admin.waitForURL(/watch=/), admin.click('section[data-source="erp"] form:has(input[value=full]) button')]);
      const seen = new Set<string>();
      const deadline = Date.now() + 30_000;
      let finished: { state: string; counts: Record<string, { inserted: number }> } | undefined;
      while (Date.now() < deadline) {
        // the bar's cell: value, "done / total" and the call being read; it changes as the sync goes
        const cell = admin.locator('section[data-source="erp"] td:has(progress.sync-progress)').first();
        const v = (await cell.count()) ? await cell.textContent({ timeout: 200 }).catch(() => null) : null;
        if (v) seen.add(`${await cell.locator('progress').getAttribute('value').catch(() => '')} ${v.replace(/\s+/g, ' ').trim()}`);
        finished = await rt.db('sync_runs').whereNot({ state: 'running' }).first('state', 'counts');
        if (finished) break;
        await new Promise((r) => setTimeout(r, 100));
      }
      expect(finished?.state).to.equal('succeeded');
      expect(finished!.counts.products!.inserted).to.equal(120);
      expect(seen.size, `progress seen: ${[...seen].join(' | ')}`).to.be.greaterThan(1);
      await admin.locator('section[data-source="erp"] tr.state-succeeded').waitFor({ timeout: 5000 });
    } finally {
      for (const w of workers) await w.close();
      await sim.stop();
    }
  });
});
