// A user's own language for pages and e-mails (src/infra/i18n): null until they choose one
// (the `lang` cookie, else the store's default, applies meanwhile).
import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.raw(`ALTER TABLE users ADD COLUMN language text CHECK (language ~ '^[a-z]{2,3}$')`);
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('ALTER TABLE users DROP COLUMN IF EXISTS language');
}
