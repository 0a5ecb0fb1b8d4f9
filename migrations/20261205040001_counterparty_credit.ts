// Debt and credit limit of each counterparty, mirrored from the accounting system's settlements
// (взаиморасчёты): current debt, its overdue part, the limit (NULL: none), what the store does
// with an order that would pass it (refuse | warn, the counterparty's setting in the system) and
// the moment the system computed the figures. One row per counterparty; money exact (numeric).
import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.raw(`
    CREATE TABLE counterparty_credit (
      counterparty_id bigint PRIMARY KEY REFERENCES counterparties ON DELETE CASCADE,
      source_id int NOT NULL REFERENCES sources ON DELETE CASCADE,
      debt numeric(18,2) NOT NULL,
      overdue numeric(18,2) NOT NULL DEFAULT 0 CHECK (overdue >= 0),
      credit_limit numeric(18,2) CHECK (credit_limit IS NULL OR credit_limit >= 0),
      policy text NOT NULL DEFAULT 'refuse' CHECK (policy IN ('refuse', 'warn')),
      currency text NOT NULL DEFAULT 'RUB',
      as_of timestamptz NOT NULL,
      deleted boolean NOT NULL DEFAULT false,
      updated_at timestamptz NOT NULL DEFAULT now()
    );
  `);
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('DROP TABLE IF EXISTS counterparty_credit');
}
