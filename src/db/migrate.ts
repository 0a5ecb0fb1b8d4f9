import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Db } from './knex.ts';

const directory = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../migrations');
const options = { directory, loadExtensions: ['.ts'], tableName: 'knex_migrations' };

export async function migrateLatest(db: Db): Promise<string[]> {
  const [, done] = (await db.migrate.latest(options)) as [number, string[]];
  return done;
}

export async function migrateRollbackAll(db: Db): Promise<string[]> {
  const [, undone] = (await db.migrate.rollback(options, true)) as [number, string[]];
  return undone;
}
