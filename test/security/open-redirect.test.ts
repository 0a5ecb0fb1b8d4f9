// Issue 12 #6: every route that redirects to a user-supplied `back`/`next` stays on this site,
// and the value is not echoed raw.
import { expect } from 'chai';
import type { Runtime } from '../../src/infra/runtime.ts';
import { invalidateWarehouses } from '../../src/store/catalog/availability.ts';
import { createApp } from '../../src/web/app.ts';
import { PASSWORD, type StoreFixture, storeFixture } from '../support/mirror-fixtures.ts';
import { deleteKeys } from '../support/redis-cleanup.ts';
import { testRuntime, truncate } from '../support/runtime.ts';
import { listen, WebClient } from '../support/web-client.ts';

const EVIL = ['//evil.example', '/\\evil.example', '/\\/evil.example', 'https://evil.example', '/\t/evil.example', '/%0a/x\n//evil.example', 'javascript:alert(1)', ' /x', '\\\\evil.example', '/ok\\..\\evil'];

describe('security: open redirects', () => {
  let rt: Runtime;
  let srv: Awaited<ReturnType<typeof listen>>;
  let fx: StoreFixture;
  let a: WebClient;

  before(async () => {
    rt = await testRuntime();
    srv = await listen(createApp(rt));
    await truncate(rt, 'sources', 'users', 'clients', 'sessions', 'reservations');
    await deleteKeys(rt.redisUrl, `${rt.prefix}:`);
    invalidateWarehouses(rt.db);
    fx = await storeFixture(rt.db);
    a = new WebClient(srv.base);
    await a.login(fx.emails.a, PASSWORD);
  });
  after(() => srv.close());

  const local = (loc: string | null) => {
    expect(loc, String(loc)).to.match(/^\/(?![/\\])/);
    expect(loc).not.to.match(/evil|\\|\s|javascript/i);
  };

  it('POST /reservations, /waitlist, /cart/add and /account/switch never send the browser off-site', async () => {
    for (const back of EVIL) {
      local((await a.post('/reservations', { offerId: String(fx.offers[0]), warehouseId: String(fx.warehouses.main), quantity: '1', back })).location);
      local((await a.post('/waitlist', { offerId: String(fx.offers[0]), warehouseId: String(fx.warehouses.north), back })).location);
      local((await a.post('/cart/add', { offerId: String(fx.offers[0]), qty: '1', back }, { headers: { referer: 'https://evil.example/x' } })).location);
      local((await a.post('/account/switch', { counterpartyId: String(fx.cp.aHead), back })).location);
    }
    // A plain local path still works.
    expect((await a.post('/account/switch', { counterpartyId: String(fx.cp.aHead), back: '/orders?x=1' })).location).to.equal('/orders?x=1');
  });

  it('sign-in with next= stays local', async () => {
    for (const next of EVIL) {
      const c = new WebClient(srv.base);
      await c.get('/login');
      local((await c.post('/login', { email: fx.emails.b, password: PASSWORD, next })).location);
    }
  });

  it('does not echo a rejected back into the reserve box, and URL-encodes an accepted one', async () => {
    const box = await a.get(`/reservations/box/${fx.offers[0]}?back=${encodeURIComponent('/\\evil.example')}`);
    expect(box.text).not.to.contain('evil.example');
    const hx = await a.post('/reservations', { offerId: String(fx.offers[0]), warehouseId: String(fx.warehouses.main), quantity: '1', back: '/\\evil.example' }, { headers: { 'hx-request': 'true' } });
    expect(hx.text).not.to.contain('evil.example');
    const ok = await a.get(`/reservations/box/${fx.offers[0]}?back=${encodeURIComponent('/catalog?q=a&page=2')}`);
    expect(ok.text).to.contain('?back=%2Fcatalog%3Fq%3Da%26page%3D2'); // no extra query parameters in hx-get
    expect(ok.text).to.contain('value="/catalog?q&#x3D;a&amp;page&#x3D;2"');
  });
});
