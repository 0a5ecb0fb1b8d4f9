// Fault tier: two syncs of one source racing while Redis is restarted empty. A full sync has read
// the offers (old stock) and is still reading when Redis loses everything — its lock key too.
// The stock then changes in the accounting system; the polls the scheduler re-creates start change
// runs, which must not overtake the full sync (the PostgreSQL lock refuses them), and once it
// committed they bring the newer stock. Nothing older overwrites newer, the cursor never moves
// back, and nobody restarts anything.
import { expect } from 'chai';
import { Redis } from 'ioredis';
import { getQueue } from '../../src/infra/queue/connection.ts';
import type { Runtime } from '../../src/infra/runtime.ts';
import { requestFullSync } from '../../src/infra/queue/sync-requests.ts';
import { runFullSync, soapSourceRow } from '../../src/sources/soap-source.ts';
import type { Simulator } from '../../sim/index.ts';
import { testRuntime, truncate } from '../support/runtime.ts';
import { SIM_PASSWORD, SIM_USER, simSource } from '../support/sim-source.ts';
import { until } from '../support/wait.ts';
import { freePort, type OwnRedis, type Role, startRedis, startRole } from './processes.ts';

describe('faults: a full sync and change runs of one source racing across a Redis restart', function () {
  this.timeout(120_000);
  let rt: Runtime;
  let sim: Simulator;
  let sourceId: number;
  let redis: OwnRedis;
  let view: Runtime;
  let roles: Role[] = [];
  const closers: (() => Promise<void>)[] = [];
  let offerId: string;

  const stockOf = async () =>
    (
      await rt.db('stock as s')
        .join('offers as o', 'o.id', 's.offer_id')
        .join('warehouses as w', 'w.id', 's.warehouse_id')
        .where({ 'o.source_id': sourceId, 'o.external_id': offerId, 'w.external_id': 'WH01' })
        .first('s.quantity')
    )?.quantity;
  const cursor = async () => (await rt.db('sources').where({ id: sourceId }).first('cursor'))?.cursor;

  before(async function () {
    this.timeout(180_000);
    rt = await testRuntime();
    await truncate(rt, 'sources');
    // Polled every second (the poll is the change runs' retry).
    ({ sim, sourceId } = await simSource(rt, 'sim', undefined, { pollIntervalMs: 1000, fullSyncCron: 'off' }));
    offerId = sim.state.data.offers[0]!.id;
    sim.state.setStock(offerId, 'WH01', '140');
    await runFullSync(rt, await soapSourceRow(rt, 'sim'));
    expect(await stockOf()).to.equal('140.000');

    redis = await startRedis(await freePort());
    const conn = new Redis(redis.url, { maxRetriesPerRequest: 3 });
    conn.on('error', () => {});
    view = { ...rt, redis: conn, redisUrl: redis.url, onShutdown: (_n, fn) => void closers.push(fn), shutdown: async () => {} };
    closers.push(async () => void conn.disconnect());
    const env = { REDIS_URL: redis.url, SIM_SOAP_USER: SIM_USER, SIM_SOAP_PASSWORD: SIM_PASSWORD };
    roles = [startRole(['worker'], env), startRole(['scheduler'], env)];
    for (const [r, line] of [[roles[0]!, 'workers started'], [roles[1]!, 'scheduler started']] as const) {
      await until(() => r.out().includes(line), `the ${line.split(' ')[0]} process to start`, 90_000, 100).catch((err) => {
        throw new Error(`${(err as Error).message}\n${r.out()}`);
      });
    }
  });

  after(async () => {
    for (const r of roles) await r.stop();
    for (const c of closers.reverse()) await c();
    await redis?.kill();
    await sim?.stop();
  });

  it('the change runs wait for the full sync instead of overtaking it, then bring the newer stock; the cursor only moves forward', async () => {
    const before = await cursor();
    // The full sync reads the offers (stock 140), then hangs on the counterparties.
    sim.faults.set({ kind: 'latency', ms: 6000, operations: ['GetCounterparties'], times: 1 });
    await requestFullSync(view, 'sim');
    await until(() => sim.faults.active().length === 0, 'the full sync to be reading the counterparties', 30_000, 20);
    const full = await rt.db('sync_runs').where({ source_id: sourceId, kind: 'full', state: 'running' }).first('id');
    expect(full).to.not.equal(undefined);

    // Redis loses everything (the full sync's lock key with it); then the stock changes.
    await redis.kill();
    redis = await startRedis(redis.port);
    sim.state.setStock(offerId, 'WH01', '6161');
    const newer = sim.state.cursor();

    // The re-created polls try the source and are refused by the database lock.
    const worker = roles[0]!;
    await until(() => worker.out().includes('the Redis key was free but another sync holds the database lock'), 'a change run to be refused', 30_000, 50).catch(
      (err) => {
        throw new Error(`${(err as Error).message}\n${worker.out().slice(-4000)}`);
      },
    );
    // The full sync commits its snapshot…
    const fullRun = await until(
      async () => rt.db('sync_runs').where({ id: full!.id }).whereNot({ state: 'running' }).first('state', 'error', 'finished_at'),
      'the full sync to finish',
      30_000,
      50,
    );
    expect(fullRun.state, fullRun.error ?? '').to.equal('succeeded');
    // …and the next poll brings the newer stock, with the cursor moved forward.
    await until(async () => (await stockOf()) === '6161.000', 'the newer stock to arrive', 30_000, 100);
    expect(await cursor()).to.equal(newer);
    expect(Number(newer)).to.be.greaterThan(Number(before));
    const changes = await rt.db('sync_runs').where({ source_id: sourceId, kind: 'changes', state: 'succeeded' }).orderBy('id').first('finished_at');
    expect(changes!.finished_at!.getTime()).to.be.greaterThan(fullRun.finished_at!.getTime());
    // No run of the source failed as overtaken or lost its lock, and nothing older came back.
    expect(await rt.db('sync_runs').where({ source_id: sourceId, state: 'failed' }).select('error')).to.deep.equal([]);
    const polls = getQueue(view, 'sync.changes');
    const done = (await polls.getJobCounts('completed')).completed ?? 0;
    await until(async () => ((await polls.getJobCounts('completed')).completed ?? 0) >= done + 2, 'two more polls to run', 15_000, 100);
    expect(await stockOf()).to.equal('6161.000');
    expect(await cursor()).to.equal(newer);
    for (const r of roles) expect(r.child.exitCode).to.equal(null);
  });
});
