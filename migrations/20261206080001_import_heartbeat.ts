// A CommerceML import's heartbeat: the worker running the file stamps heartbeat_at every few
// seconds in PostgreSQL. When Redis lost the import's job (restarted empty) while the worker
// still runs it, the watchers (1C's `import` polls, work.reconcile) see a fresh heartbeat and
// leave it alone, instead of queueing the file a second time; a stale one (the worker died)
// lets them queue it again.
import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.raw(`ALTER TABLE commerceml_imports ADD COLUMN heartbeat_at timestamptz`);
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw(`ALTER TABLE commerceml_imports DROP COLUMN heartbeat_at`);
}
