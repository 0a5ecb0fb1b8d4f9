// Fault tier: Redis restarted empty under a running 1C exchange — the store (web, worker and
// scheduler roles) as a real process on the test's own redis-server, 1C played over HTTP. Nothing is restarted by
// hand:
// - mid-import: 1C keeps polling `import` through the outage and gets `success`; the file is
//   applied once (one sync run, every product once), although its BullMQ job is gone;
// - a full package waiting for its quiet period (1C left without deactivate/complete): the
//   delayed check is gone with Redis, work.reconcile (asked for by the scheduler at its
//   reconnect) queues it again, and the deletions happen once, within a bound.
import { expect } from 'chai';
import { Redis } from 'ioredis';
import { COMMERCEML_QUIET_JOB } from '../../connectors/commerceml/index.ts';
import { OneCClient } from '../../sim/commerceml/client.ts';
import { getQueue } from '../../src/infra/queue/connection.ts';
import type { Runtime } from '../../src/infra/runtime.ts';
import { ensureSource } from '../../src/sync/index.ts';
import { testRuntime, truncate } from '../support/runtime.ts';
import { until } from '../support/wait.ts';
import { freePort, type OwnRedis, type Role, startRedis, startRole } from './processes.ts';

/** Enough products that the import is still running when Redis goes. */
const PRODUCTS = 30_000;
/** From Redis back to the import decided / the deletions done (reconnects, polls, the import). */
const RECOVERY_MS = 30_000;
const QUIET_S = 4;
const LOGIN = 'redis-wipe';
const PASSWORD = 'пароль-redis';

const catalog = (ids: string[], full: boolean) =>
  `<?xml version="1.0" encoding="UTF-8"?>\n<КоммерческаяИнформация ВерсияСхемы="2.08"><Каталог СодержитТолькоИзменения="${!full}"><Ид>c1</Ид><Наименование>Каталог</Наименование><Товары>` +
  ids.map((id) => `<Товар><Ид>${id}</Ид><Артикул>A-${id}</Артикул><Наименование>Товар ${id}</Наименование></Товар>`).join('\n') +
  `</Товары></Каталог></КоммерческаяИнформация>`;

