// Mirrored accounting documents (invoices, shipment documents, reconciliation statements) of each
// counterparty, and the counterparty's bank requisites that the store's own invoice prints.
// Lines live inside the document (jsonb): the system sends a document whole, so its lines are
// replaced with it and a removed line can never linger.
import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.raw(`
    ALTER TABLE counterparties
      ADD COLUMN legal_address text,
      ADD COLUMN bank_name text,
      ADD COLUMN bank_bic text CHECK (bank_bic IS NULL OR bank_bic ~ '^[0-9]{9}$'),
      ADD COLUMN bank_account text CHECK (bank_account IS NULL OR bank_account ~ '^[0-9]{20}$'),
      ADD COLUMN bank_corr_account text CHECK (bank_corr_account IS NULL OR bank_corr_account ~ '^[0-9]{20}$');

    CREATE TABLE documents (
      id bigserial PRIMARY KEY,
      source_id int NOT NULL REFERENCES sources ON DELETE CASCADE,
      external_id text NOT NULL,
      counterparty_id bigint NOT NULL REFERENCES counterparties ON DELETE CASCADE,
      kind text NOT NULL CHECK (kind IN ('invoice', 'shipment', 'reconciliation')),
      number text NOT NULL,
      date date NOT NULL,
      amount numeric(18,2) NOT NULL,
      vat_amount numeric(18,2),
      currency text NOT NULL DEFAULT 'RUB',
      status text,
      period_from date,
      period_to date,
      lines jsonb NOT NULL DEFAULT '[]',
      file_name text,
      file_base64 text,
      deleted boolean NOT NULL DEFAULT false,
      updated_at timestamptz NOT NULL DEFAULT now(),
      UNIQUE (source_id, external_id)
    );
    CREATE INDEX documents_counterparty ON documents (counterparty_id, date DESC);
  `);
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw(`
    DROP TABLE IF EXISTS documents;
    ALTER TABLE counterparties DROP COLUMN IF EXISTS legal_address, DROP COLUMN IF EXISTS bank_name, DROP COLUMN IF EXISTS bank_bic,
      DROP COLUMN IF EXISTS bank_account, DROP COLUMN IF EXISTS bank_corr_account;
  `);
}
