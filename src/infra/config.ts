// The one place that reads process.env. Validated at boot: a bad value stops the process
// with one line naming the variable.
import { isIP } from 'node:net';
import path from 'node:path';
import { z } from 'zod';
import { registerCache } from './caches.ts';

const url = (protocols: string[]) =>
  z.string().refine((v) => {
    try {
      return protocols.includes(new URL(v).protocol);
    } catch {
      return false;
    }
  }, `must be a URL starting with ${protocols.join(' or ')}//`);

// Who may set X-Forwarded-For/-Proto (client IP for rate limits, HTTPS for Secure cookies):
// express's `trust proxy` — a hop count, or addresses/subnets/names; 'false' trusts nobody.
const PROXY_NAMES = new Set(['loopback', 'linklocal', 'uniquelocal']);
const trustProxy = z
  .string()
  .transform((v, ctx): number | string[] | false => {
    const t = v.trim();
    if (t === 'false' || t === '0' || t === '') return false;
    if (/^\d+$/.test(t)) return Number(t);
    const parts = t.split(',').map((p) => p.trim());
    const bad = parts.filter((p) => !PROXY_NAMES.has(p) && !isIP(p.replace(/\/\d{1,3}$/, '')));
    if (bad.length) {
      ctx.addIssue({ code: 'custom', message: `must be false, a hop count, or addresses/subnets/loopback/linklocal/uniquelocal separated by commas; not ${bad.join(', ')}` });
      return z.NEVER;
    }
    return parts;
  })
  .default(['loopback']);

// The store's locale, time zone and currency (src/infra/intl.ts formats with them).
const locale = z.string().refine((v) => {
  try {
    return Intl.getCanonicalLocales(v).length === 1 && Intl.NumberFormat.supportedLocalesOf(v).length === 1;
  } catch {
    return false;
  }
}, 'must be a BCP 47 locale like "ru-RU"');
const timeZone = z.string().refine((v) => {
  try {
    new Intl.DateTimeFormat('en', { timeZone: v });
    return true;
  } catch {
    return false;
  }
}, 'must be an IANA time zone like "Europe/Moscow"');
const currency = z.string().regex(/^[A-Z]{3}$/, 'must be an ISO 4217 code like "RUB"');

const schema = z.object({
  NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
  DATABASE_URL: url(['postgres:', 'postgresql:']).optional(),
  // A read replica (or a read-only role) for the catalog, product pages and price lists.
  DATABASE_REPLICA_URL: url(['postgres:', 'postgresql:']).optional(),
  REDIS_URL: url(['redis:', 'rediss:']).optional(),
  REDIS_PREFIX: z.string().regex(/^[A-Za-z0-9_.:-]+$/, 'letters, digits and _.:- only').default('cp'),
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  HOST: z.string().default('127.0.0.1'),
  DATA_DIR: z.string().default('./.data'),
  EMBEDDED_PG_PORT: z.coerce.number().int().min(1024).max(65535).default(5488),
  SMTP_URL: url(['smtp:', 'smtps:']).optional(),
  MAIL_FROM: z.string().default('Counterpart <store@counterpart.local>'),
  SESSION_SECRET: z.string().min(16, 'must be at least 16 characters').optional(),
  PUBLIC_URL: url(['https:', 'http:']).optional(),
  TRUST_PROXY: trustProxy,
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  SOURCE_STALE_AFTER_S: z.coerce.number().int().positive().default(900),
  WEBHOOK_SECRET: z.string().optional(),
  // Delivered outbox rows are kept this long (for support questions), then purged daily.
  OUTBOX_RETENTION_DAYS: z.coerce.number().int().min(1, 'must be at least 1 day').max(3650).default(30),
  // Bearer token for GET /metrics from anywhere but loopback (unset: loopback only).
  METRICS_TOKEN: z.string().min(16, 'must be at least 16 characters').optional(),
  // How long a BullMQ job's lock lives unrenewed (and how often workers look for stalled jobs):
  // a killed worker's jobs are run again by another worker within about twice this.
  JOB_LOCK_MS: z.coerce.number().int().min(1000, 'must be at least 1000 ms').max(600_000).default(30_000),
  // A request hands work to a queue (or publishes a live update) for at most this long, then
  // answers anyway: what did not get through is redone from the database by the sweeps
  // (src/infra/queue/handover.ts). Redis down must never keep a page spinning.
  QUEUE_HANDOVER_MS: z.coerce.number().int().min(50, 'must be at least 50 ms').max(10_000).default(1500),
  // SIGTERM/SIGINT: requests in flight and running jobs get this long to finish (event streams are
  // ended at once); then the process exits anyway (what is cut off runs again elsewhere).
  SHUTDOWN_TIMEOUT_MS: z.coerce.number().int().min(1000, 'must be at least 1000 ms').max(600_000).default(15_000),
  // SIGTERM/SIGINT: for this long first, a web still serves but /readyz answers 503, so a load
  // balancer polling it stops sending before the listener closes (longer than its check interval;
  // part of SHUTDOWN_TIMEOUT_MS). 0: the listener closes at once.
  SHUTDOWN_UNREADY_MS: z.coerce.number().int().min(0).max(600_000).default(0),
  // Where 1C's "exchange with a website" node calls us (CommerceML over the 1C-Bitrix protocol).
  // Where uploads, attachments and pictures live: `postgres` (the shared database; default in
  // production, so any web takes an upload any worker imports) or `fs` (files under DATA_DIR).
  BLOB_STORE: z.enum(['postgres', 'fs']).optional(),
  // Bytes per stored chunk of the postgres blob store.
  BLOB_CHUNK_BYTES: z.coerce.number().int().min(4096).max(64 * 1024 * 1024).default(1024 * 1024),
  COMMERCEML_PATH: z.string().regex(/^\/[A-Za-z0-9/_.-]*$/, 'must be a URL path starting with /').default('/exchange/1c'),
  // A catalog session that ends with neither deactivate nor complete (old 1C modules): this long
  // after its last call, a full package's deletions happen anyway (0: never).
  COMMERCEML_QUIET_PERIOD_S: z.coerce.number().int().min(0).max(7 * 24 * 3600).default(900),
  STORE_LOCALE: locale.default('ru-RU'),
  STORE_TIME_ZONE: timeZone.default('Europe/Moscow'),
  STORE_CURRENCY: currency.default('RUB'),
});

