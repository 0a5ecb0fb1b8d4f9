import { expect } from 'chai';
import { JOBS } from '../../jobs/registry.ts';
import type { Runtime } from '../../src/infra/runtime.ts';
import { startScheduler } from '../../src/app/roles/scheduler.ts';
import { getQueue } from '../../src/infra/queue/connection.ts';
import { ensureSource } from '../../src/sync/index.ts';
import { testRuntime, truncate } from '../support/runtime.ts';

describe('jobs: schedules of the SOAP jobs', () => {
  let rt: Runtime;
  before(async () => {
    rt = await testRuntime();
    await truncate(rt, 'sources');
    await ensureSource(rt.db, { name: 'erp', kind: 'soap', settings: { mapping: 'connectors/mappings/simulator.yaml', pollIntervalMs: 3000, fullSyncCron: '0 3 * * *' } });
    await ensureSource(rt.db, { name: 'quiet', kind: 'soap', settings: { mapping: 'connectors/mappings/simulator.yaml', fullSyncCron: 'off' } });
    await ensureSource(rt.db, { name: 'files', kind: 'commerceml' });
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

  it('the scheduler role registers them as BullMQ job schedulers (only enqueues)', async () => {
    const ids = await startScheduler(rt);
    expect(ids).to.include.members(['sync.full:erp', 'sync.changes:erp', 'orders.export']);
    const schedulers = await getQueue(rt, 'sync').getJobSchedulers();
    const poll = schedulers.find((s) => s.key === 'sync.changes:erp')!;
    expect(Number(poll.every)).to.equal(3000);
    for (const s of ids) await getQueue(rt, s.startsWith('orders') ? 'orders' : 'sync').removeJobScheduler(s);
  });
});
