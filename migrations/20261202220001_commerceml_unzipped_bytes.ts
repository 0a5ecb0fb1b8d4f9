// maxUnzippedBytes is a budget of the whole exchange session, not of each archive: the bytes
// unpacked so far are kept with the session (two archives, or re-uploads, add up).
import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.raw(`ALTER TABLE commerceml_sessions ADD COLUMN unzipped_bytes bigint NOT NULL DEFAULT 0`);
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw(`ALTER TABLE commerceml_sessions DROP COLUMN IF EXISTS unzipped_bytes`);
}
