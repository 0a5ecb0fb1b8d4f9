// Headless Chromium through the whole store, on a mirror synced from the simulator over SOAP:
// sign in, switch counterparty (prices change), the three views, a filter, a live stock cell,
// quick order, checkout, the order reaching the simulator exactly once, and its status coming
// back. Screenshots of each view go to test-artifacts/.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect } from 'chai';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { exportDueOrders } from '../../jobs/orders-export.ts';
import { pullOrderStatuses } from '../../jobs/orders-status.ts';
import { runFullSync, soapSourceRow } from '../../src/sources/soap-source.ts';
import type { Simulator } from '../../sim/index.ts';
import type { Runtime } from '../../src/infra/runtime.ts';
import { invalidateWarehouses } from '../../src/store/catalog/availability.ts';
import { outboxLetters } from '../support/mail-outbox.ts';
import { invalidateGroups } from '../../src/store/catalog/catalog.ts';
import { pricesFor } from '../../src/store/pricing/pricing.ts';
import { createUser } from '../../src/store/accounts/users.ts';
import { applyBatch } from '../../src/sync/index.ts';
import { createApp } from '../../src/web/app.ts';
import { launchBrowser, pageReady, signInPage } from '../support/browser.ts';
import { deleteKeys } from '../support/redis-cleanup.ts';
import { testRuntime, truncate } from '../support/runtime.ts';
import { simSource } from '../support/sim-source.ts';
import { listen } from '../support/web-client.ts';

const artifacts = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../test-artifacts');
const PASSWORD = 'e2e buyer password';

