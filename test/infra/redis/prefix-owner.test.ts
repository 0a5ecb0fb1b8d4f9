// The Redis prefix is bound to the database: a role of another store (another database) started
// with the same Redis and prefix refuses to start and says why, instead of taking this store's jobs.
import { expect } from 'chai';
import { Redis } from 'ioredis';
import pg from 'pg';
import { createDb } from '../../../src/infra/db/knex.ts';
import { migrateLatest } from '../../../src/infra/db/migrate.ts';
import { bindPrefix, claimPrefix, ownerKey, PrefixTakenError, storeIdentity } from '../../../src/infra/redis/prefix-owner.ts';
import type { Runtime } from '../../../src/infra/runtime.ts';
import { startRole } from '../../faults/processes.ts';
import { testRuntime } from '../../support/runtime.ts';
import { until } from '../../support/wait.ts';

describe('infra/redis: the prefix belongs to one database', function () {
  this.timeout(60_000);
  let rt: Runtime;
  const key = () => ownerKey(rt.prefix);

  before(async () => {
    rt = await testRuntime();
  });
  beforeEach(async () => {
    await rt.redis.del(key());
  });

  it("names the store by its id, its database and the server's system identifier; claiming twice is fine", async () => {
    const id = await storeIdentity(rt.db);
    expect(id.store).to.match(/^[0-9a-f-]{36}$/);
    expect(id.database).to.equal(new URL(process.env.DATABASE_URL!).pathname.slice(1));
    expect(id.system).to.match(/^[0-9]+$/);
    await claimPrefix(rt);
    await claimPrefix(rt);
    expect(JSON.parse((await rt.redis.get(key()))!)).to.deep.equal(id);
    expect(await rt.redis.pttl(key())).to.be.within(1, 60_000);
  });

  it("refuses a prefix another store's marker holds, naming both stores and the way out", async () => {
    const id = await storeIdentity(rt.db);
    const theirs = JSON.stringify({ store: id.store, database: 'shop_staging', system: id.system });
    await rt.redis.set(key(), theirs, 'PX', 10_000);
    let err: unknown;
    await claimPrefix(rt).catch((e) => (err = e));
    expect(err).to.be.instanceOf(PrefixTakenError);
    expect((err as Error).message).to.equal(
      `Redis prefix "${rt.prefix}" belongs to another store that is running: database "shop_staging" (store ${id.store}, PostgreSQL system ${id.system}); ` +
        `this store is database "${id.database}" (store ${id.store}, PostgreSQL system ${id.system}). Two stores sharing one Redis and prefix ` +
        `would take each other's jobs. Give this store its own REDIS_PREFIX (or Redis); the key "${key()}" expires 60 s after that store stopped.`,
    );
    // the other store's marker is left as it was
    expect(await rt.redis.get(key())).to.equal(theirs);
  });

  it('a running store renews its key; stopped, it frees the prefix (at once on shutdown, else when the key expires)', async () => {
    const closers: (() => Promise<void>)[] = [];
    const running: Runtime = { ...rt, onShutdown: (_n, fn) => void closers.push(fn) };
    await bindPrefix(running, 300);
    const other = { store: '00000000-0000-4000-8000-000000000000', database: 'other', system: '1' };
    const start = Date.now();
    await until(() => Date.now() - start > 900, 'three lifetimes of the key', 2000, 50);
    await claimPrefix(rt, other, 300).then(
      () => expect.fail('claimed a prefix another running store renews'),
      (e) => expect(e).to.be.instanceOf(PrefixTakenError),
    );
    for (const c of closers) await c();
    expect(await rt.redis.exists(key())).to.equal(0);
    await claimPrefix(rt, other, 300); // the next store need not wait
    await until(async () => (await rt.redis.exists(key())) === 0, 'an unrenewed key to expire', 2000, 20);
  });

  it('claims the prefix again after a reconnect to a Redis that lost it', async () => {
    const conn = new Redis(rt.redisUrl);
    const closers: (() => Promise<void>)[] = [];
    const view: Runtime = { ...rt, redis: conn, onShutdown: (_n, fn) => void closers.push(fn) };
    await until(() => conn.status === 'ready', 'the connection', 5000, 10);
    await bindPrefix(view);
    await rt.redis.del(key()); // Redis restarted empty
    conn.disconnect(true);
    await until(async () => (await rt.redis.exists(key())) === 1, 'the prefix claimed again', 10_000, 20);
    for (const c of closers) await c();
    conn.disconnect();
  });

  it('a worker of another database on the same Redis and prefix exits at start with the reason', async function () {
    this.timeout(90_000);
    await claimPrefix(rt); // this store's roles run
    const other = `${new URL(process.env.DATABASE_URL!).pathname.slice(1)}_other`;
    const admin = new pg.Client({ connectionString: process.env.TEST_DATABASE_ADMIN_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres' });
    await admin.connect();
    await admin.query(`CREATE DATABASE ${other}`);
    try {
      const url = new URL(process.env.DATABASE_URL!);
      url.pathname = `/${other}`;
      // Migrated here (quicker than by the role under a loaded machine); the role migrates too.
      const db = createDb(url.toString());
      await migrateLatest(db).finally(() => db.destroy());
      const role = startRole(['worker'], { DATABASE_URL: url.toString() });
      expect(await role.exit, role.out()).to.equal(1);
      expect(role.out()).to.match(new RegExp(`counterpart: Redis prefix "${rt.prefix}" belongs to another store that is running: database "${new URL(process.env.DATABASE_URL!).pathname.slice(1)}".*this store is database "${other}"`));
      expect(role.out()).to.not.contain('workers started');
    } finally {
      await admin.query(`DROP DATABASE IF EXISTS ${other} WITH (FORCE)`);
      await admin.end();
    }
  });
});
