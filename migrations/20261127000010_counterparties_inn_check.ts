// The INN check of 20261127000001 went through knex.raw, which read the regex's "?" as a binding
// placeholder: the stored pattern ('…([0-9]{2})$1$') rejects every INN. Re-create it without "?".
import type { Knex } from 'knex';

const INTENDED = `CHECK (inn IS NULL OR inn ~ '^[0-9]{10}([0-9]{2}){0,1}$')`;

export async function up(knex: Knex): Promise<void> {
  await knex.raw(`ALTER TABLE counterparties DROP CONSTRAINT IF EXISTS counterparties_inn_check, ADD CONSTRAINT counterparties_inn_check ${INTENDED}`);
}

export async function down(knex: Knex): Promise<void> {
  // Keep the intended check on the way down too: the original text can only be stored broken.
  await knex.raw(`ALTER TABLE counterparties DROP CONSTRAINT IF EXISTS counterparties_inn_check, ADD CONSTRAINT counterparties_inn_check ${INTENDED}`);
}
