// Fault tier: the whole store as `npm start` runs it on a developer's machine — every role in one
// process over the embedded PostgreSQL (no DATABASE_URL) and uploads on disk under DATA_DIR — killed
// with SIGKILL in the middle of a 1C import, then started again on the same data directory. The
// cluster outlives its killed parent; the next start stops that orphan and starts (it once failed
// with "Cannot read properties of undefined (reading 'message')"), the stalled import is taken
// over by itself, and 1C, polling again, gets `success` with every product once.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import { OneCClient } from '../../sim/commerceml/client.ts';
import { stopOrphan } from '../../src/infra/db/embedded.ts';
import { createDb, type Db } from '../../src/infra/db/knex.ts';
import { ensureSource } from '../../src/sync/index.ts';
import { until } from '../support/wait.ts';
import { freePort, type OwnRedis, processAlive, type Role, startRedis, startRole } from './processes.ts';

/** Enough products that the import is still running when the store is killed. */
const PRODUCTS = 20_000;
/** JOB_LOCK_MS: the killed process's job is taken over within about twice this. */
const LOCK_MS = 2000;
/** From the second start's "workers started" to 1C's `success`: the stall check and the import. */
const RECOVERY_MS = 45_000;
const LOGIN = 'kill-store';
const PASSWORD = 'пароль-kill';

const catalog = (n: number) =>
  `<?xml version="1.0" encoding="UTF-8"?>\n<КоммерческаяИнформация ВерсияСхемы="2.08"><Каталог СодержитТолькоИзменения="true"><Ид>c1</Ид><Наименование>Каталог</Наименование><Товары>` +
  Array.from({ length: n }, (_, i) => `<Товар><Ид>p-${i}</Ид><Артикул>A${i}</Артикул><Наименование>Товар ${i}</Наименование></Товар>`).join('\n') +
  `</Товары></Каталог></КоммерческаяИнформация>`;

