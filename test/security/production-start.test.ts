// Issue 12 #12, #13: a store started without the demo does not answer to the demo's published
// credentials, over HTTP — neither the web sign-ins nor the 1C exchange — and shows no mail inbox;
// the session cookie is Secure only behind a proxy TRUST_PROXY names.
import { expect } from 'chai';
import { commercemlRouter } from '../../connectors/commerceml/index.ts';
import { retireDemo } from '../../src/app/roles/production.ts';
import { ensureDemoAccounts } from '../../src/demo/accounts.ts';
import { DEMO_1C_LOGIN, DEMO_1C_PASSWORD, ensureCommerceMLDemoSource } from '../../src/demo/commerceml.ts';
import type { Runtime } from '../../src/infra/runtime.ts';
import { createApp } from '../../src/web/app.ts';
import { storeFixture } from '../support/mirror-fixtures.ts';
import { deleteKeys } from '../support/redis-cleanup.ts';
import { testRuntime, truncate } from '../support/runtime.ts';
import { listen, WebClient } from '../support/web-client.ts';

describe('security: a production start retires the demo', () => {
  let rt: Runtime;
  let srv: Awaited<ReturnType<typeof listen>>;
  before(async () => {
    rt = await testRuntime();
    await truncate(rt, 'sources', 'users', 'clients', 'sessions');
    await deleteKeys(rt.redisUrl, `${rt.prefix}:`);
    await storeFixture(rt.db);
    // The database once ran `npm start`…
    await ensureCommerceMLDemoSource(rt);
    await ensureDemoAccounts(rt);
    // …and is now started without --demo (src/app/roles/start.ts runs this before serving).
    await retireDemo(rt);
    srv = await listen(createApp(rt, [{ path: rt.config.COMMERCEML_PATH, router: commercemlRouter(rt) }]));
  });
  after(() => srv.close());

  it('the demo sign-ins with their published password are refused', async () => {
    for (const email of ['admin@demo.local', 'buyer@demo.local', 'manager@demo.local', 'accountant@demo.local', 'viewer@demo.local']) {
      const c = new WebClient(srv.base);
      await c.get('/login');
      const r = await c.post('/login', { email, password: 'demo-password' });
      expect(r.status, email).to.equal(401);
    }
  });

  it('the demo 1C exchange login is refused', async () => {
    const auth = `Basic ${Buffer.from(`${DEMO_1C_LOGIN}:${DEMO_1C_PASSWORD}`).toString('base64')}`;
    const res = await fetch(`${srv.base}${rt.config.COMMERCEML_PATH}?type=catalog&mode=checkauth`, { headers: { authorization: auth } });
    const text = await res.text();
    expect(text.split(/\r?\n/)[0]).to.equal('failure');
  });

  it('there is no mail inbox: /dev/mail exists only while the demo runs', async () => {
    expect((await fetch(`${srv.base}/dev/mail`)).status).to.equal(404);
  });
});