export type Config = z.infer<typeof schema> & { dataDir: string; redisUrlGiven: boolean; blobStore: 'postgres' | 'fs' };

export class ConfigError extends Error {}

export function parseConfig(env: NodeJS.ProcessEnv): Config {
  // `VAR=` in a shell or an env file means "not set", as the defaults' documentation reads.
  const res = schema.safeParse(Object.fromEntries(Object.entries(env).filter(([, v]) => v !== '')));
  if (!res.success) {
    const issue = res.error.issues[0]!;
    const name = String(issue.path[0] ?? 'environment');
    throw new ConfigError(`Configuration error: ${name} ${issue.message} (got ${JSON.stringify(env[name] ?? '')})`);
  }
  if (res.data.SHUTDOWN_UNREADY_MS >= res.data.SHUTDOWN_TIMEOUT_MS) {
    throw new ConfigError(
      `Configuration error: SHUTDOWN_UNREADY_MS must be less than SHUTDOWN_TIMEOUT_MS (${res.data.SHUTDOWN_TIMEOUT_MS}): requests in flight need time to finish after it (got ${JSON.stringify(env.SHUTDOWN_UNREADY_MS)})`,
    );
  }
  const blobStore = res.data.BLOB_STORE ?? (res.data.NODE_ENV === 'production' ? 'postgres' : 'fs');
  return { ...res.data, dataDir: path.resolve(res.data.DATA_DIR), redisUrlGiven: Boolean(res.data.REDIS_URL), blobStore };
}

let cached: Config | undefined;
/** The process configuration; parsed once. */
export function config(): Config {
  cached ??= parseConfig(process.env);
  return cached;
}

/** Benchmarks and tests that run several configurations in one process re-read the environment. */
export function resetConfigForTests(): void {
  cached = undefined;
}
registerCache('config', resetConfigForTests);

const provided = new Map<string, string>();

/** For a raw environment lookup of a named secret (e.g. a mapping's credential env var). */
export function secretFromEnv(name: string): string | undefined {
  return process.env[name] ?? provided.get(name);
}

/**
 * Supplies a named secret when the environment lacks it: the demo (`npm start`) and tests use
 * this for the simulator's credentials. A real environment variable always wins.
 */
export function provideSecret(name: string, value: string): void {
  provided.set(name, value);
}
