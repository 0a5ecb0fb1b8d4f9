// Expected arrivals, mirrored: one row per line of a supplier order of the accounting system —
// so much of an offer due at a warehouse on a date. The product page and the cart ask "what
// arrives for these offers, soonest first": the partial index serves exactly that.
import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.raw(`
    CREATE TABLE expected_arrivals (
      id bigserial PRIMARY KEY,
      source_id int NOT NULL REFERENCES sources ON DELETE CASCADE,
      external_id text NOT NULL,
      offer_id bigint NOT NULL REFERENCES offers ON DELETE CASCADE,
      warehouse_id bigint NOT NULL REFERENCES warehouses ON DELETE CASCADE,
      quantity numeric(18,3) NOT NULL CHECK (quantity >= 0),
      expected_date date NOT NULL,
      order_number text,
      deleted boolean NOT NULL DEFAULT false,
      updated_at timestamptz NOT NULL DEFAULT now(),
      UNIQUE (source_id, external_id)
    );
    CREATE INDEX expected_arrivals_offer ON expected_arrivals (offer_id, expected_date, warehouse_id)
      INCLUDE (quantity) WHERE NOT deleted AND quantity > 0;
  `);
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('DROP TABLE IF EXISTS expected_arrivals');
}
