// The INN check of 20261127000001 lost its `?` to knex's binding syntax (it became `$1`), so it
// refused every INN. Re-create it with `{0,1}`, which knex leaves alone.
import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.raw(`
    ALTER TABLE counterparties DROP CONSTRAINT IF EXISTS counterparties_inn_check;
    ALTER TABLE counterparties ADD CONSTRAINT counterparties_inn_check
      CHECK (inn IS NULL OR inn ~ '^[0-9]{10}([0-9]{2}){0,1}$');
  `);
}

export async function down(knex: Knex): Promise<void> {
  // Back to a check equivalent to the original intent (the broken one would refuse existing rows).
  await knex.raw(`
    ALTER TABLE counterparties DROP CONSTRAINT IF EXISTS counterparties_inn_check;
    ALTER TABLE counterparties ADD CONSTRAINT counterparties_inn_check CHECK (inn IS NULL OR inn ~ '^[0-9]{10}([0-9]{2}){0,1}$');
  `);
}
