// Order templates and draft carts of a buyer for one legal entity (src/store/cart/saved.ts): a
// named list of lines. A template stays after each order from it; a draft is a cart put aside,
// swapped with the current cart on a switch. Lines keep the SKU and name they had, so a line
// whose offer is gone can still be named; carts.name is the current cart's name (a draft's,
// after a switch to it).
import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.raw(`
    CREATE TABLE saved_carts (
      id bigserial PRIMARY KEY,
      kind text NOT NULL CHECK (kind IN ('template', 'draft')),
      client_id bigint NOT NULL REFERENCES clients ON DELETE CASCADE,
      user_id bigint NOT NULL REFERENCES users ON DELETE CASCADE,
      counterparty_id bigint NOT NULL REFERENCES counterparties ON DELETE CASCADE,
      name text NOT NULL CHECK (length(name) BETWEEN 1 AND 100),
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now(),
      UNIQUE (user_id, counterparty_id, kind, name)
    );

    CREATE TABLE saved_cart_lines (
      saved_cart_id bigint NOT NULL REFERENCES saved_carts ON DELETE CASCADE,
      line_no int NOT NULL,
      offer_id bigint REFERENCES offers ON DELETE SET NULL,
      sku text,
      name text NOT NULL,
      warehouse_id bigint REFERENCES warehouses ON DELETE SET NULL,
      quantity numeric(18,3) NOT NULL CHECK (quantity > 0),
      PRIMARY KEY (saved_cart_id, line_no)
    );

    ALTER TABLE carts ADD COLUMN name text CHECK (name IS NULL OR length(name) BETWEEN 1 AND 100);
  `);
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('ALTER TABLE carts DROP COLUMN name; DROP TABLE saved_cart_lines; DROP TABLE saved_carts;');
}
