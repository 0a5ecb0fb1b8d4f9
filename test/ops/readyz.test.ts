import { expect } from 'chai';
import { Redis } from 'ioredis';
import type { Runtime } from '../../src/infra/runtime.ts';
import { createApp } from '../../src/web/app.ts';
import { testRuntime } from '../support/runtime.ts';
import { listen } from '../support/web-client.ts';

async function readyz(rt: Runtime): Promise<{ status: number; body: { status: string; checks: Record<string, string> } }> {
  const web = await listen(createApp(rt));
  try {
    const res = await fetch(`${web.base}/readyz`);
    return { status: res.status, body: await res.json() };
  } finally {
    await web.close();
  }
}

describe('ops: /readyz', function () {
  this.timeout(30_000);
  let rt: Runtime;
  before(async () => {
    rt = await testRuntime();
  });

  it('is 200 when the database and Redis answer and every migration has run', async () => {
    const r = await readyz(rt);
    expect(r.status).to.equal(200);
    expect(r.body).to.deep.equal({ status: 'ready', checks: { database: 'ok', redis: 'ok', migrations: 'ok' } });
  });

  it('is 503 while a migration of this code has not run (a web started before `counterpart migrate`)', async () => {
    const last = await rt.db('knex_migrations').orderBy('id', 'desc').first();
    await rt.db('knex_migrations').where({ id: last.id }).delete();
    try {
      const r = await readyz(rt);
      expect(r.status).to.equal(503);
      expect(r.body.checks).to.deep.equal({ database: 'ok', redis: 'ok', migrations: 'pending' });
    } finally {
      await rt.db('knex_migrations').insert(last);
    }
    expect((await readyz(rt)).status).to.equal(200);
  });

  it('is 503 when Redis does not answer', async () => {
    const dead = new Redis('redis://127.0.0.1:1', { lazyConnect: true, enableOfflineQueue: false, maxRetriesPerRequest: 0, retryStrategy: () => null });
    const refused: Error[] = [];
    dead.on('error', (e: Error) => refused.push(e)); // the refused connection is the point of the test
    try {
      const r = await readyz({ ...rt, redis: dead });
      expect(r.status).to.equal(503);
      expect(r.body.checks).to.deep.equal({ database: 'ok', redis: 'down', migrations: 'ok' });
    } finally {
      dead.disconnect();
    }
  });
});
