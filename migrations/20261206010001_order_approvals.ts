// Approvals (issue 15, item 2): an order over its author's order limit (per order or per month)
// is created but waits for an owner of the company instead of being refused.
// - orders.export_state 'held': never exported (no outbox row, CommerceML's sale query skips it)
//   while it waits or after it was rejected; approving sets it to 'pending' and writes the
//   order.create outbox row, so the order then goes out like any other;
// - order_approvals: one row per such order — why it waits (the limit and the figures), the
//   outbox key the approval writes, until when its stock is held, and the decision (who, when,
//   the comment). The row is written in createOrder's transaction.
import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.raw(`
    ALTER TABLE orders DROP CONSTRAINT orders_export_state_check;
    ALTER TABLE orders ADD CONSTRAINT orders_export_state_check CHECK (export_state IN ('pending', 'querying', 'exported', 'held'));

    CREATE TABLE order_approvals (
      order_id bigint PRIMARY KEY REFERENCES orders ON DELETE CASCADE,
      client_id bigint NOT NULL REFERENCES clients ON DELETE CASCADE,
      counterparty_id bigint NOT NULL REFERENCES counterparties,
      requested_by bigint REFERENCES users ON DELETE SET NULL,
      reason text NOT NULL CHECK (reason IN ('order_limit', 'monthly_limit')),
      limit_amount numeric(18,2) NOT NULL,
      month_spent numeric(18,2) NOT NULL DEFAULT 0,
      outbox_key text NOT NULL,
      state text NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'approved', 'rejected', 'expired')),
      expires_at timestamptz NOT NULL,
      decided_by bigint REFERENCES users ON DELETE SET NULL,
      decided_at timestamptz,
      comment text NOT NULL DEFAULT '',
      requested_mail_at timestamptz,
      created_at timestamptz NOT NULL DEFAULT now(),
      CHECK (state = 'pending' OR decided_at IS NOT NULL)
    );
    CREATE INDEX order_approvals_pending ON order_approvals (client_id, created_at) WHERE state = 'pending';
    CREATE INDEX order_approvals_due ON order_approvals (expires_at) WHERE state = 'pending';
  `);
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw(`
    DROP TABLE IF EXISTS order_approvals;
    UPDATE orders SET export_state = 'pending' WHERE export_state = 'held';
    ALTER TABLE orders DROP CONSTRAINT orders_export_state_check;
    ALTER TABLE orders ADD CONSTRAINT orders_export_state_check CHECK (export_state IN ('pending', 'querying', 'exported'));
  `);
}
