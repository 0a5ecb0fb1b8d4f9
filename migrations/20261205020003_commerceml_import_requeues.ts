// commerceml_imports.requeues: how often an import's job was found gone (a Redis restarted empty)
// and enqueued again. Past a few times the import fails with that reason instead of answering
// 1C `progress` forever.
import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.raw('ALTER TABLE commerceml_imports ADD COLUMN requeues int NOT NULL DEFAULT 0');
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('ALTER TABLE commerceml_imports DROP COLUMN requeues');
}
