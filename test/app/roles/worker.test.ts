// The worker role against real Redis: each job kind runs at its own declared concurrency, also
// across two worker processes' worth of workers, and jobs left on the old shared queues move.
import { Queue, type Worker } from 'bullmq';
import { expect } from 'chai';
import { syncFull } from '../../../jobs/sync-full.ts';
import type { JobDefinition } from '../../../jobs/types.ts';
import { moveLegacyJobs } from '../../../src/app/roles/legacy-queues.ts';
import { startWorkers } from '../../../src/app/roles/worker.ts';
import { bullOptions, getQueue } from '../../../src/infra/queue/connection.ts';
import type { QueueName } from '../../../src/infra/queue/names.ts';
import type { Runtime } from '../../../src/infra/runtime.ts';
import { testRuntime } from '../../support/runtime.ts';
import { until } from '../../support/wait.ts';

/** A job kind whose jobs hold until released, counting how many run at once. */
function heldKind(name: QueueName, concurrency: number) {
  const state = { running: 0, most: 0, done: 0, releases: [] as (() => void)[] };
  const def: JobDefinition<never> = {
    name,
    concurrency,
    process: () =>
      new Promise((resolve) => {
        state.running++;
        state.most = Math.max(state.most, state.running);
        state.releases.push(() => {
          state.running--;
          state.done++;
          resolve(undefined);
        });
      }),
  };
  return { def, state };
}

describe('roles/worker: one queue per job kind', () => {
  let rt: Runtime;
  let workers: Worker[] = [];
  let held: { releases: (() => void)[] } | undefined;
  before(async () => {
    rt = await testRuntime();
  });
  afterEach(async () => {
    // A failed test may leave jobs holding: let them finish so the workers can close.
    for (const release of held?.releases.splice(0) ?? []) release();
    await Promise.all(workers.map((w) => w.close()));
    workers = [];
  });

  async function runHeld(name: QueueName, concurrency: number, jobs: number) {
    const queue = getQueue(rt, name);
    await queue.obliterate({ force: true });
    const { def, state } = heldKind(name, concurrency);
    held = state;
    // Two worker processes' worth: each alone would take `concurrency` jobs.
    workers = [...(await startWorkers(rt, [def])), ...(await startWorkers(rt, [def]))];
    await queue.addBulk(Array.from({ length: jobs }, (_, i) => ({ name, data: { i } as never })));
    for (let released = 0; released < jobs; released++) {
      const inFlight = Math.min(concurrency, jobs - released);
      await until(() => state.running >= inFlight, `${inFlight} jobs running`);
      state.releases.shift()!();
    }
    await until(async () => (await queue.getJobCounts('completed')).completed === jobs, 'every job completed');
    await queue.obliterate({ force: true });
    return state;
  }

  it('sync.full runs at most its declared 2 at once, across two workers of the kind', async () => {
    expect(syncFull.concurrency).to.equal(2);
    const state = await runHeld('sync.full', syncFull.concurrency!, 7);
    expect(state.done).to.equal(7);
    expect(state.most).to.equal(2);
  });

  it('a kind declared 3 does run 3 at once (the limit is the declaration, not one at a time)', async () => {
    const state = await runHeld('orders.status', 3, 7);
    expect(state.most).to.equal(3);
  });

  it('refuses a job whose name is not its queue’s kind instead of running the wrong processor', async () => {
    const queue = getQueue(rt, 'sync.full');
    await queue.obliterate({ force: true });
    const { def, state } = heldKind('sync.full', 2);
    workers = await startWorkers(rt, [def]);
    const job = await queue.add('sync.changes' as never, { source: 'x' } as never);
    await until(async () => (await job.getState()) === 'failed', 'the stray job to fail');
    expect(state.running + state.done).to.equal(0);
    expect((await queue.getJob(job.id!))?.failedReason).to.match(/does not belong on queue "sync.full"/);
    await queue.obliterate({ force: true });
  });

  it('moves jobs left on the old shared queues into their kinds’ queues once, keeping ids and delays', async () => {
    const mail = new Queue('mail', bullOptions(rt));
    const reservations = new Queue('reservations', bullOptions(rt));
    try {
      for (const name of ['mail.send', 'reservations.expire'] as const) await getQueue(rt, name).obliterate({ force: true });
      await mail.add('mail.send', { to: 'a@example.com', template: 'invite', data: {} }, { jobId: 'mail-invite-7', attempts: 10 });
      await reservations.add('reservations.expire', { reservationId: 5 }, { delay: 3_600_000 });
      await reservations.add('no.such.kind', {});
      // Two worker processes starting at once.
      await Promise.all([moveLegacyJobs(rt), moveLegacyJobs(rt)]);

      const sent = await getQueue(rt, 'mail.send').getJobs(['wait']);
      expect(sent.map((j) => [j.id, j.data.to, j.opts.attempts])).to.deep.equal([['mail-invite-7', 'a@example.com', 10]]);
      const expiring = await getQueue(rt, 'reservations.expire').getJobs(['delayed']);
      expect(expiring.map((j) => j.data)).to.deep.equal([{ reservationId: 5 }]);
      expect(expiring[0]!.opts.delay).to.be.within(3_500_000, 3_600_000);
      expect(await mail.getJobCounts('wait', 'delayed')).to.deep.equal({ wait: 0, delayed: 0 });
      // A job of a kind this release does not know stays for someone to look at.
      expect((await reservations.getJobs(['wait', 'delayed'])).map((j) => j.name)).to.deep.equal(['no.such.kind']);
    } finally {
      for (const q of [mail, reservations]) {
        await q.obliterate({ force: true });
        await q.close();
      }
      for (const name of ['mail.send', 'reservations.expire'] as const) await getQueue(rt, name).obliterate({ force: true });
    }
  });
});