// The mirror is synced once for the file; each test then works on its own signed-in page (the
// buyer's view and counterparty are set where a test needs them), so any test runs alone.
describe('e2e: the buyer’s store in Chromium (simulator → SOAP sync → store → order → simulator)', function () {
  this.timeout(90_000);
  let rt: Runtime;
  let srv: Awaited<ReturnType<typeof listen>>;
  let sim: Simulator;
  let browser: Browser;
  let context: BrowserContext | undefined;
  let page: Page;
  let client: { id: number; cps: { id: number; name: string }[] };

  const shot = (name: string) => page.screenshot({ path: path.join(artifacts, `store-${name}.png`), fullPage: true });
  const cellText = (sel: string) => page.locator(sel).first().textContent();

  before(async () => {
    rt = await testRuntime();
    await truncate(rt, 'sources', 'users', 'clients', 'sessions', 'orders', 'outbox', 'mail_outbox');
    await deleteKeys(rt.redisUrl, `${rt.prefix}:login`);
    invalidateWarehouses(rt.db);
    invalidateGroups(rt.db);
    fs.mkdirSync(artifacts, { recursive: true });
    ({ sim } = await simSource(rt, 'sim', { products: 80, counterparties: 20, priceTypes: 4, warehouses: 4, partnerWarehouses: 1, managers: 2 }));
    await runFullSync(rt, await soapSourceRow(rt, 'sim')); // also seeds clients from head links
    const { rows } = await rt.db.raw(
      `SELECT cc.client_id, json_agg(json_build_object('id', c.id, 'name', c.name) ORDER BY c.name, c.id) AS cps
         FROM client_counterparties cc JOIN counterparties c ON c.id = cc.counterparty_id AND NOT c.deleted
        GROUP BY cc.client_id HAVING count(*) >= 2 ORDER BY cc.client_id LIMIT 1`,
    );
    expect(rows, 'the simulator data has a client with two legal entities').to.have.length(1);
    client = { id: rows[0].client_id, cps: rows[0].cps };
    await createUser(rt.db, { email: 'e2e@buyer.test', role: 'buyer', clientId: client.id, password: PASSWORD });
    srv = await listen(createApp(rt, [], { mail: { send: async () => undefined } }));
    browser = await launchBrowser();
  });
  beforeEach(async () => {
    // The buyer starts on the table view of the head counterparty.
    await rt.db('users').where({ email: 'e2e@buyer.test' }).update({ preferences: {} });
    ({ context, page } = await signInPage(browser, srv.base, 'e2e@buyer.test', PASSWORD, '/catalog', { width: 1400, height: 900 }));
  });
  afterEach(async () => {
    await context?.close();
    context = undefined;
  });
  after(async () => {
    await browser?.close();
    await srv?.close();
    await sim?.stop();
  });

  it('signs in and shows the dense table with prices and stock per warehouse', async () => {
    await context?.close(); // this one signs in itself, from the redirect to /login
    context = await browser.newContext({ viewport: { width: 1400, height: 900 } });
    page = await context.newPage();
    await page.goto(`${srv.base}/catalog`);
    expect(new URL(page.url()).pathname).to.equal('/login');
    await page.fill('input[name=email]', 'e2e@buyer.test');
    await page.fill('input[name=password]', PASSWORD);
    await Promise.all([page.waitForURL((u) => u.pathname === '/catalog'), page.click('form[action="/login"] button[type=submit]')]);
    await page.locator('table.catalog-table tbody tr').first().waitFor();
    expect(await page.locator('table.catalog-table th.wh').count()).to.equal((await rt.db.raw<{ rows: { n: number }[] }>('SELECT count(*)::int AS n FROM warehouses WHERE NOT deleted')).rows[0]!.n);
    expect(await page.locator('.as-of').textContent()).to.match(/Цены и остатки на \d\d\.\d\d\.\d{4}/);
    await shot('table');
  });

  it('switching the counterparty changes the prices', async () => {
    // Find an offer on page 1 whose price differs between the two legal entities.
    const ids = (await page.locator('table.catalog-table tbody tr').evaluateAll((trs) => trs.map((t) => Number(t.id.slice(1)))));
    const [a, b] = client.cps;
    // The contract the page uses: the counterparty's default valid one.
    const contractOf = async (cp: number) =>
      (await rt.db('contracts').where({ counterparty_id: cp, deleted: false })
        .andWhere((q) => q.whereNull('valid_to').orWhere('valid_to', '>=', rt.db.raw('current_date')))
        .andWhere((q) => q.whereNull('valid_from').orWhere('valid_from', '<=', rt.db.raw('current_date')))
        .orderBy([{ column: 'is_default', order: 'desc' }, 'name', 'id']).first('id'))?.id ?? null;
    const pa = await pricesFor(rt.db, { counterpartyId: a!.id, contractId: await contractOf(a!.id) }, ids);
    let pb = await pricesFor(rt.db, { counterpartyId: b!.id, contractId: await contractOf(b!.id) }, ids);
    let offer = ids.find((id) => pa.get(id)?.price !== pb.get(id)?.price);
    if (offer === undefined) {
      // Same terms in the simulator's data: give the second entity another price type.
      const other = await rt.db('price_types').whereNot({ is_base: true }).first('id');
      await rt.db('counterparties').where({ id: b!.id }).update({ price_type_id: other!.id });
      await rt.db('contracts').where({ counterparty_id: b!.id }).update({ price_type_id: null, discount_pct: '0' });
      pb = await pricesFor(rt.db, { counterpartyId: b!.id, contractId: await contractOf(b!.id) }, ids);
      offer = ids.find((id) => pa.get(id)?.price !== pb.get(id)?.price);
    }
    expect(offer, 'an offer priced differently for the two entities').to.not.equal(undefined);
    const cell = `#o${offer} td[sse-swap="p${offer}"] .price`;
    const before = await cellText(cell);
    await page.selectOption('select[name=counterpartyId]', String(b!.id));
    // The switch posts (boosted by htmx) and the page comes back rendered for the new entity.
    await page.waitForFunction(
      ([id, sel]) => document.querySelector('select[name=counterpartyId] option[selected]')?.getAttribute('value') === id && document.querySelector(sel!) !== null,
      [String(b!.id), cell],
    );
    const after = await cellText(cell);
    expect(after).to.not.equal(before);
    expect(await page.locator('select[name=counterpartyId] option:checked').textContent()).to.contain(b!.name);
  });

  it('switches the three views by htmx without a reload, and remembers the last one', async () => {
    await page.locator('table.catalog-table').waitFor();
    await page.evaluate(() => {
      (window as unknown as { marker: number }).marker = 42;
    });
    await page.click('.views a[data-view="tiles"]');
    await page.locator('.catalog-tiles .tile').first().waitFor();
    await shot('tiles');
    await page.click('.views a[data-view="list"]');
    await page.locator('.catalog-list li').first().waitFor();
    await shot('list');
    expect(await page.evaluate(() => (window as unknown as { marker?: number }).marker)).to.equal(42); // same document
    await page.goto(`${srv.base}/catalog`);
    await page.locator('.catalog-list').waitFor(); // remembered per user
    await pageReady(page);
    await page.click('.views a[data-view="table"]');
    await page.locator('table.catalog-table').waitFor();
  });

  it('filters to goods in stock (URL is shareable) and updates a stock cell live', async () => {
    await page.check('input[name=stock]');
    await page.waitForURL(/stock=1/);
    const shown = await page.locator('table.catalog-table tbody tr').count();
    expect(shown).to.be.greaterThan(0);
    await shot('filtered');
    // A sync changes the first row's stock at the first warehouse: the cell changes without a reload.
    const row = page.locator('table.catalog-table tbody tr').first();
    const offerId = Number((await row.getAttribute('id'))!.slice(1));
    const wh = await rt.db('warehouses').where({ deleted: false }).orderByRaw(`kind = 'partner', sort, name, id`).first('id', 'external_id');
    const offer = await rt.db('offers').where({ id: offerId }).first('external_id');
    await pageReady(page);
    const src = await rt.db('sources').where({ name: 'sim' }).first('id');
    await applyBatch({ db: rt.db, redis: rt.redis, prefix: rt.prefix }, { sourceId: src!.id, kind: 'e2e', mode: 'delta' }, {
      stock: [{ offerExternalId: offer!.external_id, warehouseExternalId: wh!.external_id, quantity: '4321' }],
    });
    await page.waitForFunction((sel) => document.querySelector(sel)?.textContent?.includes('4321'), `td[sse-swap="s${offerId}-${wh!.id}"]`, { timeout: 10_000 });
    await shot('live-update');
  });

  it('quick order adds pasted lines and names the bad one; checkout places the order, which reaches the simulator once and its status comes back', async () => {
    const { rows } = await rt.db.raw(
      `SELECT coalesce(o.sku, p.sku) AS sku FROM stock s JOIN offers o ON o.id = s.offer_id JOIN products p ON p.id = o.product_id
        JOIN warehouses w ON w.id = s.warehouse_id AND w.kind = 'own'
        WHERE s.quantity >= 5 AND coalesce(o.sku, p.sku) IS NOT NULL AND NOT o.deleted
          AND (SELECT count(*) FROM offers o2 WHERE lower(coalesce(o2.sku, '')) = lower(coalesce(o.sku, p.sku))) <= 1
        ORDER BY s.quantity DESC LIMIT 1`,
    );
    const sku = rows[0].sku as string;
    await page.goto(`${srv.base}/cart/quick`);
    await pageReady(page);
    await page.fill('textarea[name=lines]', `${sku}\t2\nNO-SUCH-SKU\t1`);
    await page.click('form[action="/cart/quick"] button[type=submit]');
    await page.locator('.alert.ok').waitFor();
    expect(await page.locator('.alert.error').textContent()).to.contain('Строка 2: неизвестный артикул «NO-SUCH-SKU».');
    await shot('quick-order');
    await page.goto(`${srv.base}/cart`);
    await pageReady(page);
    await shot('cart');
    await Promise.all([page.waitForURL(/\/orders\/\d+$/), page.click('button.primary')]);
    expect(await page.locator('.alert.ok').textContent()).to.match(/Заказ CP-\d{6} оформлен/);
    // written with the order to the mail outbox
    expect((await outboxLetters(rt.db)).map((m) => m.subject)).to.deep.equal([`Заказ ${(await rt.db('orders').first('number'))!.number} принят`]);
    await shot('order');

    // The order reaches the simulator exactly once and its status comes back to the page.
    const order = await rt.db('orders').first('id', 'number');
    expect((await exportDueOrders(rt)).delivered).to.equal(1);
    expect((await exportDueOrders(rt)).delivered).to.equal(0); // nothing pending: exactly once
    const inSim = sim.state.orders().filter((o) => o.storeNumber === order!.number);
    expect(inSim).to.have.length(1);
    sim.postOrderStatus(order!.number, 'Отгружен', 'Shipped from the main warehouse');
    const pulled = await pullOrderStatuses(rt, 'sim');
    expect(pulled, 'the accepted and the shipped status').to.deep.equal({ applied: 2, unknown: [], unmapped: [] });
    // The order page polls its status block (htmx) until the accounting system confirmed it.
    await page.waitForFunction(() => document.querySelector('#order-status')?.textContent?.includes('Отгружен'), undefined, { timeout: 20_000 }).catch(async (err: Error) => {
      const block = await page.locator('#order-status').evaluate((e) => e.outerHTML).catch((e: Error) => `(no block: ${e.message})`);
      const row = await rt.db('orders').where({ id: order!.id }).first('status', 'external_number');
      throw new Error(`${err.message}\nthe order in the database: ${JSON.stringify(row)}\npage ${page.url()}: ${block}`);
    });
    await shot('order-status');
  });
});
