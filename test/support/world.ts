// One test world for web and e2e files: the shared runtime, an app on a free port, and before
// every test a fresh seed (tables emptied, login throttles and per-process caches reset, the
// store fixture — or the staff fixture — written), with signed-in clients on demand.
//
//   const w = useWorld({ staff: true, tables: ['messages'] });
//   it('…', async () => {
//     const buyer = await w.signIn('a');            // buyer@alpha.test
//     const ivanov = await w.signIn('ivanov');      // a manager (staff worlds)
//     await buyer.get(`/product/${w.fx.offers[0]}`);
//   });
//
// `seedWorld` is the same seed without hooks, for files that run their own.
import type { Express } from 'express';
import { resetCaches } from '../../src/infra/caches.ts';
import type { Runtime } from '../../src/infra/runtime.ts';
import { createApp } from '../../src/web/app.ts';
import { PASSWORD, type StoreFixture, storeFixture } from './mirror-fixtures.ts';
import { deleteKeys } from './redis-cleanup.ts';
import { testRuntime, truncate } from './runtime.ts';
import { type StaffFixture, staffFixture } from './staff-fixtures.ts';
import { listen, WebClient } from './web-client.ts';

export { PASSWORD };

/** Tables every seed empties (and what references them: see truncate). */
// mail_outbox too: its keys are built from ids (order-confirmation-1), which restart with the tables.
export const WORLD_TABLES = ['sources', 'users', 'clients', 'sessions', 'mail_outbox'];

export interface SeedOptions {
  /** Managers and staff users too (staffFixture), not only buyers and an admin. */
  staff?: boolean;
  /** More tables to empty, e.g. 'messages', 'news', 'orders', 'outbox'. */
  tables?: string[];
  /** Products in the fixture (default 6). */
  products?: number;
}

/** Who signs in: a fixture's named user, or any e-mail. */
export type Who = 'a' | 'b' | 'admin' | 'ivanov' | 'petrova' | `${string}@${string}`;

/** Empties the world's tables, forgets login throttles and per-process caches, writes the fixture. */
export async function seedWorld(rt: Runtime, opts: SeedOptions & { staff: true }): Promise<StaffFixture>;
export async function seedWorld(rt: Runtime, opts?: SeedOptions): Promise<StoreFixture>;
export async function seedWorld(rt: Runtime, opts: SeedOptions = {}): Promise<StoreFixture | StaffFixture> {
  await truncate(rt, ...WORLD_TABLES, ...(opts.tables ?? []));
  await deleteKeys(rt.redisUrl, `${rt.prefix}:login`);
  // Ids restart with the tables: a cached warehouse list or count of the last test must not show.
  resetCaches();
  return opts.staff ? staffFixture(rt.db) : storeFixture(rt.db, { products: opts.products });
}

/** The e-mail of a named fixture user. */
export function emailOf(fx: StoreFixture | StaffFixture, who: Who): string {
  if (who.includes('@')) return who;
  if (who === 'ivanov' || who === 'petrova') {
    if (!('staffEmails' in fx)) throw new Error(`"${who}" signs in only in a staff world (useWorld({ staff: true }))`);
    return fx.staffEmails[who];
  }
  return fx.emails[who as 'a' | 'b' | 'admin'];
}

export interface WorldOptions<S extends boolean> extends SeedOptions {
  staff?: S;
  /** The app under test (default createApp(rt)); e.g. with captured mail or extra routes. */
  app?: (rt: Runtime) => Express;
}

export interface World<F extends StoreFixture> {
  rt: Runtime;
  fx: F;
  /** The app's base URL (http://127.0.0.1:port). */
  base: string;
  /** A client with no session. */
  anon(): WebClient;
  /** A client signed in as `who` (password PASSWORD). */
  signIn(who: Who): Promise<WebClient>;
}

/** Registers the hooks (before: runtime and app; beforeEach: seed; after: close) and returns the world they fill. */
export function useWorld(opts: WorldOptions<true>): World<StaffFixture>;
export function useWorld(opts?: WorldOptions<false>): World<StoreFixture>;
export function useWorld(opts: WorldOptions<boolean> = {}): World<StoreFixture> {
  let srv: Awaited<ReturnType<typeof listen>> | undefined;
  let rt: Runtime | undefined;
  let fx: StoreFixture | undefined;
  // Filled by the hooks below: a test that reads them outside a hook's lifetime gets told so.
  const w = {
    get rt(): Runtime {
      if (!rt) throw new Error('the test world has no runtime yet: use it inside a test or hook');
      return rt;
    },
    get fx(): StoreFixture {
      if (!fx) throw new Error('the test world is not seeded yet: use it inside a test or hook');
      return fx;
    },
    base: '',
    anon: () => new WebClient(w.base),
    async signIn(who: Who) {
      const c = new WebClient(w.base);
      await c.login(emailOf(w.fx, who), PASSWORD);
      return c;
    },
  };
  before(async () => {
    rt = await testRuntime();
    srv = await listen((opts.app ?? createApp)(w.rt));
    w.base = srv.base;
  });
  beforeEach(async () => {
    fx = await seedWorld(w.rt, opts);
  });
  after(async () => {
    await srv?.close();
  });
  return w;
}
