// Whether this process can serve: the database answers, Redis answers, and the database has run
// every migration this code knows (a web started before `counterpart migrate` of a release, or
// left over from the release before, is not ready). Liveness (/healthz) is separate.
import { pendingMigrations } from './db/migrate.ts';
import type { Runtime } from './runtime.ts';
import { within } from './within.ts';

export interface Readiness {
  ready: boolean;
  checks: { database: string; redis: string; migrations: string };
}

const down = (e: unknown) => `down: ${(e as Error)?.message ?? String(e)}`;

export async function readiness(rt: Runtime, timeoutMs = 2000): Promise<Readiness> {
  const [database, redis] = await Promise.all([
    within(timeoutMs, rt.db.raw('select 1')).then(() => 'ok', down),
    within(timeoutMs, rt.redis.ping()).then(() => 'ok', down),
  ]);
  let migrations = 'unknown: the database is down';
  if (database === 'ok') {
    migrations = await within(timeoutMs, pendingMigrations(rt.db)).then(
      (pending) => (pending.length ? `pending: ${pending.join(', ')}` : 'ok'),
      down,
    );
  }
  return { ready: database === 'ok' && redis === 'ok' && migrations === 'ok', checks: { database, redis, migrations } };
}
