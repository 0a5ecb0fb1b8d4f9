// The per-source sync lock: a Redis key (what waiters poll) over a PostgreSQL advisory lock (the
// real exclusion). A key Redis lost lets nobody in while the holder runs; the holder claims its
// key again and goes on; it is told to stop only when its database lock is gone.
import { expect } from 'chai';
import { log } from '../../src/infra/log.ts';
import type { Runtime } from '../../src/infra/runtime.ts';
import { lockApplicationName, lockKey, SourceLockLostError, tryLockSource } from '../../src/sources/source-lock.ts';
import { ensureSource, openSyncRun, SyncError } from '../../src/sync/index.ts';
import { smallCatalog } from '../support/mirror-batch.ts';
import { testRuntime, truncate } from '../support/runtime.ts';
import { until } from '../support/wait.ts';

const TTL = 300; // renewed every 100 ms

describe('sources: the sync lock', () => {
  let rt: Runtime;
  let logged: { level: string; fields: Record<string, unknown>; text: string }[];
  const original = { error: log.error, warn: log.warn };
  const key = () => lockKey(rt.prefix, 'erp');
  const lockBackends = async () =>
    (await rt.db.raw<{ rows: { pid: number }[] }>('SELECT pid FROM pg_stat_activity WHERE application_name = ?', [lockApplicationName('erp')])).rows;

  before(async () => {
    rt = await testRuntime();
  });
  beforeEach(async () => {
    await rt.redis.del(key());
    logged = [];
    log.error = ((fields: Record<string, unknown>, text: string) => void logged.push({ level: 'error', fields, text })) as typeof log.error;
    log.warn = ((fields: Record<string, unknown>, text: string) => void logged.push({ level: 'warn', fields, text })) as typeof log.warn;
  });
  afterEach(() => {
    Object.assign(log, original);
  });

  it('one holder at a time; renewal keeps the key alive past its TTL; release frees both locks', async () => {
    const a = await tryLockSource(rt, 'erp', { ttlMs: TTL });
    expect(a).to.not.equal(null);
    expect(await tryLockSource(rt, 'erp', { ttlMs: TTL })).to.equal(null);
    const start = Date.now();
    await until(() => Date.now() - start > TTL * 3, 'three TTLs to pass', 2000);
    expect(await tryLockSource(rt, 'erp', { ttlMs: TTL })).to.equal(null);
    expect(a!.signal.aborted).to.equal(false);
    expect(await lockBackends()).to.have.length(1);
    await a!.release();
    expect(await lockBackends()).to.have.length(0);
    const b = await tryLockSource(rt, 'erp', { ttlMs: TTL });
    expect(b).to.not.equal(null);
    await b!.release();
    expect(logged).to.deep.equal([]);
  });

  it('a key Redis lost lets no second holder in: the database lock refuses it, and the holder claims its key again', async () => {
    const a = (await tryLockSource(rt, 'erp', { ttlMs: TTL }))!;
    await rt.redis.del(key()); // Redis restarted empty, or the key was evicted
    expect(await tryLockSource(rt, 'erp', { ttlMs: TTL })).to.equal(null);
    expect(logged.map((l) => l.text)).to.deep.equal(['sync lock: the Redis key was free but another sync holds the database lock']);
    // the refused caller left no key behind; the holder's renewal claims it again
    await until(async () => (await rt.redis.exists(key())) === 1, 'the holder to claim its key again', 2000, 20);
    expect(a.signal.aborted).to.equal(false);
    await a.release();
    expect(await rt.redis.exists(key())).to.equal(0);
  });

  it('a key held by another token or a renewal Redis refuses is logged once, and the holder goes on', async () => {
    const a = (await tryLockSource(rt, 'erp', { ttlMs: TTL }))!;
    await rt.redis.set(key(), 'someone-else', 'PX', 10_000);
    await until(() => logged.length > 0, 'the holder to notice', 2000);
    const start = Date.now();
    await until(() => Date.now() - start > TTL, 'more renewals', 2000);
    expect(logged).to.have.length(1);
    expect(logged[0]!.text).to.match(/^sync lock key: held by another token .*; the database lock still holds, the sync goes on$/);
    // a hash where the token was: GET inside the renewal script fails with WRONGTYPE
    await rt.redis.multi().del(key()).hset(key(), 'x', '1').exec();
    await until(() => logged.length > 1, 'the failed renewal to be logged', 2000);
    expect(logged[1]!.text).to.match(/^sync lock key: renewal failed: .*WRONGTYPE/);
    expect(a.signal.aborted).to.equal(false);
    await a.release(); // its key is not its own: left alone (a warning, no throw)
    expect(await rt.redis.type(key())).to.equal('hash');
    await rt.redis.del(key());
  });

  it('a lost database lock (its connection terminated) aborts the holder, logged; a second holder then gets both locks', async () => {
    const a = (await tryLockSource(rt, 'erp', { ttlMs: TTL }))!;
    const [backend] = await lockBackends();
    await rt.db.raw('SELECT pg_terminate_backend(?)', [backend!.pid]);
    await until(() => a.signal.aborted, 'the holder to be told', 5000, 20);
    expect(a.signal.reason).to.be.instanceOf(SourceLockLostError);
    expect((a.signal.reason as Error).message).to.match(/sync lock of source "erp" was lost \(the database connection holding it (failed|closed)/);
    expect(logged.filter((l) => l.level === 'error').map((l) => l.text)[0]).to.match(/^sync lock lost/);
    await a.release();
    const b = (await tryLockSource(rt, 'erp', { ttlMs: TTL }))!;
    expect(b).to.not.equal(null);
    await b.release();
  });

  it('a full sync whose Redis key vanished is not overtaken: the change run is refused, the full run commits, then the change run goes', async () => {
    await truncate(rt, 'sources');
    const sourceId = await ensureSource(rt.db, { name: 'erp', kind: 'soap' });
    const batch = smallCatalog();
    const full = (await tryLockSource(rt, 'erp', { ttlMs: TTL }))!;
    const run = await openSyncRun(rt, { sourceId, kind: 'full', mode: 'full', signal: full.signal, expectEpoch: 0 });
    await run.add('groups', batch.groups!);
    await rt.redis.del(key()); // the key expires under the holder, as after a long Redis outage
    expect(await tryLockSource(rt, 'erp', { ttlMs: TTL })).to.equal(null);
    await run.add('warehouses', batch.warehouses!);
    const result = await run.commit();
    expect(result.counts.groups).to.include({ inserted: 2 });
    expect(full.signal.aborted).to.equal(false);
    await full.release();

    const changes = (await tryLockSource(rt, 'erp', { ttlMs: TTL }))!;
    expect(changes).to.not.equal(null);
    await changes.release();
    expect(await rt.redis.exists(key())).to.equal(0);
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
    expect((err as Error).message).to.match(/stopped: lost/);
    expect((await rt.db('sync_runs').where({ id: run.id }).first('state'))!.state).to.equal('failed');
    expect(await rt.db('product_groups').count('* as n').first()).to.deep.equal({ n: 0 });
  });
});
