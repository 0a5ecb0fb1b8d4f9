// Issue 12 #9, #10, #11: probe values at every kind of endpoint never give a 500. A NUL or other
// control character in text input is a 400; a malformed session cookie is no session;
// out-of-range ids (`99999999999999999999`, `1e300`) and dangling referenced ids are 404/422.
import { expect } from 'chai';
import type { Runtime } from '../../src/infra/runtime.ts';
import { invalidateWarehouses } from '../../src/store/catalog/availability.ts';
import { invalidateGroups } from '../../src/store/catalog/catalog.ts';
import { createApp } from '../../src/web/app.ts';
import { PASSWORD, type StoreFixture, storeFixture } from '../support/mirror-fixtures.ts';
import { deleteKeys } from '../support/redis-cleanup.ts';
import { testRuntime, truncate } from '../support/runtime.ts';
import { listen, WebClient } from '../support/web-client.ts';

const BAD_IDS = ['99999999999999999999', '1e300', '-1', '0', '1.5', '0x10', '999999'];
const NUL = 'a\u0000b';
const ID_FIELDS = ['offerId', 'warehouseId', 'counterpartyId', 'contractId', 'counterparty_id', 'manager_id', 'client_id', 'ids', 'id', 'client_ids', 'counterparty_ids', 'price_type_ids', 'product_ids', 'remove', 'wh', 'group', 'page', 'counterpartyIds'];
const TEXT_FIELDS = ['q', 'email', 'password', 'password2', 'body', 'title', 'body_md', 'qty', 'quantity', 'lines', 'comment', 'name', 'next', 'kind', 'mode', 'checkoutKey', 'periodHours', 'maxExtensions', 'warningLeadMinutes', 'publish_at', 'expires_at', 'image_url', 'audience_mode', 'counterparty', 'watch', 'sort', 'view', 'prop', 'companyRole', 'scope', 'orderLimit', 'monthlyLimit'];

const POSTS = [
  '/account/switch', '/admin/clients/:client/link', '/admin/clients/:client/unlink', '/admin/settings/reservations', '/cart/add', '/cart/quick', '/cart/update', '/checkout',
  '/console/clients/:client/invite', '/console/clients/:client/link', '/console/clients/:client/manager', '/console/clients/:client/unlink', '/console/news', '/console/news/:news',
  '/console/news/:news/delete', '/console/settings', '/console/sources/:source/mapping', '/console/sources/:source/run', '/console/users/:user/disable', '/console/users/:user/manager',
  '/login', '/orders/:order/reorder', '/password/forgot', '/password/set/:token', '/reservations', '/reservations/order', '/waitlist', '/waitlist/:entry/delete', '/messages',
  '/manager/clients/:client/messages', '/reservations/:entry/extend', '/reservations/:entry/cancel',
  '/company/invite', '/company/employees/:user', '/company/employees/:user/revoke', '/company/employees/:user/restore', '/company/employees/:user/reinvite',
  '/manager/clients/:client/company/invite', '/manager/clients/:client/company/employees/:user', '/manager/clients/:client/company/employees/:user/revoke',
];
const GETS = [
  '/', '/catalog', '/cart', '/cart/quick', '/orders', '/orders/:order', '/product/:offer', '/reservations', '/reservations/list', '/reservations/box/:offer', '/waitlist', '/news',
  '/messages', '/messages/thread', '/messages/attachments/:entry', '/pricelist.csv', '/login', '/password/forgot', '/password/set/:token', '/admin/clients', '/admin/clients/:client',
  '/admin/settings/reservations', '/console', '/console/clients', '/console/clients/:client', '/console/news', '/console/news/new', '/console/news/:news/edit', '/console/settings',
  '/console/sources', '/console/sources/runs', '/manager', '/manager/clients/:client/messages', '/manager/clients/:client/messages/thread', '/manager/clients/:client/messages/attachments/:entry',
  '/company', '/manager/clients/:client/company',
];
const STREAMS = ['/live/offers', '/reservations/events', '/manager/events', '/messages/events'];

