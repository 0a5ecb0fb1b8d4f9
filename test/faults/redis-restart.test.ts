// Fault tier: Redis restarted empty (no persistence, a failover, an eviction) under running
// worker and scheduler processes. Nothing is restarted by hand: the scheduler re-creates its
// job schedulers, the stream consumer its group, and an order placed before or after the
// restart reaches the accounting system (the simulator) exactly once within a bound.
import { expect } from 'chai';
import { Redis } from 'ioredis';
import { getQueue } from '../../src/infra/queue/connection.ts';
import type { Runtime } from '../../src/infra/runtime.ts';
import { changesStreamKey, type MirrorChangeEvent } from '../../src/mirror/changes.ts';
import { runFullSync, soapSourceRow } from '../../src/sources/soap-source.ts';
import { requestOrderDelivery } from '../../src/store/orders/export-request.ts';
import type { Simulator } from '../../sim/index.ts';
import { testRuntime, truncate } from '../support/runtime.ts';
import { SIM_PASSWORD, SIM_USER, simSource } from '../support/sim-source.ts';
import { until } from '../support/wait.ts';
import { freePort, type OwnRedis, type Role, startRedis, startRole } from './processes.ts';

/** How long recovery may take: the scheduler reconnects within seconds, orders.export runs every 5 s. */
const RECOVERY_MS = 30_000;

