// Quotes (RFQ): a buyer asks for prices on a cart's lines (quantities, desired date, comment);
// the client's manager answers a price per line and a validity date (and may change quantities);
// the buyer accepts — one order at the quoted prices (orders.creation_key 'quote:<id>') — or
// declines. Expiry is not a status: an answered quote past valid_until (the store's date) is expired.
import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.raw(`
    CREATE TABLE quotes (
      id bigserial PRIMARY KEY,
      client_id bigint NOT NULL REFERENCES clients ON DELETE CASCADE,
      counterparty_id bigint NOT NULL REFERENCES counterparties,
      contract_id bigint REFERENCES contracts,
      user_id bigint REFERENCES users ON DELETE SET NULL,
      status text NOT NULL DEFAULT 'requested' CHECK (status IN ('requested', 'answered', 'accepted', 'declined')),
      desired_date date,
      comment text NOT NULL DEFAULT '',
      currency text,
      valid_until date,
      answer text NOT NULL DEFAULT '',
      answered_by bigint REFERENCES users ON DELETE SET NULL,
      answered_at timestamptz,
      order_id bigint REFERENCES orders,
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now(),
      CHECK (status IN ('requested') OR valid_until IS NOT NULL),
      CHECK (status <> 'accepted' OR order_id IS NOT NULL)
    );
    CREATE INDEX quotes_client ON quotes (client_id, created_at DESC);
    CREATE INDEX quotes_open ON quotes (status, created_at) WHERE status IN ('requested', 'answered');

    CREATE TABLE quote_lines (
      quote_id bigint NOT NULL REFERENCES quotes ON DELETE CASCADE,
      line_no int NOT NULL,
      offer_id bigint NOT NULL REFERENCES offers,
      warehouse_id bigint REFERENCES warehouses,
      requested_quantity numeric(18,3) NOT NULL CHECK (requested_quantity > 0),
      quantity numeric(18,3) NOT NULL CHECK (quantity > 0),
      price numeric(18,2) CHECK (price >= 0),
      PRIMARY KEY (quote_id, line_no)
    );
  `);
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('DROP TABLE IF EXISTS quote_lines; DROP TABLE IF EXISTS quotes;');
}
