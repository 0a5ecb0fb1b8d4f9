// The page walk of test/e2e/pages-*.test.ts: the demo on a simulator with 12 warehouses (synced
// over SOAP, the demo's accounts and content), and a walk that signs in, opens each page at
// 1400 and 390 px, runs axe-core and the form checks axe does not make at 1400, checks that
// nothing scrolls sideways at 390, and writes a screenshot of each to test-artifacts/pages/
// (committed, so a reviewer can look at the pages without running anything).
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect } from 'chai';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import sharp from 'sharp';
import type { Simulator } from '../../sim/index.ts';
import { ensureDemoAccounts } from '../../src/demo/accounts.ts';
import { ensureDemoContent } from '../../src/demo/content.ts';
import { resetCaches } from '../../src/infra/caches.ts';
import type { Runtime } from '../../src/infra/runtime.ts';
import { runFullSync, soapSourceRow } from '../../src/sources/soap-source.ts';
import { createApp } from '../../src/web/app.ts';
import { launchBrowser, pageReady } from './browser.ts';
import { deleteKeys } from './redis-cleanup.ts';
import { testRuntime, truncate } from './runtime.ts';
import { simSource } from './sim-source.ts';
import { listen } from './web-client.ts';

const artifacts = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../test-artifacts/pages');
const axeSource = fs.readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');
const WIDTHS = [1400, 390] as const;

export interface PageWorld {
  rt: Runtime;
  base: string;
  browser: Browser;
  /** Ids the page URLs need: the demo buyer's client, an offer, a completed order, the quote, a news item. */
  ids: { client: number; offer: number; order: number; quote: number; news: number };
  close(): Promise<void>;
}

export async function pageWorld(): Promise<PageWorld> {
  const rt = await testRuntime();
  await truncate(rt, 'sources', 'users', 'clients', 'sessions', 'orders', 'outbox', 'news', 'messages', 'quotes', 'settings');
  await deleteKeys(rt.redisUrl, `${rt.prefix}:login`);
  resetCaches();
  fs.mkdirSync(artifacts, { recursive: true });
  const { sim }: { sim: Simulator } = await simSource(rt, 'sim', { products: 30, counterparties: 12, priceTypes: 4, warehouses: 12, partnerWarehouses: 3, managers: 2 });
  await runFullSync(rt, await soapSourceRow(rt, 'sim'));
  const accounts = await ensureDemoAccounts(rt);
  await ensureDemoContent(rt, sim, 'sim');
  const srv = await listen(createApp(rt, [], { mail: { send: async () => undefined }, demoAccounts: accounts }));
  const browser = await launchBrowser();
  const client = (await rt.db('users').where({ email: 'buyer@demo.local' }).first('client_id'))!.client_id!;
  // The demo's content is there: the walk looks at a lively cabinet, not at empty lists.
  const order = await rt.db('orders').where({ client_id: client, status: 'completed' }).first('id');
  expect(order, 'a demo order the accounting system completed').to.not.equal(undefined);
  const ids = {
    client,
    offer: (await rt.db('offers').where({ deleted: false }).orderBy('id').first('id'))!.id,
    order: order!.id,
    quote: (await rt.db('quotes').where({ client_id: client }).first('id'))!.id,
    news: (await rt.db('news').orderBy('id').first('id'))!.id,
  };
  return {
    rt, base: srv.base, browser, ids,
    async close() {
      await browser.close();
      await srv.close();
      await sim.stop();
    },
  };
}

interface AxeViolation { id: string; impact: string | null; help: string; nodes: { target: string[] }[] }

/** axe-core in the page (evaluated over CDP, so the page's strict CSP stays as it is). */
async function seriousViolations(page: Page): Promise<AxeViolation[]> {
  if (!(await page.evaluate(() => 'axe' in window))) await page.evaluate(axeSource);
  const violations = await page.evaluate(async () => {
    const axe = (window as unknown as { axe: { run: (ctx: Document, o: object) => Promise<{ violations: AxeViolation[] }> } }).axe;
    return (await axe.run(document, { resultTypes: ['violations'] })).violations;
  });
  return violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
}

/**
 * What axe lets pass: a field named only by its placeholder (axe counts the placeholder as a
 * name), and a select that submits its form on change without saying so.
 */
