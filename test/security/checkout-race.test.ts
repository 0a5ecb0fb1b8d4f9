// Issue 12 #15: two concurrent submits of one checkout form (a double click, a retried request)
// were a raw unique-violation 500. Both now land on the one order.
import { expect } from 'chai';
import type { Runtime } from '../../src/infra/runtime.ts';
import { invalidateWarehouses } from '../../src/store/catalog/availability.ts';
import { createApp } from '../../src/web/app.ts';
import { PASSWORD, type StoreFixture, storeFixture } from '../support/mirror-fixtures.ts';
import { deleteKeys } from '../support/redis-cleanup.ts';
import { testRuntime, truncate } from '../support/runtime.ts';
import { listen, WebClient } from '../support/web-client.ts';

describe('security: concurrent submits of one checkout form', () => {
  let rt: Runtime;
  let srv: Awaited<ReturnType<typeof listen>>;
  let fx: StoreFixture;
  before(async () => {
    rt = await testRuntime();
    srv = await listen(createApp(rt, [], { mail: { send: async () => {} } }));
    await truncate(rt, 'sources', 'users', 'clients', 'sessions', 'orders', 'outbox', 'reservations');
    await deleteKeys(rt.redisUrl, `${rt.prefix}:`);
    invalidateWarehouses(rt.db);
    fx = await storeFixture(rt.db);
  });
  after(() => srv.close());

  it('five at once: every answer is a redirect to the same single order, none is a 500', async () => {
    const a = new WebClient(srv.base);
    await a.login(fx.emails.a, PASSWORD);
    await a.post('/cart/add', { offerId: String(fx.offers[1]), qty: '2' });
    const page = await a.get('/cart');
    const form: Record<string, string> = { checkoutKey: page.text.match(/name="checkoutKey" value="([^"]+)"/)![1]! };
    for (const m of page.text.matchAll(/name="(qty_\d+)" value="([^"]*)"/g)) form[m[1]!] = m[2]!.replace(',', '.');
    for (const m of page.text.matchAll(/<select name="(wh_\d+)"[\s\S]*?<option value="(\d+)" selected>/g)) form[m[1]!] = m[2]!;
    const answers = await Promise.all(Array.from({ length: 5 }, () => a.post('/checkout', form)));
    const orders = await rt.db('orders').select('id');
    expect(orders).to.have.length(1);
    for (const r of answers) {
      expect(r.status, r.text.slice(0, 300)).to.equal(303);
      expect(r.location).to.equal(`/orders/${orders[0]!.id}`);
    }
    expect(await rt.db('outbox').where({ kind: 'order.create' }).count({ n: '*' })).to.deep.equal([{ n: 1 }]);
  });
});
