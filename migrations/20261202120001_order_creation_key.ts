// orders.creation_key: what an order was created from ('checkout:<form key>' or
// 'reservations:<sorted ids>'), unique, so createOrder's INSERT … ON CONFLICT makes a repeated or
// concurrent submit of the same thing return the first order instead of a second one (or a
// unique-violation error). Existing orders get their key back from what already identified them
// (the checkout's outbox key, the reservations that became the order), so a checkout form sent
// before this migration and resubmitted after it still finds its order.
import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.raw(`
    ALTER TABLE orders ADD COLUMN creation_key text;
    UPDATE orders o SET creation_key = 'checkout:' || substr(x.idempotency_key, length('order.create:') + 1)
      FROM outbox x
     WHERE x.kind = 'order.create' AND x.idempotency_key LIKE 'order.create:%'
       AND x.payload ->> 'orderId' = o.id::text AND x.idempotency_key <> 'order.create:' || o.id;
    UPDATE orders o SET creation_key = 'reservations:' || r.ids
      FROM (SELECT order_id, string_agg(id::text, ',' ORDER BY id) AS ids FROM reservations
             WHERE state = 'ordered' AND order_id IS NOT NULL GROUP BY order_id) r
     WHERE r.order_id = o.id AND o.creation_key IS NULL;
    ALTER TABLE orders ADD CONSTRAINT orders_creation_key UNIQUE (creation_key);
  `);
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('ALTER TABLE orders DROP COLUMN IF EXISTS creation_key');
}