async function formProblems(page: Page): Promise<string[]> {
  return page.evaluate(() => {
    const out: string[] = [];
    for (const el of document.querySelectorAll('input, select, textarea')) {
      const f = el as HTMLInputElement;
      if (['hidden', 'submit', 'button', 'reset'].includes(f.type)) continue;
      const named = (f.labels?.length ?? 0) > 0 || f.hasAttribute('aria-label') || f.hasAttribute('aria-labelledby') || f.hasAttribute('title');
      if (!named) out.push(`${f.tagName.toLowerCase()}[name=${f.name}] has no label${f.placeholder ? ' (only a placeholder)' : ''}`);
    }
    for (const el of document.querySelectorAll('select[data-autosubmit]')) {
      const hint = (el.getAttribute('aria-describedby') ?? '').split(/\s+/).map((id) => document.getElementById(id)?.textContent?.trim()).join('');
      if (!hint) out.push(`select[name=${el.getAttribute('name')}] submits on change without a description saying so`);
    }
    return out;
  });
}

export async function walkPages(w: PageWorld, who: string | null, pages: [name: string, url: string][]): Promise<string[]> {
  const problems: string[] = [];
  for (const width of WIDTHS) {
    const context: BrowserContext = await w.browser.newContext({ viewport: { width, height: width > 800 ? 900 : 844 } });
    const page = await context.newPage();
    try {
      if (who) {
        await page.goto(`${w.base}/login`);
        await page.fill('input[name=email]', who);
        await page.fill('input[name=password]', 'demo-password');
        await Promise.all([page.waitForURL((u) => u.pathname !== '/login'), page.click('form[action="/login"] button[type=submit]')]);
      }
      for (const [name, url] of pages) {
        if (process.env.PAGES_ONLY && !url.startsWith(process.env.PAGES_ONLY)) continue;
        const t0 = Date.now();
        const res = await page.goto(`${w.base}${url}`);
        expect(res?.status(), `${url} as ${who ?? 'a visitor'}`).to.be.lessThan(400);
        await pageReady(page).catch((e: Error) => { throw new Error(`${url}: ${e.message}`); });
        if (width === WIDTHS[0]) {
          for (const v of await seriousViolations(page)) {
            problems.push(`${url} [${v.impact}] ${v.id}: ${v.help} — ${v.nodes.slice(0, 3).map((n) => n.target.join(' ')).join(', ')}`);
          }
          for (const p of await formProblems(page)) problems.push(`${url}: ${p}`);
        } else {
          const overflow = await page.evaluate(() => {
            const w = document.documentElement.clientWidth;
            const by = document.documentElement.scrollWidth - w;
            // The elements that stick out of the page (not those inside a box that scrolls or clips).
            // No named inner functions: the test loader would wrap them in a helper the page lacks.
            const out: string[] = [];
            for (const e of document.querySelectorAll('body *')) {
              const r = e.getBoundingClientRect();
              let clipped = false;
              for (let p = e.parentElement; p && p !== document.body; p = p.parentElement) if (getComputedStyle(p).overflowX !== 'visible') clipped = true;
              if (r.right > w + 1 && !clipped) out.push(`${e.tagName.toLowerCase()}${[...e.classList].map((c) => `.${c}`).join('')} «${(e.textContent ?? '').trim().slice(0, 30)}» ${Math.round(r.width)} px`);
            }
            return { by, what: out.slice(-3) };
          });
          if (overflow.by > 0) problems.push(`${url} at ${width} px scrolls sideways by ${overflow.by} px: ${overflow.what.join(', ')}`);
        }
        // The whole page, cut at 2400 px: the layout shows, the files stay small.
        const height = Math.min(2400, await page.evaluate(() => document.documentElement.scrollHeight));
        const png = await page.screenshot({ fullPage: true, clip: { x: 0, y: 0, width, height } });
        // A palette PNG: a third of the size, still sharp for text and lines.
        await sharp(png).png({ palette: true, compressionLevel: 9, effort: 4 }).toFile(path.join(artifacts, `${name}-${width}.png`));
        if (process.env.PAGES_TIMING) console.log(width, url, Date.now() - t0);
      }
    } finally {
      await context.close();
    }
  }
  return problems;
}
