// A job and its exchange never lose each other: an import whose job is gone is enqueued again (a
// few times, then failed), one whose job ended without a result — stalled past BullMQ's limit,
// or completed — fails with the reason, and a job nobody's exchange waits for fails loudly.
import { expect } from 'chai';
import { UnrecoverableError, Worker } from 'bullmq';
import { importJob, MAX_REQUEUES, runImportJob, watchImport } from '../../../connectors/commerceml/index.ts';
import { HEARTBEAT_STALE_MS } from '../../../connectors/commerceml/import/run-import.ts';
import { reconcileWork } from '../../../jobs/work-reconcile.ts';
import { log } from '../../../src/infra/log.ts';
import { bullOptions, getQueue, quitConnection } from '../../../src/infra/queue/connection.ts';
import type { Runtime } from '../../../src/infra/runtime.ts';
import { until } from '../../support/wait.ts';
import { type Exchange, exchange } from './harness.ts';

const TOKEN = 'a'.repeat(48);

describe('CommerceML exchange: an import and its job never lose each other', function () {
  this.timeout(30_000);
  let ex: Exchange;
  /** The harness's runtime under a prefix of its own: no worker takes these jobs. */
  let rt: Runtime;
  /** Queues close with the suite; test workers after each test. */
  const closers: (() => Promise<void>)[] = [];
  const workers: (() => Promise<void>)[] = [];
  let sessionId: number;

  before(async () => {
    ex = await exchange();
    rt = { ...ex.rt, prefix: `${ex.rt.prefix}:watch`, onShutdown: (_n, fn) => void closers.push(fn) };
  });
  beforeEach(async () => {
    await ex.reset();
    for (const name of ['commerceml.import'] as const) await getQueue(rt, name).obliterate({ force: true });
    const [s] = await rt.db('commerceml_sessions').insert({ source_id: ex.sourceId, type: 'catalog', token: TOKEN, sessid: 'b'.repeat(32) }).returning('id');
    sessionId = Number(s.id);
  });
  afterEach(async () => {
    for (const c of workers.splice(0).reverse()) await c();
  });
  after(async () => {
    for (const c of closers.reverse()) await c();
  });

  const addRow = (filename: string, state: 'queued' | 'running' | 'done' = 'running') =>
    rt.db('commerceml_imports').insert({ session_id: sessionId, filename, state, created_at: new Date(Date.now() - 120_000) });
  const row = async (filename: string) => (await rt.db('commerceml_imports').where({ session_id: sessionId, filename }).first())!;
  const watched = async (filename: string) => ({ ...(await row(filename)), token: TOKEN });

  it('a job Redis lost is enqueued again under its id, at most MAX_REQUEUES times; then the import fails saying why', async () => {
    await addRow('import.xml');
    const id = importJob({ id: sessionId, token: TOKEN }, 'import.xml', 'exchange').opts.jobId!;
    for (let i = 1; i <= MAX_REQUEUES; i++) {
      expect(await watchImport(rt, await watched('import.xml'), 'exchange')).to.deep.equal({ outcome: 'requeued', jobId: id });
      expect((await row('import.xml')).requeues).to.equal(i);
      const job = await getQueue(rt, 'commerceml.import').getJob(id);
      expect(job?.data).to.deep.equal({ sessionId, filename: 'import.xml', uploadPrefix: 'exchange' });
      // while it waits, nothing more happens
      expect(await watchImport(rt, await watched('import.xml'), 'exchange')).to.deep.equal({ outcome: 'alive' });
      await job!.remove(); // lost again
    }
    const last = await watchImport(rt, await watched('import.xml'), 'exchange');
    expect(last.outcome).to.equal('failed');
    const r = await row('import.xml');
    expect(r.state).to.equal('failed');
    expect(r.message).to.equal(
      `import.xml: the import job was lost ${MAX_REQUEUES + 1} times (Redis restarted empty or evicted its keys: it needs maxmemory-policy noeviction); repeat the exchange`,
    );
    expect(r.finished_at).to.be.instanceOf(Date);
  });

  it('a file a worker is still running (fresh heartbeat) is not queued again when its job is gone; a stale heartbeat is', async () => {
    await addRow('import.xml');
    const id = importJob({ id: sessionId, token: TOKEN }, 'import.xml', 'exchange').opts.jobId!;
    // the worker's stamp of a moment ago: Redis lost the job, the run goes on and decides the row
    await rt.db('commerceml_imports').where({ session_id: sessionId, filename: 'import.xml' }).update({ heartbeat_at: rt.db.fn.now() });
    expect(await watchImport(rt, await watched('import.xml'), 'exchange')).to.deep.equal({ outcome: 'alive' });
    expect((await row('import.xml')).requeues).to.equal(0);
    expect(await getQueue(rt, 'commerceml.import').getJob(id)).to.equal(undefined);
    // the worker died: its last stamp ages past HEARTBEAT_STALE_MS
    await rt.db('commerceml_imports')
      .where({ session_id: sessionId, filename: 'import.xml' })
      .update({ heartbeat_at: rt.db.raw('now() - make_interval(secs => ?)', [HEARTBEAT_STALE_MS / 1000 + 1]) });
    expect(await watchImport(rt, await watched('import.xml'), 'exchange')).to.deep.equal({ outcome: 'requeued', jobId: id });
  });

  it('the running job stamps its heartbeat in PostgreSQL while it works', async () => {
    await addRow('import.xml', 'queued');
    expect((await row('import.xml')).heartbeat_at).to.equal(null);
    // no upload: the job starts (stamps), then fails the file — the stamp stays as its last sign of life
    await runImportJob(rt, { sessionId, filename: 'import.xml', uploadPrefix: 'nowhere' }, { made: 0, max: 1 });
    const r = await row('import.xml');
    expect(r.state).to.equal('failed');
    expect(r.heartbeat_at).to.be.instanceOf(Date);
  });

  it('a job that stalled past BullMQ’s limit (its worker died holding it) fails the import with the reason', async () => {
    await addRow('offers.xml');
    const job = importJob({ id: sessionId, token: TOKEN }, 'offers.xml', 'exchange');
    await getQueue(rt, 'commerceml.import').add('commerceml.import', job.data, job.opts);
    // A worker that takes the job and then stops renewing its lock, as a killed process does…
    const dying = bullOptions(rt);
    const taken = new Promise<void>((resolve) => {
      const w = new Worker('commerceml.import', () => {
        resolve();
        return new Promise(() => {});
      }, { ...dying, lockDuration: 300, skipLockRenewal: true, skipStalledCheck: true });
      workers.push(async () => {
        await w.close(true);
        await quitConnection(dying.connection, 'dying worker');
      });
    });
    await taken;
    expect(await watchImport(rt, await watched('offers.xml'), 'exchange')).to.deep.equal({ outcome: 'alive' });
    // …and another worker's stall check, allowed no stall, fails it.
    const checker = bullOptions(rt);
    const w2 = new Worker('commerceml.import', async () => {}, { ...checker, autorun: false, stalledInterval: 100, maxStalledCount: 0 });
    workers.push(async () => {
      await w2.close(true);
      await quitConnection(checker.connection, 'stall checker');
    });
    void w2.run();
    await until(async () => (await getQueue(rt, 'commerceml.import').getJob(job.opts.jobId!))?.isFailed(), 'the job to fail as stalled', 10_000, 50);
    const w = await watchImport(rt, await watched('offers.xml'), 'exchange');
    expect(w.outcome).to.equal('failed');
    expect((await row('offers.xml')).message).to.match(/^offers\.xml: the import job failed without recording a result \(job stalled more than allowable limit\); repeat the exchange$/);
  });

  it('a job that completed with the import still undecided fails it; a decided import is left alone', async () => {
    await addRow('rests.xml');
    await addRow('prices.xml', 'done');
    const queue = getQueue(rt, 'commerceml.import');
    for (const f of ['rests.xml', 'prices.xml']) {
      const job = importJob({ id: sessionId, token: TOKEN }, f, 'exchange');
      await queue.add('commerceml.import', job.data, job.opts);
    }
    const opts = bullOptions(rt);
    const w = new Worker('commerceml.import', async () => 'nothing recorded', opts);
    workers.push(async () => {
      await w.close();
      await quitConnection(opts.connection, 'test worker');
    });
    await until(async () => (await queue.getJobCounts('completed')).completed === 2, 'both jobs to complete', 10_000, 50);
    await w.close();
    expect((await watchImport(rt, await watched('rests.xml'), 'exchange')).outcome).to.equal('failed');
    expect((await row('rests.xml')).message).to.equal('rests.xml: the import job ended without recording a result; repeat the exchange');
    expect(await watchImport(rt, await watched('prices.xml'), 'exchange')).to.deep.equal({ outcome: 'alive' });
    expect((await row('prices.xml')).state).to.equal('done');
  });

  it('work.reconcile applies the same rules: lost → enqueued again, ended without result → failed', async () => {
    await addRow('import.xml');
    await addRow('offers.xml');
    const queue = getQueue(rt, 'commerceml.import');
    const ended = importJob({ id: sessionId, token: TOKEN }, 'offers.xml', 'exchange');
    await queue.add('commerceml.import', ended.data, ended.opts);
    const opts = bullOptions(rt);
    const w = new Worker('commerceml.import', async () => {
      throw new UnrecoverableError('the worker gave up');
    }, opts);
    workers.push(async () => {
      await w.close();
      await quitConnection(opts.connection, 'test worker');
    });
    await until(async () => (await queue.getJobCounts('failed')).failed === 1, 'the job to fail', 10_000, 50);
    await w.close();
    const lost = importJob({ id: sessionId, token: TOKEN }, 'import.xml', '');
    const done = await reconcileWork(rt);
    expect(done.imports).to.deep.equal([lost.opts.jobId]);
    expect(done.failedImports).to.deep.equal([ended.opts.jobId]);
    expect((await row('offers.xml')).message).to.equal('offers.xml: the import job failed without recording a result (the worker gave up); repeat the exchange');
  });

  it('a job for an import this database does not have (unknown session) fails loudly and is not retried', async () => {
    const errors: string[] = [];
    const original = log.error;
    log.error = ((_f: unknown, text: string) => void errors.push(text)) as typeof log.error;
    let err: unknown;
    try {
      await runImportJob(rt, { sessionId: 999_999, filename: 'import.xml', uploadPrefix: 'exchange' }, { made: 0, max: 3 }).catch((e) => (err = e));
    } finally {
      log.error = original;
    }
    expect(err).to.be.instanceOf(UnrecoverableError);
    const text = 'commerceml import job for file "import.xml" of exchange session 999999: no such import in this database (the session was removed, or the job belongs to another store sharing this Redis prefix)';
    expect((err as Error).message).to.equal(text);
    expect(errors).to.deep.equal([text]);
  });

  it('over HTTP: 1C polling an import whose job is gone gets progress, the job is enqueued again, and the next polls end in success', async () => {
    const c = ex.client();
    await c.checkauth('catalog');
    await c.init('catalog');
    const xml = `<?xml version="1.0" encoding="UTF-8"?><КоммерческаяИнформация ВерсияСхемы="2.05"><Каталог><Товары><Товар><Ид>p1</Ид><Наименование>Болт</Наименование></Товар></Товары></Каталог></КоммерческаяИнформация>`;
    expect((await c.upload('catalog', { name: 'import.xml', data: Buffer.from(xml) })).status).to.equal('success');
    const [s] = await ex.rt.db('commerceml_sessions').orderBy('id', 'desc').limit(1);
    // Announced, then Redis lost the job before any worker took it.
    await ex.rt.db('commerceml_imports').insert({ session_id: s.id, filename: 'import.xml', state: 'queued', created_at: new Date(Date.now() - 30_000) });
    const first = await c.call('catalog', 'import', { filename: 'import.xml' });
    expect([first.status, first.lines[0]]).to.deep.equal(['progress', 'import.xml: the import job was lost (Redis restarted?) and is queued again']);
    const a = await c.importFile('catalog', 'import.xml');
    expect(a.status, a.lines.join('\n')).to.equal('success');
    expect(await ex.count('products')).to.equal(1);
    expect((await ex.rt.db('commerceml_imports').where({ session_id: s.id }).first('requeues'))!.requeues).to.equal(1);
  });
});
