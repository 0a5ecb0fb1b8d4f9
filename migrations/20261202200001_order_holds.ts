// reservations.order_hold: the row is the stock hold of a checkout's order (src/store/orders/
// checkout.ts), not a reservation the buyer made — it is not listed under "My reservations" and
// cannot be cancelled, extended or turned into a second order there. Existing holds are found
// by being written in the order's own transaction (the same now()).
import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.raw(`
    ALTER TABLE reservations ADD COLUMN order_hold boolean NOT NULL DEFAULT false;
    UPDATE reservations r SET order_hold = true FROM orders o WHERE r.order_id = o.id AND r.created_at = o.created_at;
  `);
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('ALTER TABLE reservations DROP COLUMN order_hold');
}
