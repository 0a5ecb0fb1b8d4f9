// A `counterpart web` and a `counterpart worker`, each with a DATA_DIR of its own: 1C uploads a
// catalog through the web and asks for its import; the worker is killed with SIGKILL in the
// middle of it. The mirror is unchanged (the import is one transaction), 1C keeps hearing
// `progress`; another worker process, started on another DATA_DIR, takes the stalled job over
// and 1C's exchange ends in `success` with the mirror complete — every product once.
import { expect } from 'chai';
import { OneCClient } from '../../sim/commerceml/client.ts';
import type { Runtime } from '../../src/infra/runtime.ts';
import { ensureSource } from '../../src/sync/index.ts';
import { testRuntime, truncate } from '../support/runtime.ts';
import { until } from '../support/wait.ts';
import { type Cluster, startCluster } from './cluster.ts';

const PASSWORD_ENV = 'CML_MPK_PASSWORD';
const PASSWORD = 'пароль-килл';
/** Enough products that the import is still open when the test sees its sync run. */
const PRODUCTS = 15_000;

function catalogXml(n: number): Buffer {
  const items: string[] = new Array(n);
  for (let i = 0; i < n; i++) items[i] = `<Товар><Ид>k-${i}</Ид><Артикул>K${i}</Артикул><Наименование>Товар ${i}</Наименование></Товар>`;
  return Buffer.from(
    `<?xml version="1.0" encoding="UTF-8"?>\n<КоммерческаяИнформация ВерсияСхемы="2.05"><Каталог СодержитТолькоИзменения="true"><Ид>c1</Ид><Наименование>Каталог</Наименование><Товары>${items.join('\n')}</Товары></Каталог></КоммерческаяИнформация>`,
  );
}

describe('ops: the worker killed mid-import, another one started', function () {
  this.timeout(180_000);
  let rt: Runtime;
  let cluster: Cluster;
  let sourceId: number;

  before(async () => {
    rt = await testRuntime();
    await truncate(rt, 'sources', 'commerceml_sessions', 'sync_runs');
    sourceId = await ensureSource(rt.db, { name: 'cml-mpk', kind: 'commerceml', settings: { login: 'mpk-1c', passwordEnv: PASSWORD_ENV } });
    // JOB_LOCK_MS: the killed worker's lock is gone about this long after it died; not less, or a
    // worker on this loaded machine misses renewing its own lock while it parses (a second stall fails the job)
    cluster = await startCluster(rt, { webs: 1, workers: 1, scheduler: false }, { [PASSWORD_ENV]: PASSWORD, JOB_LOCK_MS: '8000' });
  });
  after(async () => {
    for (const r of cluster?.roles ?? []) if (r.child.exitCode === null && r.child.signalCode === null) r.child.kill('SIGKILL');
    await cluster?.stop();
  });

  it('the mirror is unchanged while the killed run is gone, and complete once another worker ran the import', async () => {
    const products = async () => Number((await rt.db('products').where({ source_id: sourceId }).count({ n: '*' }))[0]!.n);
    const c = new OneCClient(`${cluster.webs[0]}/exchange/1c`, { login: 'mpk-1c', password: PASSWORD, pollMs: 100 });
    const exchange = c.pushCatalog([{ name: 'import.xml', data: catalogXml(PRODUCTS) }]);

    const running = () => rt.db('sync_runs').where({ source_id: sourceId, state: 'running' }).whereNotNull('backend_pid').first('id', 'backend_pid');
    const killed = await until(running, 'the import’s sync run to be open', 60_000, 10);
    const [worker] = cluster.roles.filter((r) => r.out().includes('workers started'));
    worker!.child.kill('SIGKILL');
    await worker!.exit;
    await until(
      async () => !(await rt.db.raw('SELECT 1 FROM pg_stat_activity WHERE pid = ?', [killed.backend_pid])).rows.length,
      'the killed run’s backend to be gone',
      10_000,
      20,
    );
    expect(await products(), 'nothing of the killed run').to.equal(0);

    await cluster.start('worker');
    const r = await exchange;
    expect(r.failed, r.failed?.lines.join('\n')).to.equal(undefined);
    expect(r.answers['import.xml']!.status).to.equal('success');
    expect(await products()).to.equal(PRODUCTS);
    expect(Number((await rt.db('products').where({ source_id: sourceId }).countDistinct({ n: 'external_id' }))[0]!.n)).to.equal(PRODUCTS);
    const runs = await rt.db('sync_runs').where({ source_id: sourceId }).orderBy('id').select('id', 'state');
    expect(runs.find((x) => x.id === killed.id)?.state).to.equal('failed');
    expect(runs.filter((x) => x.state === 'succeeded')).to.have.length(1);
  });
});
