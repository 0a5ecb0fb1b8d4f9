// The per-source sync lock on real Redis: a holder whose lock is taken away or cannot be renewed
// is told to stop (its signal), its sync run rolls back between batches, and a second holder
// then proceeds.
import { expect } from 'chai';
import { log } from '../../src/infra/log.ts';
import type { Runtime } from '../../src/infra/runtime.ts';
import { lockKey, SourceLockLostError, tryLockSource } from '../../src/sources/source-lock.ts';
import { ensureSource, openSyncRun, SyncError } from '../../src/sync/index.ts';
import { smallCatalog } from '../support/mirror-batch.ts';
import { testRuntime, truncate } from '../support/runtime.ts';
import { until } from '../support/wait.ts';

const TTL = 300; // renewed every 100 ms

describe('sources: the sync lock', () => {
  let rt: Runtime;
  let logged: { fields: Record<string, unknown>; text: string }[];
  const original = log.error;

  before(async () => {
    rt = await testRuntime();
  });
  beforeEach(async () => {
    await rt.redis.del(lockKey(rt.prefix, 'erp'));
    logged = [];
    log.error = ((fields: Record<string, unknown>, text: string) => void logged.push({ fields, text })) as typeof log.error;
  });
  afterEach(() => {
    log.error = original;
  });

  it('one holder at a time; renewal keeps the key alive past its TTL; release frees it', async () => {
    const a = await tryLockSource(rt, 'erp', { ttlMs: TTL });
    expect(a).to.not.equal(null);
    expect(await tryLockSource(rt, 'erp', { ttlMs: TTL })).to.equal(null);
    const start = Date.now();
    await until(() => Date.now() - start > TTL * 3, 'three TTLs to pass', 2000);
    expect(await tryLockSource(rt, 'erp', { ttlMs: TTL })).to.equal(null);
    expect(a!.signal.aborted).to.equal(false);
    await a!.release();
    const b = await tryLockSource(rt, 'erp', { ttlMs: TTL });
    expect(b).to.not.equal(null);
    await b!.release();
    expect(logged).to.deep.equal([]);
  });

  it('a key taken by someone else aborts the holder, logged; its release leaves the new key alone', async () => {
    const a = (await tryLockSource(rt, 'erp', { ttlMs: TTL }))!;
    await rt.redis.set(lockKey(rt.prefix, 'erp'), 'someone-else', 'PX', 10_000);
    await until(() => a.signal.aborted, 'the holder to be told', 2000);
    expect(a.signal.reason).to.be.instanceOf(SourceLockLostError);
    expect((a.signal.reason as Error).message).to.match(/sync lock of source "erp" was lost \(the key is gone or held by another token\)/);
    expect(logged).to.have.length(1);
    expect(logged[0]!.fields).to.include({ source: 'erp' });
    expect(logged[0]!.text).to.match(/^sync lock lost/);
    await a.release();
    expect(await rt.redis.get(lockKey(rt.prefix, 'erp'))).to.equal('someone-else');
  });

  it('a renewal that fails (Redis answers an error) aborts the holder too', async () => {
    const a = (await tryLockSource(rt, 'erp', { ttlMs: TTL }))!;
    // a hash where the token was: GET inside the renewal script fails with WRONGTYPE
    const key = lockKey(rt.prefix, 'erp');
    await rt.redis.multi().del(key).hset(key, 'x', '1').exec();
    await until(() => a.signal.aborted, 'the holder to be told', 2000);
    expect((a.signal.reason as Error).message).to.match(/renewal failed: .*WRONGTYPE/);
    expect(logged.map((l) => l.text)).to.have.length(1);
    expect(logged[0]!.fields.err).to.be.instanceOf(Error);
    await a.release(); // logs a warning, does not throw
    await rt.redis.del(key);
  });

  it("a running sync stops between batches when its lock is lost, and a second holder's sync proceeds", async () => {
    await truncate(rt, 'sources');
    const sourceId = await ensureSource(rt.db, { name: 'erp', kind: 'soap' });
    const batch = smallCatalog();
    const first = (await tryLockSource(rt, 'erp', { ttlMs: TTL }))!;
    const run = await openSyncRun(rt, { sourceId, kind: 'test', mode: 'full', signal: first.signal });
    await run.add('groups', batch.groups!);
    // the key expires under the holder (as after a long Redis outage) and a second sync takes it
    await rt.redis.del(lockKey(rt.prefix, 'erp'));
    const second = (await tryLockSource(rt, 'erp', { ttlMs: TTL }))!;
    expect(second).to.not.equal(null);
    await until(() => first.signal.aborted, 'the first holder to be told', 2000);

    let stopped: unknown;
    await run.add('warehouses', batch.warehouses!).catch((err) => (stopped = err));
    expect(stopped).to.be.instanceOf(SyncError);
    expect((stopped as Error).message).to.match(/stopped: the sync lock of source "erp" was lost/);
    const row = await rt.db('sync_runs').where({ id: run.id }).first('state', 'error');
    expect(row!.state).to.equal('failed');
    expect(row!.error).to.match(/^stopped: the sync lock/);
    expect(await rt.db('product_groups').count('* as n').first()).to.deep.equal({ n: 0 });
    await first.release();

    const next = await openSyncRun(rt, { sourceId, kind: 'test', mode: 'full', signal: second.signal });
    await next.add('groups', batch.groups!);
    await next.add('warehouses', batch.warehouses!);
    const result = await next.commit();
    expect(result.counts.groups).to.include({ inserted: 2 });
    expect(second.signal.aborted).to.equal(false);
    await second.release();
    expect(await rt.redis.exists(lockKey(rt.prefix, 'erp'))).to.equal(0);
  });

  it('a signal aborted before the commit rolls the run back', async () => {
    await truncate(rt, 'sources');
    const sourceId = await ensureSource(rt.db, { name: 'erp', kind: 'soap' });
    const stop = new AbortController();
    const run = await openSyncRun(rt, { sourceId, kind: 'test', mode: 'full', signal: stop.signal });
    await run.add('groups', smallCatalog().groups!);
    stop.abort(new Error('lost'));
    let err: unknown;
    await run.commit().catch((e) => (err = e));
    expect(err).to.be.instanceOf(SyncError);
    expect((await rt.db('sync_runs').where({ id: run.id }).first('state'))!.state).to.equal('failed');
    expect(await rt.db('product_groups').count('* as n').first()).to.deep.equal({ n: 0 });
  });
});
