// Company accounts: every buyer user has a role in the client's company (owner, buyer,
// accountant, viewer), the legal entities they may act for (all of the client's, or the ones
// listed in user_counterparties) and order limits per order and per calendar month (numeric
// money in the store's currency; NULL = no limit). Existing buyers become owners: nothing they
// could do before is taken away.
import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.raw(`
    ALTER TABLE users
      ADD COLUMN company_role text NOT NULL DEFAULT 'owner' CHECK (company_role IN ('owner', 'buyer', 'accountant', 'viewer')),
      ADD COLUMN all_counterparties boolean NOT NULL DEFAULT true,
      ADD COLUMN order_limit numeric(18,2) CHECK (order_limit IS NULL OR order_limit >= 0),
      ADD COLUMN monthly_limit numeric(18,2) CHECK (monthly_limit IS NULL OR monthly_limit >= 0),
      ADD COLUMN invited_by bigint REFERENCES users ON DELETE SET NULL;

    -- The legal entities an employee may act for when users.all_counterparties is false (only
    -- those also linked to the employee's client count).
    CREATE TABLE user_counterparties (
      user_id bigint NOT NULL REFERENCES users ON DELETE CASCADE,
      counterparty_id bigint NOT NULL REFERENCES counterparties ON DELETE CASCADE,
      created_at timestamptz NOT NULL DEFAULT now(),
      PRIMARY KEY (user_id, counterparty_id)
    );
    CREATE INDEX user_counterparties_cp ON user_counterparties (counterparty_id);
  `);
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw(`
    DROP TABLE user_counterparties;
    ALTER TABLE users DROP COLUMN company_role, DROP COLUMN all_counterparties, DROP COLUMN order_limit,
      DROP COLUMN monthly_limit, DROP COLUMN invited_by;
  `);
}
