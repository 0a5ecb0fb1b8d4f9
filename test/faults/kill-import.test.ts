// Fault tier: the worker process killed with SIGKILL in the middle of a CommerceML import, then
// started again on the same database, Redis and data directory. The import is never half
// applied: while the killed run is gone nothing of it is in the mirror; the restarted worker takes
// the stalled job over by itself (no manual step), runs the file again and 1C's import ends in
// `done` with every product — once.
import { expect } from 'chai';
import { Redis } from 'ioredis';
import { DEFAULT_UPLOAD_PREFIX, importJob } from '../../connectors/commerceml/index.ts';
import { sessionPrefix, uploadKey } from '../../connectors/commerceml/exchange/files.ts';
import { pgBlobStore } from '../../src/infra/blob/index.ts';
import { getQueue } from '../../src/infra/queue/connection.ts';
import type { Runtime } from '../../src/infra/runtime.ts';
import { ensureSource } from '../../src/sync/index.ts';
import { testRuntime, truncate } from '../support/runtime.ts';
import { until } from '../support/wait.ts';
import { freePort, type OwnRedis, type Role, startRedis, startRole } from './processes.ts';

/** Enough products that the import is still reading (or merging) when it is killed. */
const PRODUCTS = 30_000;
/** JOB_LOCK_MS for the roles: a killed worker's job is taken over within about twice this. */
const LOCK_MS = 2000;

function catalogXml(n: number): string {
  const items: string[] = new Array(n);
  for (let i = 0; i < n; i++) items[i] = `<Товар><Ид>p-${i}</Ид><Артикул>A${i}</Артикул><Наименование>Товар номер ${i}</Наименование></Товар>`;
  return `<?xml version="1.0" encoding="UTF-8"?>\n<КоммерческаяИнформация ВерсияСхемы="2.05"><Каталог СодержитТолькоИзменения="true"><Ид>c1</Ид><Наименование>Каталог</Наименование><Товары>${items.join('\n')}</Товары></Каталог></КоммерческаяИнформация>`;
}

describe('faults: the worker killed with SIGKILL mid-import and started again', function () {
  this.timeout(120_000);
  let rt: Runtime;
  let view: Runtime;
  let redis: OwnRedis;
  let sourceId: number;
  let sessionId: number;
  let env: Record<string, string>;
  const roles: Role[] = [];
  const closers: (() => Promise<void>)[] = [];

  const startWorker = async () => {
    const w = startRole(['worker'], env);
    roles.push(w);
    await until(() => w.out().includes('workers started'), 'the worker process to start', 90_000, 100).catch((err) => {
      throw new Error(`${(err as Error).message}\n${w.out()}`);
    });
    return w;
  };
  const products = async () => Number((await rt.db('products').where({ source_id: sourceId }).count({ n: '*' }))[0]!.n);
  const imported = () => rt.db('commerceml_imports').where({ session_id: sessionId, filename: 'import.xml' }).first();

  before(async function () {
    this.timeout(180_000);
    rt = await testRuntime();
    await truncate(rt, 'sources', 'commerceml_sessions', 'sync_runs');
    sourceId = await ensureSource(rt.db, { name: 'cml-kill', kind: 'commerceml', settings: { login: 'kill', passwordEnv: 'CML_KILL_PASSWORD' } });
    const [s] = await rt.db('commerceml_sessions').insert({ source_id: sourceId, type: 'catalog', token: 'c'.repeat(48), sessid: 'd'.repeat(32) }).returning(['id', 'token']);
    sessionId = Number(s.id);
    // What `file` calls left in the blob store the worker reads (BLOB_STORE=postgres: no shared folder).
    await pgBlobStore(rt.db).put(uploadKey(sessionPrefix(DEFAULT_UPLOAD_PREFIX, sessionId), 'import.xml'), Buffer.from(catalogXml(PRODUCTS)));

    redis = await startRedis(await freePort());
    const conn = new Redis(redis.url, { maxRetriesPerRequest: 3 });
    view = { ...rt, redis: conn, redisUrl: redis.url, onShutdown: (_n, fn) => void closers.push(fn), shutdown: async () => {} };
    closers.push(async () => void conn.disconnect());
    env = { REDIS_URL: redis.url, JOB_LOCK_MS: String(LOCK_MS), BLOB_STORE: 'postgres' };
    await startWorker();
    // What the endpoint does at 1C's first `import` call.
    await rt.db('commerceml_imports').insert({ session_id: sessionId, filename: 'import.xml' });
    const job = importJob({ id: sessionId, token: s.token }, 'import.xml', DEFAULT_UPLOAD_PREFIX);
    await getQueue(view, 'commerceml.import').add('commerceml.import', job.data, job.opts);
  });

  after(async () => {
    for (const r of roles) r.child.kill('SIGKILL');
    for (const r of roles) await r.exit;
    for (const c of closers.reverse()) await c();
    await redis?.kill();
  });

  it('nothing of the killed run is applied; the restarted worker re-runs the import to the end, every product once', async () => {
    // Killed while its sync run is open (reading or merging: either way uncommitted).
    const running = async () =>
      rt.db('sync_runs').where({ source_id: sourceId, state: 'running' }).whereNotNull('backend_pid').first('id', 'backend_pid');
    const killed = await until(running, 'the import’s sync run to be open', 30_000, 10);
    roles[0]!.child.kill('SIGKILL');
    await roles[0]!.exit;
    // PostgreSQL ends the dead client's backend and rolls its transaction back.
    await until(
      async () => !(await rt.db.raw('SELECT 1 FROM pg_stat_activity WHERE pid = ?', [killed.backend_pid])).rows.length,
      'the killed run’s backend to be gone',
      10_000,
      20,
    );
    expect(await products()).to.equal(0);
    expect((await imported())!.state).to.equal('running');

    await startWorker();
    const started = Date.now();
    const decided = await until(async () => {
      const r = await imported();
      return r && (r.state === 'done' || r.state === 'failed') ? r : undefined;
    }, 'the import to be decided after the restart', 45_000, 100).catch((err) => {
      throw new Error(`${(err as Error).message}\n${roles[1]!.out().slice(-4000)}`);
    });
    expect(decided.state, decided.message).to.equal('done');
    expect(await products()).to.equal(PRODUCTS);
    expect(Number((await rt.db('products').where({ source_id: sourceId }).countDistinct({ n: 'external_id' }))[0]!.n)).to.equal(PRODUCTS);
    const runs = await rt.db('sync_runs').where({ source_id: sourceId }).orderBy('id').select('id', 'state', 'error');
    expect(runs.find((r) => r.id === killed.id)).to.deep.include({ state: 'failed' });
    expect(runs.find((r) => r.id === killed.id)!.error).to.match(/^abandoned: the process running it stopped/);
    expect(runs.filter((r) => r.state === 'succeeded')).to.have.length(1);
    expect(decided.sync_run_id).to.equal(runs.find((r) => r.state === 'succeeded')!.id);
    // Recovered within a bound once the worker runs (the job's lock expiry, the stall check, the
    // import itself), without anyone restarting a job by hand.
    expect(Date.now() - started).to.be.below(45_000);
  });
});
