
import type { Db } from './knex.ts';
import { fromRoot } from '../paths.ts';

const directory = fromRoot('migrations');
const options = { directory, loadExtensions: ['.ts'], tableName: 'knex_migrations' };

export async function migrateLatest(db: Db): Promise<string[]> {
  const [, done] = (await db.migrate.latest(options)) as [number, string[]];
  return done;
}

export async function migrateRollbackAll(db: Db): Promise<string[]> {
  const [, undone] = (await db.migrate.rollback(options, true)) as [number, string[]];
  return undone;
}
