// The mirror migration wrote its INN check through knex.raw, which read the "?" of the regex
// as a binding placeholder: the stored constraint became '^[0-9]{10}([0-9]{2})$1$' and refused
// every INN. This replaces it with the intended one (the "?" escaped for knex).
import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.raw(`
    ALTER TABLE counterparties DROP CONSTRAINT IF EXISTS counterparties_inn_check;
    ALTER TABLE counterparties ADD CONSTRAINT counterparties_inn_check CHECK (inn IS NULL OR inn ~ '^[0-9]{10}([0-9]{2})\\?$');
  `);
}

export async function down(knex: Knex): Promise<void> {
  // Back to the constraint exactly as the earlier migration created it.
  await knex.raw(`
    ALTER TABLE counterparties DROP CONSTRAINT IF EXISTS counterparties_inn_check;
    ALTER TABLE counterparties ADD CONSTRAINT counterparties_inn_check CHECK (inn IS NULL OR inn ~ '^[0-9]{10}([0-9]{2})$1$');
  `);
}
