import { expect } from 'chai';
import { importJob, scheduleQuietCheck } from '../../connectors/commerceml/index.ts';
import { reconcileWork } from '../../jobs/work-reconcile.ts';
import { getQueue } from '../../src/infra/queue/connection.ts';
import type { Runtime } from '../../src/infra/runtime.ts';
import { ensureSource } from '../../src/sync/index.ts';
import { resetQueues } from '../support/queues.ts';
import { testRuntime, truncate } from '../support/runtime.ts';

describe('jobs: work.reconcile finds work whose job Redis lost', () => {
  let rt: Runtime;
  let soapId: number;
  let cmlId: number;
  before(async () => {
    rt = await testRuntime();
  });
  beforeEach(async () => {
    await truncate(rt, 'sources', 'outbox', 'commerceml_sessions');
    await resetQueues(rt);
    soapId = await ensureSource(rt.db, { name: 'erp', kind: 'soap', settings: { mapping: 'connectors/mappings/simulator.yaml' } });
    cmlId = await ensureSource(rt.db, { name: 'files', kind: 'commerceml' });
  });
  after(() => resetQueues(rt));

  const outboxRow = (sourceId: number, key: string, dueSecondsAgo: number, kind = 'order.create') =>
    rt.db('outbox').insert({
      source_id: sourceId, kind, idempotency_key: key, payload: JSON.stringify({ orderId: 1 }),
      next_attempt_at: rt.db.raw('now() - make_interval(secs => ?)', [dueSecondsAgo]),
    });
  // Any state: in a full run another file's worker may already have taken the job.
  const waiting = async (queue: 'orders.export' | 'reservations.export' | 'commerceml.import') =>
    (await getQueue(rt, queue).getJobs(['waiting', 'delayed', 'prioritized', 'active', 'completed', 'failed'])).length;

  it('enqueues a delivery run for an overdue outbox row when no scheduler or job would take it, once', async () => {
    await outboxRow(soapId, 'k1', 120);
    expect(await reconcileWork(rt)).to.deep.equal({ deliveries: ['orders.export'], imports: [], failedImports: [], quietChecks: [], mails: 0 });
    expect(await waiting('orders.export')).to.equal(1);
    // The job now waiting will take it: a second pass adds nothing.
    expect((await reconcileWork(rt)).deliveries).to.deep.equal([]);
    expect(await waiting('orders.export')).to.equal(1);
    expect(await waiting('reservations.export')).to.equal(0);
  });

  it('leaves rows alone that are not overdue, are another connector’s, or whose job has its scheduler', async () => {
    await outboxRow(soapId, 'fresh', 5);
    await outboxRow(cmlId, 'cml', 600);
    expect((await reconcileWork(rt)).deliveries).to.deep.equal([]);
    await outboxRow(soapId, 'res', 600, 'reservation.place');
    await getQueue(rt, 'reservations.export').upsertJobScheduler('reservations.export', { every: 5000 }, { name: 'reservations.export', data: {} });
    expect((await reconcileWork(rt)).deliveries).to.deep.equal([]);
  });

  it('re-enqueues a queued CommerceML import whose job is gone, under the same job id, and not one whose job exists', async () => {
    const [s] = await rt.db('commerceml_sessions').insert({ source_id: cmlId, type: 'catalog', token: 'tok-abcdefghijklmnop-1', sessid: 'x' }).returning('id');
    const sessionId = Number(s.id);
    const old = rt.db.raw(`now() - interval '5 minutes'`);
    await rt.db('commerceml_imports').insert([
      { session_id: sessionId, filename: 'import.xml', state: 'queued', created_at: old },
      { session_id: sessionId, filename: 'offers.xml', state: 'running', created_at: old },
      { session_id: sessionId, filename: 'rests.xml', state: 'queued' }, // just queued: the endpoint is adding its job
      { session_id: sessionId, filename: 'done.xml', state: 'done', created_at: old },
    ]);
    const live = importJob({ id: sessionId, token: 'tok-abcdefghijklmnop-1' }, 'offers.xml', 'elsewhere');
    await getQueue(rt, 'commerceml.import').add('commerceml.import', live.data, live.opts);

    const lost = importJob({ id: sessionId, token: 'tok-abcdefghijklmnop-1' }, 'import.xml', '');
    expect((await reconcileWork(rt)).imports).to.deep.equal([lost.opts.jobId]);
    const job = await getQueue(rt, 'commerceml.import').getJob(lost.opts.jobId!);
    expect(job?.data).to.include({ sessionId, filename: 'import.xml' });
    expect((await getQueue(rt, 'commerceml.import').getJob(live.opts.jobId!))?.data.uploadPrefix).to.equal('elsewhere');
    expect((await reconcileWork(rt)).imports).to.deep.equal([]);
    expect(await waiting('commerceml.import')).to.equal(2);
  });

  it('queues the quiet-period check again for a session still waiting for it whose delayed job is gone, once, due at the period’s end', async () => {
    const settings = (login: string, quietPeriodS: number) => ({ login, passwordEnv: 'CML_RECONCILE_PASSWORD', quietPeriodS });
    await rt.db('sources').where({ id: cmlId }).update({ settings: JSON.stringify(settings('files', 600)) });
    const offId = await ensureSource(rt.db, { name: 'never', kind: 'commerceml', settings: settings('never', 0) });
    const session = async (name: string, o: { full?: boolean; imports?: ('queued' | 'running' | 'done' | 'failed')[]; deactivated?: boolean; state?: 'open' | 'completed'; source?: number } = {}) => {
      const [s] = await rt.db('commerceml_sessions')
        .insert({
          source_id: o.source ?? cmlId, type: 'catalog', token: `tok-${name}-abcdefghijklmnop`, sessid: name, state: o.state ?? 'open',
          full_entities: o.full === false ? [] : ['products'], deactivated_at: o.deactivated ? rt.db.fn.now() : null,
          last_seen_at: rt.db.raw(`now() - interval '100 seconds'`),
        })
        .returning('id');
      const id = Number(s.id);
      for (const [i, state] of (o.imports ?? ['done']).entries()) await rt.db('commerceml_imports').insert({ session_id: id, filename: `f${i}.xml`, state });
      return id;
    };
    const waitingFor = await session('lost');
    await session('delta', { full: false });
    await session('deactivated', { deactivated: true });
    await session('completed', { state: 'completed' });
    await session('failedfile', { imports: ['done', 'failed'] });
    await session('busy', { imports: ['done', 'running'] });
    await session('periodoff', { source: offId });
    const live = await session('live');
    expect(await scheduleQuietCheck(rt, live)).to.equal(true);

    expect((await reconcileWork(rt)).quietChecks).to.deep.equal([waitingFor]);
    const jobs = await getQueue(rt, 'commerceml.quiet').getJobs(['delayed']);
    const again = jobs.find((j) => j.data.sessionId === waitingFor)!;
    // 100 s of its 600 s are over: due in about 500 s
    expect(again.opts.delay).to.be.within(495_000, 500_500);
    expect(jobs.map((j) => j.data.sessionId).sort()).to.deep.equal([waitingFor, live].sort());
    expect((await reconcileWork(rt)).quietChecks).to.deep.equal([]);
  });
});
