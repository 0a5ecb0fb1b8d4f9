
import fs from 'node:fs/promises';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Knex } from 'knex';
import type { Db } from './knex.ts';
import { compiled, fromCode } from '../paths.ts';

const directory = fromCode('migrations');
// The sources have migrations/*.ts, the production build migrations/*.js. A migration is recorded
// under its source name (`…_store.ts`) either way, so a database migrated from sources and one
// migrated by the build agree on what has run.
const extension = compiled ? '.js' : '.ts';

const migrationSource: Knex.MigrationSource<string> = {
  async getMigrations() {
    const files = await fs.readdir(directory);
    return files.filter((f) => f.endsWith(extension) && !f.endsWith('.d.ts')).sort();
  },
  getMigrationName: (file) => `${path.basename(file, extension)}.ts`,
  getMigration: (file) => import(pathToFileURL(path.join(directory, file)).href) as Promise<Knex.Migration>,
};

const options = { migrationSource, tableName: 'knex_migrations' };

export async function migrateLatest(db: Db): Promise<string[]> {
  const [, done] = (await db.migrate.latest(options)) as [number, string[]];
  return done;
}

export async function migrateRollbackAll(db: Db): Promise<string[]> {
  const [, undone] = (await db.migrate.rollback(options, true)) as [number, string[]];
  return undone;
}

/** Names of the migrations this code has that the database has not run (empty when current). */
export async function pendingMigrations(db: Db): Promise<string[]> {
  const [, pending] = (await db.migrate.list(options)) as [unknown[], string[]];
  return pending.map((f) => migrationSource.getMigrationName(f));
}
