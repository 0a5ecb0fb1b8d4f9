// The outbox delivery loop on real PostgreSQL, with deliverers the tests control: ordering keys,
// two workers at once (SKIP LOCKED), backoff, 'failed', rollback of a failed delivery's writes.
import { expect } from 'chai';
import type { Knex } from 'knex';
import type { Runtime } from '../../src/infra/runtime.ts';
import { backoffSeconds, type Delivery, deliverDue, type OutboxRow } from '../../src/sources/outbox.ts';
import { testRuntime, truncate } from '../support/runtime.ts';

const KINDS = ['reservation.place', 'reservation.extend', 'reservation.release'] as const;

class Final extends Error {}

describe('sources: the outbox delivery loop', () => {
  let rt: Runtime;
  let soapId: number;
  let cmlId: number;
  let delivered: string[];

  const insert = (key: string, kind: (typeof KINDS)[number], orderingKey: string | null, sourceId = soapId) =>
    rt.db('outbox').insert({ source_id: sourceId, kind, idempotency_key: key, ordering_key: orderingKey, payload: { key } });
  const row = (key: string) => rt.db('outbox').where({ idempotency_key: key }).first();
  const makeDue = () => rt.db('outbox').update({ next_attempt_at: rt.db.fn.now() });
  /** A delivery recording the keys it delivered; `fail` decides per row whether (and how) it throws. */
  const delivery = (fail: (row: OutboxRow) => Error | undefined = () => undefined, extra: Partial<Delivery> = {}): Delivery => ({
    name: 'test',
    kinds: KINDS,
    sourceKind: 'soap',
    retryable: (err) => !(err instanceof Final),
    async deliver(_trx: Knex.Transaction, r: OutboxRow) {
      const err = fail(r);
      if (err) throw err;
      delivered.push(r.idempotency_key);
    },
    ...extra,
  });

  before(async () => {
    rt = await testRuntime();
  });
  beforeEach(async () => {
    await truncate(rt, 'sources', 'outbox');
    await rt.db('settings').where('key', 'like', 'outbox-test:%').del();
    [{ id: soapId }, { id: cmlId }] = await rt.db('sources').insert([{ name: 'erp', kind: 'soap' }, { name: 'onec', kind: 'commerceml' }]).returning('id');
    delivered = [];
  });

  it('delivers the rows of one ordering key in id order; an undelivered older row holds back the later ones only', async () => {
    await insert('a.place', 'reservation.place', 'reservation:a');
    await insert('b.place', 'reservation.place', 'reservation:b');
    await insert('a.extend', 'reservation.extend', 'reservation:a');
    await insert('a.release', 'reservation.release', 'reservation:a');
    await insert('b.release', 'reservation.release', 'reservation:b');
    await insert('loose', 'reservation.extend', null);

    let down = true;
    const d = delivery((r) => (down && r.idempotency_key === 'a.place' ? new Error('system unreachable') : undefined));
    expect(await deliverDue(rt.db, d)).to.deep.equal({ delivered: 3, failed: 0, retrying: 1 });
    expect(delivered).to.deep.equal(['b.place', 'b.release', 'loose']);
    expect(await row('a.extend')).to.include({ state: 'pending', attempts: 0 });
    expect(await row('a.release')).to.include({ state: 'pending', attempts: 0 });

    // Nothing due (a.place waits for its backoff; the others wait for it).
    expect(await deliverDue(rt.db, d)).to.deep.equal({ delivered: 0, failed: 0, retrying: 0 });
    down = false;
    await makeDue();
    expect(await deliverDue(rt.db, d)).to.deep.equal({ delivered: 3, failed: 0, retrying: 0 });
    expect(delivered.slice(3)).to.deep.equal(['a.place', 'a.extend', 'a.release']);
    const a = await row('a.place');
    expect(a).to.include({ state: 'delivered', attempts: 2, last_error: null });
    expect(a!.delivered_at).to.be.an.instanceOf(Date);
  });

  it('marks a row failed with the reason when retrying cannot help, and holds its ordering key back', async () => {
    await insert('a.place', 'reservation.place', 'reservation:a');
    await insert('a.release', 'reservation.release', 'reservation:a');
    const d = delivery((r) => (r.idempotency_key === 'a.place' ? new Final('the system refused: no counterparty with id X') : undefined));
    expect(await deliverDue(rt.db, d)).to.deep.equal({ delivered: 0, failed: 1, retrying: 0 });
    expect(await row('a.place')).to.include({ state: 'failed', attempts: 1, last_error: 'the system refused: no counterparty with id X' });
    await makeDue();
    expect(await deliverDue(rt.db, d)).to.deep.equal({ delivered: 0, failed: 0, retrying: 0 });
    expect(await row('a.release')).to.include({ state: 'pending', attempts: 0 });
    expect(delivered).to.deep.equal([]);
  });

  it('reschedules a retryable failure with growing, capped, jittered backoff and never gives up', async () => {
    await insert('a.place', 'reservation.place', null);
    const d = delivery(() => new Error('HTTP 500'));
    const waits: number[] = [];
    for (let i = 1; i <= 5; i++) {
      await makeDue();
      const before = Date.now();
      expect(await deliverDue(rt.db, d)).to.deep.equal({ delivered: 0, failed: 0, retrying: 1 });
      const r = await row('a.place');
      expect(r).to.include({ state: 'pending', attempts: i, last_error: 'HTTP 500' });
      waits.push((new Date(r!.next_attempt_at).getTime() - before) / 1000);
    }
    // 2^n seconds ±20 % (rounded), measured against the database clock within a second.
    for (const [i, w] of waits.entries()) expect(w, `wait after failure ${i + 1}`).to.be.within(2 ** (i + 1) * 0.8 - 1.5, 2 ** (i + 1) * 1.2 + 1.5);
    expect(backoffSeconds(30)).to.be.within(240, 360);
    const spread = new Set(Array.from({ length: 50 }, () => backoffSeconds(10)));
    expect(spread.size, 'jitter').to.be.greaterThan(5);
  });

  it('undoes a failed delivery’s own writes (savepoint) and still records the attempt', async () => {
    await insert('a.place', 'reservation.place', null);
    const d = delivery(undefined, {
      async deliver(trx, r) {
        await trx('settings').insert({ key: `outbox-test:${r.id}`, value: JSON.stringify('written') });
        await trx.raw('SELECT 1/0');
      },
    });
    expect(await deliverDue(rt.db, d)).to.deep.equal({ delivered: 0, failed: 0, retrying: 1 });
    expect(await rt.db('settings').where('key', 'like', 'outbox-test:%').count({ n: '*' })).to.deep.equal([{ n: 0 }]);
    expect((await row('a.place'))!.last_error).to.match(/division by zero/);
  });

  it('commits a delivery’s writes with the delivered mark', async () => {
    await insert('a.place', 'reservation.place', null);
    const d = delivery(undefined, {
      async deliver(trx, r) {
        await trx('settings').insert({ key: `outbox-test:${r.id}`, value: JSON.stringify('written') });
      },
    });
    expect(await deliverDue(rt.db, d)).to.deep.equal({ delivered: 1, failed: 0, retrying: 0 });
    expect(await rt.db('settings').where('key', 'like', 'outbox-test:%').count({ n: '*' })).to.deep.equal([{ n: 1 }]);
  });

  it('takes only its kinds, of its source kind, and at most a batch per run', async () => {
    await insert('other-source', 'reservation.place', null, cmlId);
    for (let i = 0; i < 5; i++) await insert(`r${i}`, 'reservation.release', null);
    const d = delivery(undefined, { kinds: ['reservation.release'], batch: 3 });
    expect(await deliverDue(rt.db, d)).to.deep.equal({ delivered: 3, failed: 0, retrying: 0 });
    expect(await deliverDue(rt.db, d)).to.deep.equal({ delivered: 2, failed: 0, retrying: 0 });
    expect(await deliverDue(rt.db, { ...d, kinds: ['reservation.extend'] })).to.deep.equal({ delivered: 0, failed: 0, retrying: 0 });
    expect(await row('other-source')).to.include({ state: 'pending', attempts: 0 });
    expect(delivered).to.deep.equal(['r0', 'r1', 'r2', 'r3', 'r4']);
  });

  it('two workers at once: each holds a different row (SKIP LOCKED), every row is delivered once', async () => {
    const N = 30;
    for (let i = 0; i < N; i++) await insert(`r${i}`, 'reservation.place', i % 3 === 0 ? `reservation:${i % 2}` : null);
    // Each worker's first delivery waits until the other worker is delivering too: if a claim
    // blocked on the other's locked row instead of skipping it, neither would ever go on.
    let release!: () => void;
    const bothIn = new Promise<void>((r) => {
      release = r;
    });
    const inFlight = new Set<string>();
    const perWorker: Record<string, string[]> = { one: [], two: [] };
    const worker = (name: string) =>
      delivery(undefined, {
        batch: N,
        async deliver(_trx, r) {
          if (!perWorker[name]!.length) {
            inFlight.add(name);
            if (inFlight.size === 2) release();
            await bothIn;
          }
          perWorker[name]!.push(r.idempotency_key);
          delivered.push(r.idempotency_key);
        },
      });
    const [one, two] = await Promise.all([deliverDue(rt.db, worker('one')), deliverDue(rt.db, worker('two'))]);
    expect(one.delivered + two.delivered).to.equal(N);
    expect(perWorker.one).to.not.be.empty;
    expect(perWorker.two).to.not.be.empty;
    expect([...delivered].sort()).to.deep.equal(Array.from({ length: N }, (_, i) => `r${i}`).sort());
    expect(await rt.db('outbox').where({ state: 'delivered', attempts: 1 }).count({ n: '*' })).to.deep.equal([{ n: N }]);
    // Within one ordering key the order held even with two workers.
    for (const k of [0, 1]) {
      const keys = Array.from({ length: N }, (_, i) => i).filter((i) => i % 3 === 0 && i % 2 === k).map((i) => `r${i}`);
      expect(delivered.filter((d) => keys.includes(d))).to.deep.equal(keys);
    }
  });
});
