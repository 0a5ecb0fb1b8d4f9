// Two `counterpart web` processes on one PostgreSQL database and Redis prefix: a stock change
// committed once reaches the SSE clients of both webs (the change stream is in Redis, read by
// each web), and 200 buyers reserving at once, half through each web, oversell nothing (the
// check and the hold are one statement under the stock row's lock in PostgreSQL, not in a web).
import { expect } from 'chai';
import type { Runtime } from '../../src/infra/runtime.ts';
import { applyBatch } from '../../src/sync/index.ts';
import type { StoreFixture } from '../support/mirror-fixtures.ts';
import { SseStream } from '../support/sse.ts';
import { testRuntime } from '../support/runtime.ts';
import { seedWorld } from '../support/world.ts';
import { type Cluster, sessionFor, startCluster } from './cluster.ts';

const BUYERS = 200;
/** Units of each hot offer at the main warehouse: fewer in all than the buyers ask for. */
const UNITS = 35;

describe('ops: two webs — live stock on both, a reservation race split across them', function () {
  this.timeout(120_000);
  let rt: Runtime;
  let fx: StoreFixture;
  let cluster: Cluster;

  before(async () => {
    rt = await testRuntime();
    fx = await seedWorld(rt);
    cluster = await startCluster(rt, { webs: 2, workers: 0, scheduler: false });
  });
  after(async () => {
    await cluster?.stop();
  });

  it('a stock change reaches the SSE clients of both webs', async () => {
    const [offer, main] = [fx.offers[3]!, fx.warehouses.main];
    const buyer = await sessionFor(rt, fx.users.a);
    const client = (base: string) => ({ base, cookies: new Map([buyer.cookie.split('=') as [string, string]]) });
    // Each answer's headers come after its web subscribed: nothing published from now on is missed.
    const streams = await Promise.all(cluster.webs.map((base) => SseStream.open(client(base), `/live/offers?ids=${offer}`)));
    for (const s of streams) expect(s.res.headers.get('content-type')).to.contain('text/event-stream');
    await applyBatch(cluster.rt, { sourceId: fx.sourceId, kind: 'test', mode: 'delta' }, { stock: [{ offerExternalId: 'p4', warehouseExternalId: 'w-main', quantity: '77' }] });
    const cell = `s${offer}-${main}`;
    await Promise.all(
      streams.map((s, i) => s.waitFor((m) => m.some((e) => e.event === cell && e.data === '77'), `stock 77 over SSE from web ${i + 1}`)),
    );
    for (const s of streams) await s.close();
  });

  it(`${BUYERS} buyers reserving at once through both webs get exactly the stock, never more`, async () => {
    const hot = [fx.offers[4]!, fx.offers[5]!];
    const main = fx.warehouses.main;
    await rt.db('stock').whereIn('offer_id', hot).andWhere({ warehouse_id: main }).update({ quantity: String(UNITS) });
    await applyBatch(rt, { sourceId: fx.sourceId, kind: 'test', mode: 'delta' }, {
      counterparties: Array.from({ length: BUYERS }, (_, i) => ({ externalId: `race-${i}`, name: `Покупатель ${i}` })),
    });
    const cps = (await rt.db('counterparties').where('external_id', 'like', 'race-%').orderBy('id').pluck('id')) as number[];
    const clients = await rt.db('clients').insert(cps.map((c, i) => ({ name: `Гонка ${i}`, head_counterparty_id: c }))).returning('id');
    await rt.db('client_counterparties').insert(cps.map((c, i) => ({ client_id: clients[i].id, counterparty_id: c })));
    const users = await rt.db('users').insert(clients.map((c: { id: number }, i: number) => ({ email: `race${i}@race.test`, role: 'buyer', client_id: c.id }))).returning('id');
    const sessions = await Promise.all(users.map((u: { id: number }) => sessionFor(rt, u.id)));

    // Every buyer asks for 1 unit; half of them through each web, half for each offer.
    const answers = await Promise.all(
      sessions.map(async (s, i) => {
        const res = await fetch(`${cluster.webs[i % 2]}/reservations`, {
          method: 'POST',
          redirect: 'manual',
          headers: { cookie: s.cookie, 'x-csrf-token': s.csrf, 'hx-request': 'true', 'content-type': 'application/x-www-form-urlencoded' },
          body: new URLSearchParams({ offerId: String(hot[Math.floor(i / 2) % 2]), warehouseId: String(main), quantity: '1' }),
        });
        return { web: i % 2, status: res.status, text: await res.text() };
      }),
    );
    const statuses: Record<number, number> = {};
    for (const a of answers) statuses[a.status] = (statuses[a.status] ?? 0) + 1;
    // granted: 200 with the fragment; refused: the fragment with the refusal's 409
    expect(Object.keys(statuses).sort(), JSON.stringify(statuses)).to.deep.equal(['200', '409']);
    expect(statuses[200]).to.equal(2 * UNITS);
    for (const web of [0, 1]) expect(answers.filter((a) => a.web === web && a.status === 200).length, `granted through web ${web + 1}`).to.be.above(0);
    const { rows: held } = await rt.db.raw<{ rows: { n: number }[] }>(
      `SELECT sum(quantity)::int AS n FROM reservations WHERE offer_id = ANY(?) AND state = 'active' GROUP BY offer_id`,
      [hot],
    );
    expect(held.map((h) => h.n)).to.deep.equal([UNITS, UNITS]);
    expect(Number((await rt.db('reservations').whereIn('offer_id', hot).count({ n: '*' }))[0]!.n)).to.equal(2 * UNITS);
  });
});