describe('faults: the store on the embedded PostgreSQL killed with SIGKILL mid-import and started again', function () {
  this.timeout(180_000);
  let dataDir: string;
  let redis: OwnRedis;
  let env: Record<string, string | undefined>;
  let db: Db | undefined;
  let url: string;
  const roles: Role[] = [];

  const pidOf = () => Number(fs.readFileSync(path.join(dataDir, 'pg', 'postmaster.pid'), 'utf8').split('\n')[0]);
  const start = async () => {
    const store = startRole(['all'], env);
    roles.push(store);
    for (const line of ['workers started', 'scheduler started', 'web listening']) {
      await until(() => store.out().includes(line) || store.child.exitCode !== null, `the “${line}” line`, 120_000, 100).catch((err) => {
        throw new Error(`${(err as Error).message}\n${store.out()}`);
      });
      expect(store.child.exitCode, store.out().slice(-3000)).to.equal(null);
    }
    return store;
  };
  const products = async (sourceId: number) => Number((await db!('products').where({ source_id: sourceId }).countDistinct({ n: 'external_id' }))[0]!.n);

  before(async function () {
    this.timeout(240_000);
    // Not under a 0700 home: the cluster runs as the "postgres" user when the tests run as root.
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'cp-kill-store-'));
    fs.chmodSync(dataDir, 0o755);
    redis = await startRedis(await freePort());
    const [pgPort, webPort] = [await freePort(), await freePort()];
    url = `http://127.0.0.1:${webPort}/exchange/1c`;
    env = {
      DATABASE_URL: undefined, // the embedded cluster, as `npm start`
      DATA_DIR: dataDir,
      EMBEDDED_PG_PORT: String(pgPort),
      BLOB_STORE: 'fs', // uploads are files in the data directory
      REDIS_URL: redis.url,
      JOB_LOCK_MS: String(LOCK_MS),
      PORT: String(webPort),
      HOST: '127.0.0.1',
      CML_KILL_PASSWORD: PASSWORD,
    };
    await start();
    db = createDb(`postgres://postgres:postgres@127.0.0.1:${pgPort}/counterpart`, { min: 0, max: 2 });
  });

  after(async () => {
    for (const r of roles) r.child.kill('SIGKILL');
    for (const r of roles) await r.exit;
    await db?.destroy();
    // The killed store's cluster: stopped as the next start would.
    if (dataDir) {
      await stopOrphan(path.join(dataDir, 'pg'));
      fs.rmSync(dataDir, { recursive: true, force: true });
    }
    await redis?.kill();
  });

  it('the next start stops the orphaned cluster, takes the import over, and 1C gets success with every product once', async () => {
    const sourceId = await ensureSource(db!, { name: 'cml-kill-store', kind: 'commerceml', settings: { login: LOGIN, passwordEnv: 'CML_KILL_PASSWORD' } });
    const c = new OneCClient(url, { login: LOGIN, password: PASSWORD, pollMs: 100 });
    expect((await c.checkauth('catalog')).status).to.equal('success');
    await c.init('catalog');
    expect((await c.upload('catalog', { name: 'import.xml', data: Buffer.from(catalog(PRODUCTS), 'utf8') })).status).to.equal('success');
    // 1C asks for the import; the store dies while its sync run is open (uncommitted).
    const first = c.importFile('catalog', 'import.xml').then(
      (a) => a,
      (e: Error) => e,
    );
    const killed = await until(() => db!('sync_runs').where({ source_id: sourceId, state: 'running' }).whereNotNull('backend_pid').first('id', 'backend_pid'), 'the import’s sync run to be open', 60_000, 10);
    const cluster = pidOf();
    roles[0]!.child.kill('SIGKILL');
    await roles[0]!.exit;
    expect(await first, 'the poll in flight fails with the store').to.be.instanceOf(Error);
    // The cluster outlived its parent; PostgreSQL rolled the killed run's transaction back.
    expect(processAlive(cluster), 'the embedded cluster outlived the killed store').to.equal(true);
    await until(async () => !(await db!.raw('SELECT 1 FROM pg_stat_activity WHERE pid = ?', [killed.backend_pid])).rows.length, 'the killed run’s backend to be gone', 20_000, 20);
    expect(await products(sourceId)).to.equal(0);
    await db!.destroy();

    // `npm start` again on the same data directory: no hand stops the orphan.
    const store = await start();
    expect(processAlive(cluster), 'the orphan was stopped').to.equal(false);
    expect(store.out()).to.contain('an embedded PostgreSQL left running by a stopped process: stopping it');
    expect(store.out()).to.not.contain("reading 'message'");
    db = createDb(`postgres://postgres:postgres@127.0.0.1:${env.EMBEDDED_PG_PORT}/counterpart`, { min: 0, max: 2 });

    const t0 = Date.now();
    const a = await c.importFile('catalog', 'import.xml');
    expect(a.status, a.lines.join('\n')).to.equal('success');
    expect(Date.now() - t0).to.be.below(RECOVERY_MS);
    expect(await products(sourceId)).to.equal(PRODUCTS);
    expect(Number((await db!('products').where({ source_id: sourceId }).count({ n: '*' }))[0]!.n)).to.equal(PRODUCTS);
    const runs = await db!('sync_runs').where({ source_id: sourceId }).orderBy('id').select('id', 'state', 'error');
    expect(runs.find((r) => r.id === killed.id)!.error).to.match(/^abandoned: the process running it stopped/);
    expect(runs.filter((r) => r.state === 'succeeded'), JSON.stringify(runs)).to.have.length(1);
    const row = (await db!('commerceml_imports').where({ filename: 'import.xml' }).first('state', 'sync_run_id'))!;
    expect(row).to.deep.equal({ state: 'done', sync_run_id: runs.find((r) => r.state === 'succeeded')!.id });
    expect(store.child.exitCode).to.equal(null);
  });
});