describe('faults: Redis restarted empty during a 1C exchange', function () {
  this.timeout(120_000);
  let rt: Runtime;
  let view: Runtime;
  let redis: OwnRedis;
  let sourceId: number;
  let url: string;
  const roles: Role[] = [];
  const closers: (() => Promise<void>)[] = [];

  const client = () => new OneCClient(url, { login: LOGIN, password: PASSWORD, pollMs: 100 });
  const products = async () => Number((await rt.db('products').where({ source_id: sourceId, deleted: false }).count({ n: '*' }))[0]!.n);
  const runs = (kind: string) => rt.db('sync_runs').where({ source_id: sourceId, kind }).orderBy('id').select('id', 'state', 'error');

  async function restartRedisEmpty(): Promise<void> {
    await redis.kill();
    redis = await startRedis(redis.port);
  }

  before(async function () {
    this.timeout(180_000);
    rt = await testRuntime();
    await truncate(rt, 'sources', 'commerceml_sessions', 'sync_runs');
    sourceId = await ensureSource(rt.db, { name: 'cml-redis', kind: 'commerceml', settings: { login: LOGIN, passwordEnv: 'CML_WIPE_PASSWORD', quietPeriodS: QUIET_S } });
    redis = await startRedis(await freePort());
    const conn = new Redis(redis.url, { maxRetriesPerRequest: 3 });
    conn.on('error', () => {}); // down on purpose while the test restarts it
    view = { ...rt, redis: conn, redisUrl: redis.url, onShutdown: (_n, fn) => void closers.push(fn), shutdown: async () => {} };
    closers.push(async () => void conn.disconnect());
    const port = await freePort();
    url = `http://127.0.0.1:${port}/exchange/1c`;
    const env = { REDIS_URL: redis.url, BLOB_STORE: 'postgres', CML_WIPE_PASSWORD: PASSWORD, PORT: String(port), HOST: '127.0.0.1' };
    // One process with every role (starting three on a busy machine costs a minute); the roles
    // still meet only through PostgreSQL and the test's Redis.
    const store = startRole(['all'], env);
    roles.push(store);
    for (const line of ['workers started', 'scheduler started', 'web listening']) {
      await until(() => store.out().includes(line), `the “${line}” line`, 90_000, 100).catch((err) => {
        throw new Error(`${(err as Error).message}\n${store.out()}`);
      });
    }
  });

  after(async () => {
    for (const r of roles) await r.stop();
    for (const c of closers.reverse()) await c();
    await redis?.kill();
  });

  it('mid-import: 1C polls through the outage and gets success; the file is applied once', async () => {
    const ids = Array.from({ length: PRODUCTS }, (_, i) => `p-${i}`);
    const c = client();
    expect((await c.checkauth('catalog')).status).to.equal('success');
    await c.init('catalog');
    expect((await c.upload('catalog', { name: 'import.xml', data: Buffer.from(catalog(ids, false), 'utf8') })).status).to.equal('success');
    const answer = c.importFile('catalog', 'import.xml');
    // The import's sync run is open (reading or merging, uncommitted) when Redis goes.
    await until(() => rt.db('sync_runs').where({ source_id: sourceId, state: 'running' }).first('id'), 'the import’s sync run to be open', 30_000, 10);
    const t0 = Date.now();
    await restartRedisEmpty();
    const a = await answer;
    expect(a.status, a.lines.join('\n')).to.equal('success');
    expect(Date.now() - t0).to.be.below(RECOVERY_MS);
    expect(await products()).to.equal(PRODUCTS);
    const imports = await runs('commerceml');
    expect(imports.map((r) => r.state), JSON.stringify(imports)).to.deep.equal(['succeeded']);
    const row = (await rt.db('commerceml_imports').where({ filename: 'import.xml' }).first('state', 'sync_run_id'))!;
    expect(row).to.deep.equal({ state: 'done', sync_run_id: imports[0]!.id });
    for (const r of roles) expect(r.child.exitCode, r.out().slice(-2000)).to.equal(null);
  });

  it('a full package waiting for its quiet period when Redis is wiped still gets its deletions, once', async () => {
    const before = await products();
    const kept = ['p-0', 'p-1', 'p-2'];
    const c = client();
    expect((await c.checkauth('catalog')).status).to.equal('success');
    await c.init('catalog');
    expect((await c.upload('catalog', { name: 'import.xml', data: Buffer.from(catalog(kept, true), 'utf8') })).status).to.equal('success');
    const a = await c.importFile('catalog', 'import.xml');
    expect(a.status, a.lines.join('\n')).to.equal('success');
    // 1C leaves here: neither deactivate nor complete. Its check waits in Redis…
    const quiet = getQueue(view, COMMERCEML_QUIET_JOB);
    quiet.on('error', () => {}); // its connection drops with the restart
    expect(await quiet.getJobCounts('delayed')).to.deep.equal({ delayed: 1 });
    await restartRedisEmpty();
    // …and is gone with it.
    expect(await quiet.getJobCounts('delayed', 'waiting', 'completed')).to.deep.equal({ delayed: 0, waiting: 0, completed: 0 });
    expect(await products()).to.equal(before);
    const t0 = Date.now();
    await until(async () => (await products()) === kept.length, 'the full package’s deletions after the wipe', QUIET_S * 1000 + RECOVERY_MS, 200);
    expect(Date.now() - t0).to.be.below(QUIET_S * 1000 + RECOVERY_MS);
    const alive = await rt.db('products').where({ source_id: sourceId, deleted: false }).orderBy('external_id').pluck('external_id');
    expect(alive).to.deep.equal(kept);
    const quietRuns = await runs('commerceml deactivate (quiet period)');
    expect(quietRuns.map((r) => r.state)).to.deep.equal(['succeeded']);
    expect(roles[0]!.out()).to.contain('redis reconnected: job schedules checked');
  });
});