describe('faults: Redis restarted empty under a running store', function () {
  this.timeout(120_000);
  let rt: Runtime;
  let sim: Simulator;
  let sourceId: number;
  let redis: OwnRedis;
  let roles: Role[] = [];
  /** The test's view of the store's runtime, pointed at the test's own Redis. */
  let view: Runtime;
  const closers: (() => Promise<void>)[] = [];
  /** CreateOrder calls the simulator received, by the store's order number. */
  const calls = new Map<string, number>();
  let fixture: { clientId: number; userId: number; cpId: number; contractId: number | null; offerId: number; offerName: string; whId: number };
  let seq = 0;

  before(async () => {
    rt = await testRuntime();
    await truncate(rt, 'sources', 'clients', 'users', 'orders', 'outbox');
    ({ sim, sourceId } = await simSource(rt, 'sim'));
    const create = sim.state.createOrder.bind(sim.state);
    sim.state.createOrder = (o) => {
      calls.set(o.storeNumber, (calls.get(o.storeNumber) ?? 0) + 1);
      return create(o);
    };
    await runFullSync(rt, await soapSourceRow(rt, 'sim'));
    const cp = await rt.db('counterparties').where({ source_id: sourceId }).orderBy('id').first('id');
    const contract = await rt.db('contracts').where({ counterparty_id: cp!.id }).first('id');
    const offer = await rt.db('offers').where({ source_id: sourceId }).orderBy('id').first('id', 'name');
    const wh = await rt.db('warehouses').where({ source_id: sourceId, external_id: 'WH01' }).first('id');
    const [client] = await rt.db('clients').insert({ name: 'Fault client' }).returning('id');
    const [user] = await rt.db('users').insert({ email: 'faults@client.test', name: 'Fault', role: 'buyer', client_id: client.id }).returning('id');
    fixture = { clientId: client.id, userId: user.id, cpId: cp!.id, contractId: contract?.id ?? null, offerId: offer!.id, offerName: offer!.name ?? '', whId: wh!.id };

    redis = await startRedis(await freePort());
    const conn = new Redis(redis.url, { maxRetriesPerRequest: 3 });
    conn.on('error', () => {}); // down on purpose while the test restarts it
    view = {
      ...rt,
      redis: conn,
      redisUrl: redis.url,
      onShutdown: (_name, fn) => void closers.push(fn),
      shutdown: async () => {},
    };
    closers.push(async () => void conn.disconnect());
    const env = { REDIS_URL: redis.url, SIM_SOAP_USER: SIM_USER, SIM_SOAP_PASSWORD: SIM_PASSWORD };
    roles = [startRole(['worker'], env), startRole(['scheduler'], env)];
    await until(() => roles[0]!.out().includes('workers started'), 'the worker process to start', 60_000, 100).catch((err) => {
      throw new Error(`${(err as Error).message}\n${roles[0]!.out()}`);
    });
    await until(() => roles[1]!.out().includes('scheduler started'), 'the scheduler process to start', 60_000, 100).catch((err) => {
      throw new Error(`${(err as Error).message}\n${roles[1]!.out()}`);
    });
  });

  after(async () => {
    for (const r of roles) await r.stop();
    for (const c of closers.reverse()) await c();
    await redis?.kill();
    await sim?.stop();
  });

  /** An order as checkout writes it: order, line, outbox row; returns its number. */
  async function placeOrder(): Promise<string> {
    const number = `CP-F${process.pid}-${++seq}`;
    const f = fixture;
    const [{ id }] = await rt.db('orders')
      .insert({ number, source_id: sourceId, client_id: f.clientId, user_id: f.userId, counterparty_id: f.cpId, contract_id: f.contractId, total: '100.00', comment: '' })
      .returning('id');
    await rt.db('order_lines').insert({ order_id: id, line_no: 1, offer_id: f.offerId, warehouse_id: f.whId, name: f.offerName, quantity: '1', price: '100.00', amount: '100.00' });
    await rt.db('outbox').insert({ source_id: sourceId, kind: 'order.create', idempotency_key: `order:${id}`, payload: { orderId: id } });
    return number;
  }

  const orderId = async (number: string) => (await rt.db('orders').where({ number }).first('id'))!.id;
  const inSim = (number: string) => sim.state.orders().filter((o) => o.storeNumber === number).length;
  const delivered = async (number: string) => {
    const row = await rt.db('outbox as x').join('orders as o', 'o.id', rt.db.raw("(x.payload->>'orderId')::bigint")).where('o.number', number).first('x.state');
    return row?.state === 'delivered' && inSim(number) === 1;
  };

  async function restartRedisEmpty(): Promise<void> {
    const marker = `${rt.prefix}:faults:marker`;
    await view.redis.set(marker, '1');
    await redis.kill();
    redis = await startRedis(redis.port);
    // A new, empty server (the roles may have written to it already).
    expect(await view.redis.exists(marker)).to.equal(0);
  }

  it('an order being exported when Redis dies, and one placed after it came back empty, each reach the system exactly once', async () => {
    // Slow CreateOrder answers, so the first export is in flight while Redis goes.
    sim.faults.set({ kind: 'latency', ms: 2000, operations: ['CreateOrder'], times: 1 });
    const first = await placeOrder();
    await requestOrderDelivery(view, first);
    // In flight: the worker holds the row's lock while it waits for the system's answer.
    const inFlight = () =>
      rt.db.transaction(async (trx) => {
        const row = await trx('outbox').where({ idempotency_key: `order:${await orderId(first)}`, state: 'pending' }).forUpdate().skipLocked().first('id');
        return !row && !calls.get(first);
      });
    await until(inFlight, 'the export of the first order to be in flight', RECOVERY_MS, 20);
    const checks = () => roles[1]!.out().split('\n').filter((l) => l.includes('redis reconnected: job schedules checked')).length;
    const checked = checks();
    await restartRedisEmpty();
    // The scheduler checks its schedules as soon as it is connected again, not only at its 30 s pass.
    await until(() => checks() > checked, 'the scheduler to check its schedules at the reconnect', RECOVERY_MS, 50);

    // Placed after the restart and not announced: only a re-created schedule can deliver it.
    const second = await placeOrder();
    await until(() => delivered(first), 'the first order delivered', RECOVERY_MS, 100);
    await until(() => delivered(second), 'the second order delivered by the re-created schedule', RECOVERY_MS, 100);
    expect(await getQueue(view, 'orders.export').getJobScheduler('orders.export')).to.not.equal(undefined);

    // And one announced by its checkout in the new Redis.
    const third = await placeOrder();
    await requestOrderDelivery(view, third);
    await until(() => delivered(third), 'the third order delivered', RECOVERY_MS, 100);
    for (const n of [first, second, third]) {
      expect(inSim(n), n).to.equal(1);
      expect(calls.get(n), n).to.equal(1);
    }
    expect(await rt.db('outbox').whereNot({ state: 'delivered' }).count('* as n').first()).to.deep.equal({ n: 0 });
  });

  it('the change stream works again after the restart: stock changes reach the reservation consumer, and NOGROUP does not repeat', async () => {
    await restartRedisEmpty();
    const publish = async (offerId: number) => {
      const e: MirrorChangeEvent = { sourceId, runId: 0, at: new Date().toISOString(), stockCrossed: [], stockChangedOffers: [offerId], priceChangedOffers: [], truncated: false };
      const id = await view.redis.xadd(changesStreamKey(rt.prefix), '*', 'event', JSON.stringify(e));
      return `stock-${id!.replace(/[^0-9]/g, '_')}`;
    };
    const reached = async (jobId: string) => {
      const job = await getQueue(view, 'reservations.stock-changed').getJob(jobId);
      return job ? (await job.getState()) === 'completed' : false;
    };
    const firstJob = await publish(fixture.offerId);
    await until(() => reached(firstJob), 'a stock change after the restart to reach reservations.stock-changed', RECOVERY_MS, 100);
    const worker = roles[0]!;
    const nogroup = () => worker.out().split('\n').filter((l) => l.includes('NOGROUP')).length;
    const before = nogroup();
    // A second change a little later: handled, and no NOGROUP line in between.
    const secondJob = await publish(fixture.offerId);
    await until(() => reached(secondJob), 'the next stock change to be handled', RECOVERY_MS, 100);
    expect(nogroup(), worker.out().slice(-3000)).to.equal(before);
    expect(worker.out()).to.contain('stream consumer group ensured');
    // Both processes are still the ones started before the restarts.
    for (const r of roles) expect(r.child.exitCode).to.equal(null);
  });
});
