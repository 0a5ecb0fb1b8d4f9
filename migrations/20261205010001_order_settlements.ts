// Payments and shipments the accounting system reports for a store order (CommerceML 3.x sends
// them as documents of their own: «Выплата безналичных денег», «Отпуск товара» …; 2.x as the
// order's requisites «Номер оплаты по 1С», «Номер отгрузки по 1С»). One row per payment /
// shipment the system names (external_id), so a resent document updates its row; shipment lines
// say which order line went out and how much (a partial shipment ships less than ordered).
// order_status_history.kind: 'status' for status reports, 'payment' / 'shipment' for the line a
// new or changed settlement adds — the status applier's "same as last time" check looks at
// status lines only, so settlements in between never make a resent status look new.
import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.raw(`
    CREATE TABLE order_payments (
      id bigserial PRIMARY KEY,
      order_id bigint NOT NULL REFERENCES orders ON DELETE CASCADE,
      external_id text NOT NULL,
      kind text NOT NULL DEFAULT '',
      number text,
      paid_at timestamptz,
      amount numeric(18,2) NOT NULL,
      state text NOT NULL CHECK (state IN ('paid', 'pending', 'cancelled')),
      from_requisites boolean NOT NULL DEFAULT false,
      updated_at timestamptz NOT NULL DEFAULT now(),
      UNIQUE (order_id, external_id)
    );
    CREATE TABLE order_shipments (
      id bigserial PRIMARY KEY,
      order_id bigint NOT NULL REFERENCES orders ON DELETE CASCADE,
      external_id text NOT NULL,
      number text,
      shipped_at timestamptz,
      amount numeric(18,2),
      state text NOT NULL CHECK (state IN ('shipped', 'pending', 'cancelled')),
      tracking text,
      whole_order boolean NOT NULL DEFAULT false,
      from_requisites boolean NOT NULL DEFAULT false,
      updated_at timestamptz NOT NULL DEFAULT now(),
      UNIQUE (order_id, external_id)
    );
    CREATE TABLE order_shipment_lines (
      shipment_id bigint NOT NULL REFERENCES order_shipments ON DELETE CASCADE,
      line_no int NOT NULL,
      order_line_id bigint REFERENCES order_lines ON DELETE SET NULL,
      offer_external_id text,
      name text NOT NULL DEFAULT '',
      quantity numeric(18,3) NOT NULL CHECK (quantity >= 0),
      PRIMARY KEY (shipment_id, line_no)
    );
    ALTER TABLE order_status_history ADD COLUMN kind text NOT NULL DEFAULT 'status' CHECK (kind IN ('status', 'payment', 'shipment'));
  `);
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw(`
    ALTER TABLE order_status_history DROP COLUMN IF EXISTS kind;
    DROP TABLE IF EXISTS order_shipment_lines, order_shipments, order_payments;
  `);
}
