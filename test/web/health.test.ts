import type { AddressInfo } from 'node:net';
import { expect } from 'chai';
import type { Runtime } from '../../src/infra/runtime.ts';
import { createApp } from '../../src/web/app.ts';
import { createUser } from '../../src/store/accounts/users.ts';
import { PASSWORD } from '../support/mirror-fixtures.ts';
import { testRuntime, truncate } from '../support/runtime.ts';
import { WebClient } from '../support/web-client.ts';

describe('web: /healthz and the shell', () => {
  let rt: Runtime;
  let base: string;
  let close: () => void;

  before(async () => {
    rt = await testRuntime();
    const server = createApp(rt).listen(0, '127.0.0.1');
    await new Promise((r) => server.once('listening', r));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    close = () => server.close();
  });
  after(() => close());
  beforeEach(() => truncate(rt, 'sources'));

  it('tells an anonymous caller only ok; an admin gets db, redis and each source with its as_of and last run', async () => {
    const [src] = await rt.db('sources').insert({ name: 'main', kind: 'soap', as_of: '2026-11-27T10:00:00Z', last_success_at: new Date() }).returning('id');
    await rt.db('sync_runs').insert({ source_id: src!.id, kind: 'changes', mode: 'delta', state: 'succeeded' });
    const anon = await fetch(`${base}/healthz`);
    expect(anon.status).to.equal(200);
    expect(await anon.json()).to.deep.equal({ status: 'ok' });
    expect((await fetch(`${base}/console/health`, { redirect: 'manual' })).status).to.be.oneOf([302, 303, 401, 403]);
    await truncate(rt, 'users');
    await createUser(rt.db, { email: 'root@seller.test', role: 'admin', name: 'Root', password: PASSWORD });
    const admin = new WebClient(base);
    await admin.login('root@seller.test', PASSWORD);
    const res = await admin.get('/console/health');
    expect(res.status).to.equal(200);
    const body = JSON.parse(res.text);
    expect(body.status).to.equal('ok');
    expect(body.db).to.equal('ok');
    expect(body.redis).to.equal('ok');
    expect(body.sources).to.have.length(1);
    expect(body.sources[0]).to.include({ name: 'main', stale: false });
    expect(new Date(body.sources[0].as_of).toISOString()).to.equal('2026-11-27T10:00:00.000Z');
    expect(body.sources[0].last_run.state).to.equal('succeeded');
  });

  it('answers 503 when Redis is down', async () => {
    const app = createApp({ ...rt, redis: { ping: () => Promise.reject(new Error('connection refused')) } as never });
    const server = app.listen(0, '127.0.0.1');
    await new Promise((r) => server.once('listening', r));
    try {
      const res = await fetch(`http://127.0.0.1:${(server.address() as AddressInfo).port}/healthz`);
      expect(res.status).to.equal(503);
      const body = await res.json();
      expect(body).to.deep.equal({ status: 'down' }); // the error text is for staff, not the world
    } finally {
      server.close();
    }
  });

  it('serves the start page and a clean 404 page without a stack trace', async () => {
    const home = await fetch(`${base}/`);
    expect(home.status).to.equal(200);
    expect(await home.text()).to.contain('Counterpart');
    const missing = await fetch(`${base}/no/such/page`);
    expect(missing.status).to.equal(404);
    const html = await missing.text();
    expect(html).to.contain('Страница не найдена.');
    expect(html).not.to.match(/at .*\.ts:\d+/);
  });

  it('serves htmx 2 from node_modules', async () => {
    const res = await fetch(`${base}/static/htmx/htmx.min.js`);
    expect(res.status).to.equal(200);
    expect(await res.text()).to.match(/htmx/);
  });
});
