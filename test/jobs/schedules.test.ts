import { Queue } from 'bullmq';
import { expect } from 'chai';
import { JOBS } from '../../jobs/registry.ts';
import { type RunningScheduler, startScheduler } from '../../src/app/roles/scheduler.ts';
import { bullOptions, getQueue } from '../../src/infra/queue/connection.ts';
import { announceSourcesChanged } from '../../src/infra/queue/schedules-signal.ts';
import type { Runtime } from '../../src/infra/runtime.ts';
import { ensureSource } from '../../src/sync/index.ts';
import { testRuntime, truncate } from '../support/runtime.ts';
import { until } from '../support/wait.ts';

const MAPPING = 'connectors/mappings/simulator.yaml';
const scheduler = (rt: Runtime, queue: 'sync.full' | 'sync.changes' | 'orders.status' | 'orders.export', id: string) =>
  getQueue(rt, queue).getJobScheduler(id);

async function removeAllSchedulers(rt: Runtime): Promise<void> {
  for (const def of JOBS) {
    const q = getQueue(rt, def.name);
    for (const s of await q.getJobSchedulers(0, -1)) await q.removeJobScheduler(s.key);
    await q.obliterate({ force: true });
  }
}

describe('jobs: schedules of the SOAP jobs', () => {
  let rt: Runtime;
  before(async () => {
    rt = await testRuntime();
    await truncate(rt, 'sources');
    await ensureSource(rt.db, { name: 'erp', kind: 'soap', settings: { mapping: MAPPING, pollIntervalMs: 3000, fullSyncCron: '0 3 * * *' } });
    await ensureSource(rt.db, { name: 'quiet', kind: 'soap', settings: { mapping: MAPPING, fullSyncCron: 'off' } });
    await ensureSource(rt.db, { name: 'files', kind: 'commerceml' });
  });
  after(async () => {
    await removeAllSchedulers(rt);
    await truncate(rt, 'sources');
  });

  it('schedules a nightly full sync, a feed poll and a status pull per SOAP source, and one outbox sweep', async () => {
    const all = (await Promise.all(JOBS.filter((j) => j.schedules).map(async (j) => (await j.schedules!(rt)).map((s) => ({ job: j.name, ...s }))))).flat();
    const mine = all.filter((s) => s.job.startsWith('sync.') || s.job.startsWith('orders.'));
    expect(mine.map((s) => [s.id, s.pattern ?? s.everyMs])).to.deep.include.members([
      ['sync.full:erp', '0 3 * * *'],
      ['sync.changes:erp', 3000],
      ['sync.changes:quiet', 5000],
      ['orders.status:erp', 10_000],
      ['orders.export', 5000],
    ]);
    expect(mine.some((s) => s.id === 'sync.full:quiet' || s.id.endsWith(':files'))).to.equal(false);
  });

  describe('the scheduler role', () => {
    let running: RunningScheduler | undefined;
    afterEach(async () => {
      await running?.stop();
      running = undefined;
    });

    it('registers them as BullMQ job schedulers, each on its job kind’s queue (only enqueues)', async () => {
      running = await startScheduler(rt, { intervalMs: 3_600_000 });
      expect(running.ids).to.include.members(['sync.full:erp', 'sync.changes:erp', 'orders.export']);
      expect(Number((await scheduler(rt, 'sync.changes', 'sync.changes:erp'))?.every)).to.equal(3000);
      expect((await scheduler(rt, 'sync.full', 'sync.full:erp'))?.pattern).to.equal('0 3 * * *');
      expect(await scheduler(rt, 'sync.full', 'sync.changes:erp')).to.equal(undefined);
      // A second pass with nothing changed touches nothing.
      expect(await running.reconcile()).to.deep.equal({ added: [], updated: [], removed: [] });
    });

    it('follows the sources when told: a new source gets its schedules, a changed one is updated, a deleted one loses them', async () => {
      running = await startScheduler(rt, { intervalMs: 3_600_000 });
      await ensureSource(rt.db, { name: 'branch', kind: 'soap', settings: { mapping: MAPPING, pollIntervalMs: 4000, fullSyncCron: '0 4 * * *' } });
      await announceSourcesChanged(rt);
      // The status pull is the last of the three a pass adds.
      await until(() => scheduler(rt, 'orders.status', 'orders.status:branch'), 'the new source’s schedules');
      expect(Number((await scheduler(rt, 'sync.changes', 'sync.changes:branch'))?.every)).to.equal(4000);
      expect((await scheduler(rt, 'sync.full', 'sync.full:branch'))?.pattern).to.equal('0 4 * * *');

      await rt.db('sources').where({ name: 'branch' }).update({ settings: JSON.stringify({ mapping: MAPPING, pollIntervalMs: 7000, fullSyncCron: 'off' }) });
      await announceSourcesChanged(rt);
      await until(async () => Number((await scheduler(rt, 'sync.changes', 'sync.changes:branch'))?.every) === 7000, 'the changed poll interval');
      expect(await scheduler(rt, 'sync.full', 'sync.full:branch')).to.equal(undefined);

      await rt.db('sources').where({ name: 'branch' }).del();
      await announceSourcesChanged(rt);
      await until(async () => !(await scheduler(rt, 'orders.status', 'orders.status:branch')), 'the deleted source’s schedules to go');
      expect(await scheduler(rt, 'sync.changes', 'sync.changes:branch')).to.equal(undefined);
      expect(await scheduler(rt, 'sync.changes', 'sync.changes:erp')).to.not.equal(undefined);
    });

    it('also reconciles on its own, every interval, without being told', async () => {
      running = await startScheduler(rt, { intervalMs: 50 });
      await ensureSource(rt.db, { name: 'unannounced', kind: 'soap', settings: { mapping: MAPPING } });
      await until(() => scheduler(rt, 'sync.changes', 'sync.changes:unannounced'), 'the periodic pass to add the poll');
      await rt.db('sources').where({ name: 'unannounced' }).del();
      await until(async () => !(await scheduler(rt, 'sync.changes', 'sync.changes:unannounced')), 'the periodic pass to remove it');
    });

    it('re-adds every scheduler when Redis lost them all (restarted empty), at its periodic pass', async () => {
      running = await startScheduler(rt, { intervalMs: 50 });
      expect(await scheduler(rt, 'orders.export', 'orders.export')).to.not.equal(undefined);
      // What a Redis restarted without persistence looks like to this deployment: no BullMQ keys at all.
      await rt.redis.del(...(await rt.redis.keys(`${rt.prefix}:bull:*`)));
      await until(() => scheduler(rt, 'orders.export', 'orders.export'), 'the periodic pass to re-add the outbox sweep');
      await until(() => scheduler(rt, 'sync.full', 'sync.full:erp'), 'the periodic pass to re-add the nightly sync');
      expect(await scheduler(rt, 'sync.changes', 'sync.changes:erp')).to.not.equal(undefined);
    });

    it('removes the schedulers left on the old shared queues', async () => {
      const legacy = new Queue('sync', bullOptions(rt));
      try {
        await legacy.upsertJobScheduler('sync.changes:erp', { every: 3000 }, { name: 'sync.changes', data: { source: 'erp' } });
        running = await startScheduler(rt, { intervalMs: 3_600_000 });
        expect(await legacy.getJobSchedulers(0, -1)).to.deep.equal([]);
      } finally {
        await legacy.obliterate({ force: true });
        await legacy.close();
      }
    });
  });
});
