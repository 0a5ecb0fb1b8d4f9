import { createApp } from '../../src/web/app.ts';
import { PASSWORD, storeFixture } from '../support/mirror-fixtures.ts';
import { testRuntime, truncate } from '../support/runtime.ts';
import { listen, WebClient } from '../support/web-client.ts';
describe('size', () => {
  it('size', async () => {
    const rt = await testRuntime();
    await truncate(rt, 'sources', 'users', 'clients', 'sessions');
    const fx = await storeFixture(rt.db, { products: 60 });
    const srv = await listen(createApp(rt));
    const a = new WebClient(srv.base);
    await a.login(fx.emails.a, PASSWORD);
    const r = await a.get('/catalog');
    console.log('bytes', r.text.length);
    for (let k = 0; k < 3; k++) { const t = performance.now(); for (let i = 0; i < 20; i++) await a.get('/catalog'); console.log('avg ms', ((performance.now() - t) / 20).toFixed(1)); }
    await srv.close();
  });
});
