// Headless Chromium: a buyer writes, the manager sees it live and answers, the buyer sees the
// answer live; the admin watches a sync's progress bar move.
import type { Worker } from 'bullmq';
import { expect } from 'chai';
import { syncFull } from '../../jobs/sync-full.ts';
import { type Simulator, startSimulator } from '../../sim/index.ts';
import { provideSecret } from '../../src/infra/config.ts';
import { startWorkers } from '../../src/app/roles/worker.ts';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { launchBrowser, pageReady, signInPage } from '../support/browser.ts';
import { waitFor } from '../support/wait.ts';
import { PASSWORD, useWorld } from '../support/world.ts';

describe('e2e: live messages and sync progress in Chromium', function () {
  this.timeout(60_000);
  const w = useWorld({ staff: true, tables: ['messages'] });
  let browser: Browser;
  let contexts: BrowserContext[] = [];

  async function signIn(email: string, next: string): Promise<Page> {
    const { context, page } = await signInPage(browser, w.base, email, PASSWORD, next);
    contexts.push(context);
    return page;
  }

  before(async () => {
    browser = await launchBrowser();
  });
  afterEach(async () => {
    for (const c of contexts) await c.close();
    contexts = [];
  });
  after(async () => {
    await browser?.close();
  });

  it('a buyer writes, the manager sees it live and answers, the buyer sees the answer live', async () => {
    const buyer = await signIn(w.fx.emails.a, '/messages');
    const manager = await signIn(w.fx.staffEmails.ivanov, `/manager/clients/${w.fx.clients.a}/messages`);
    // both pages hold an open SSE stream before anyone writes
    await pageReady(buyer);
    await pageReady(manager);

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
    expect(await w.rt.db('messages').whereNull('read_at').count('* as n').first()).to.deep.equal({ n: 0 });
  });

  it('the manager’s desk shows new unread messages live', async () => {
    const desk = await signIn(w.fx.staffEmails.ivanov, '/manager');
    const buyer = await signIn(w.fx.emails.a, '/messages');
    await pageReady(desk);
    await pageReady(buyer);
    for (const [i, text] of ['First question', 'Second question'].entries()) {
      await buyer.fill('#message-body', text);
      await buyer.click('.message-form button[type=submit]');
      await desk.locator(`#managed-clients tr[data-client="${w.fx.clients.a}"] [data-unread="${i + 1}"]`).waitFor({ timeout: 5000 });
    }
    // another client's manager hears nothing of it
    expect(await w.rt.db('messages').count('* as n').first()).to.deep.equal({ n: 2 });
    await Promise.all([desk.waitForURL(/\/messages$/), desk.click(`#managed-clients tr[data-client="${w.fx.clients.a}"] a`)]);
    await desk.locator('#thread .msg.theirs', { hasText: 'Second question' }).waitFor();
  });

  it('the admin watches a running sync’s progress bar move', async () => {
    const [run] = await w.rt.db('sync_runs').insert({ source_id: w.fx.sourceId, kind: 'full', mode: 'full', progress: { done: 10, total: 100 } }).returning('id');
    const admin = await signIn(w.fx.emails.admin, '/console/sources');
    const bar = admin.locator(`tr[data-run="${run.id}"] progress.sync-progress`);
    expect(await bar.getAttribute('value')).to.equal('10');
    await w.rt.db('sync_runs').where({ id: run.id }).update({ progress: { done: 55, total: 100, message: 'stock' } });
    await admin.waitForFunction((id) => document.querySelector(`tr[data-run="${id}"] progress`)?.getAttribute('value') === '55', run.id, { timeout: 5000 });
    await w.rt.db('sync_runs').where({ id: run.id }).update({ state: 'succeeded', finished_at: new Date(), counts: { prices: { inserted: 7, updated: 0, deleted: 0, unchanged: 0, received: 7, unknownRefs: 0 } } });
    await admin.locator(`tr[data-run="${run.id}"]`, { hasText: 'новых 7' }).waitFor({ timeout: 5000 });
    expect(await admin.locator(`tr[data-run="${run.id}"] progress`).count()).to.equal(0);
  });

  it('the admin clicks "run full now" and watches a real sync of the simulator progress', async () => {
    const sim: Simulator = await startSimulator({ dataset: { products: 120, counterparties: 8 }, credentials: { username: 'exchange', password: 'e2e-pw' } });
    provideSecret('SIM_SOAP_USER', 'exchange');
    provideSecret('SIM_SOAP_PASSWORD', 'e2e-pw');
    sim.faults.set({ kind: 'latency', ms: 350 }); // slow enough to see the bar between polls
    let workers: Worker[] = [];
    try {
      await w.rt.db('sources').insert({ name: 'erp', kind: 'soap', settings: { mapping: 'connectors/mappings/simulator.yaml', endpoint: sim.url } });
      workers = await startWorkers(w.rt, [syncFull]);
      const admin = await signIn(w.fx.emails.admin, '/console/sources');
      await Promise.all([admin.waitForURL(/watch=/), admin.click('section[data-source="erp"] form:has(input[value=full]) button')]);
      const seen = new Set<string>();
      // Sample the bar until the run ends: its cell (value, "done / total", the call being read)
      // changes as the sync goes.
      const finished = await waitFor(
        async () => {
          const cell = admin.locator('section[data-source="erp"] td:has(progress.sync-progress)').first();
          const v = (await cell.count()) ? await cell.textContent({ timeout: 200 }).catch(() => null) : null;
          if (v) seen.add(`${await cell.locator('progress').getAttribute('value').catch(() => '')} ${v.replace(/\s+/g, ' ').trim()}`);
          return (await w.rt.db('sync_runs').whereNot({ state: 'running' }).first('state', 'counts')) as { state: string; counts: Record<string, { inserted: number }> } | undefined;
        },
        { what: 'the full sync run to end', timeout: 30_000, every: 100 },
      );
      expect(finished.state).to.equal('succeeded');
      expect(finished.counts.products!.inserted).to.equal(120);
      expect(seen.size, `progress seen: ${[...seen].join(' | ')}`).to.be.greaterThan(1);
      await admin.locator('section[data-source="erp"] tr.state-succeeded').waitFor({ timeout: 5000 });
    } finally {
      for (const w of workers) await w.close();
      await sim.stop();
    }
  });
});
