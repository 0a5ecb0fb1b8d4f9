// Never silent, per exchange session: each imported file keeps what of its catalog data was
// dropped (products/offers/prices/stock it held but none applied) and whether it applied any,
// so `complete` can answer `failure` for a session that applied none of its files' data, its
// `deactivate` deletes nothing, and the console marks such files and sessions.
import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.raw(`
    ALTER TABLE commerceml_imports ADD COLUMN dropped text, ADD COLUMN data_applied boolean NOT NULL DEFAULT false;
  `);
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('ALTER TABLE commerceml_imports DROP COLUMN IF EXISTS dropped, DROP COLUMN IF EXISTS data_applied');
}