describe('security: probe values never give a 500', function () {
  this.timeout(120_000);
  let rt: Runtime;
  let srv: Awaited<ReturnType<typeof listen>>;
  let fx: StoreFixture;
  let buyer: WebClient;
  let admin: WebClient;

  before(async () => {
    rt = await testRuntime();
    srv = await listen(createApp(rt));
    await truncate(rt, 'sources', 'users', 'clients', 'sessions', 'messages', 'news', 'reservations', 'orders');
    await deleteKeys(rt.redisUrl, `${rt.prefix}:`);
    invalidateWarehouses(rt.db);
    invalidateGroups(rt.db);
    fx = await storeFixture(rt.db);
    buyer = new WebClient(srv.base);
    await buyer.login(fx.emails.a, PASSWORD);
    await buyer.post('/cart/add', { offerId: String(fx.offers[2]), qty: '1' });
    admin = new WebClient(srv.base);
    await admin.login(fx.emails.admin, PASSWORD);
  });
  after(() => srv.close());

  /** Real ids for the path parameters, so a route is also probed past its own id check. */
  const real = (name: string): string =>
    ({ client: fx.clients.a, source: fx.sourceId, user: fx.users.b, offer: fx.offers[0]! } as Record<string, number>)[name]?.toString() ?? '1';
  const fill = (route: string, v: (name: string) => string) => route.replace(/:(\w+)/g, (_, n: string) => encodeURIComponent(v(n)));
  const form = (idValue: string, text: string) =>
    Object.fromEntries([
      ...ID_FIELDS.map((f) => [f, idValue]),
      ...TEXT_FIELDS.map((f) => [f, text]),
      // the cart form's per-line fields
      [`qty_${fx.offers[2]}`, '1'],
      [`wh_${fx.offers[2]}`, idValue],
      [`qty_${idValue}`, '1'],
    ]);

  async function expectNo500(label: string, fn: () => Promise<{ status: number }>, failures: string[]) {
    const r = await fn();
    if (r.status >= 500) failures.push(`${r.status} ${label}`);
    return r.status;
  }

  it('out-of-range and dangling ids in paths and forms: 4xx, never 500', async () => {
    const failures: string[] = [];
    for (const c of [buyer, admin]) {
      for (const route of POSTS) {
        for (const bad of BAD_IDS) {
          await expectNo500(`POST ${fill(route, () => bad)}`, () => c.post(fill(route, () => bad), form('1', 'x')), failures);
          await expectNo500(`POST ${fill(route, real)} ids=${bad}`, () => c.post(fill(route, real), form(bad, 'x')), failures);
        }
      }
      for (const route of GETS) {
        for (const bad of BAD_IDS) {
          const q = new URLSearchParams(form(bad, 'x')).toString();
          await expectNo500(`GET ${fill(route, () => bad)}`, () => c.get(fill(route, () => bad)), failures);
          await expectNo500(`GET ${fill(route, real)}?ids=${bad}`, () => c.get(`${fill(route, real)}?${q}`), failures);
        }
      }
    }
    expect(failures, failures.join('\n')).to.deep.equal([]);
  });

  it('a NUL or other control character in any text input: 400 at the boundary', async () => {
    const failures: string[] = [];
    for (const c of [buyer, admin, new WebClient(srv.base)]) {
      await c.get('/login');
      for (const route of POSTS) {
        for (const probe of [NUL, 'x\u0001y', 'x\u007f']) {
          const r = await c.post(fill(route, real), form('1', probe));
          if (r.status !== 400) failures.push(`${r.status} POST ${route}`);
        }
      }
      for (const route of GETS) {
        const r = await c.get(`${fill(route, real)}?q=${encodeURIComponent(NUL)}`);
        if (r.status !== 400) failures.push(`${r.status} GET ${route}?q=NUL`);
      }
    }
    expect(failures, failures.join('\n')).to.deep.equal([]);
    // Tab, newline and CR stay allowed (a multi-line message, pasted quick-order lines).
    const quick = await buyer.post('/cart/quick', { lines: `SKU-001\t2\r\nSKU-002 1\n` });
    expect(quick.status).to.be.below(400);
  });

  it('a malformed session cookie is treated as no session', async () => {
    for (const v of ['%E0%A4%A', '%', 'x%zz.y', '\u00ff', '']) {
      const c = new WebClient(srv.base);
      c.cookies.set('cp_sid', encodeURIComponent(v) === v ? v : v.replace(/[^\x20-\x7e]/g, '%FF'));
      expect((await c.get('/login')).status, v).to.equal(200);
      const cat = await c.get('/catalog');
      expect(cat.status, v).to.equal(303);
      expect((await c.get('/')).status, v).to.be.below(500);
    }
  });

  it('streaming endpoints refuse probe ids without a 500', async () => {
    const cookie = (c: WebClient) => [...c.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
    for (const c of [buyer, admin]) {
      for (const route of STREAMS) {
        for (const bad of BAD_IDS) {
          const ctl = new AbortController();
          const r = await fetch(`${srv.base}${route}?ids=${encodeURIComponent(bad)}&offers=${encodeURIComponent(bad)}`, { headers: { cookie: cookie(c) }, signal: ctl.signal, redirect: 'manual' });
          ctl.abort();
          expect(r.status, `${route} ${bad}`).to.be.below(500);
        }
      }
    }
  });
});
