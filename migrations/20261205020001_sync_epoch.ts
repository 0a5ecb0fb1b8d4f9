// sources.sync_epoch: a fencing token. Every committed sync run of a source adds one; a run that
// was given the epoch it began reading at commits only if it is still that. An older snapshot
// (a full sync overtaken while its lock was lost) is refused even when the source has no cursor.
import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.raw('ALTER TABLE sources ADD COLUMN sync_epoch bigint NOT NULL DEFAULT 0');
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('ALTER TABLE sources DROP COLUMN sync_epoch');
}
