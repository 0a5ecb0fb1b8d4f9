// cp_reserve_many(): many reservations in one statement and one transaction — one round trip and
// one commit (WAL flush) for all the reservations that arrived together, instead of one each. On
// a hot stock row the row lock is held through the commit's flush, so each flush saved is time
// every waiter saves. Each element runs cp_reserve() as it is (lock the stock row, sum the active
// reservations in a fresh snapshot, insert if it fits): a later element on the same row sees the
// earlier ones' inserts. Elements are taken in (offer, warehouse) order, so two batches lock the
// rows they share in the same order and never deadlock each other. `o_n` is the element's
// position (1-based); an element whose stock row does not exist has no row.
import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.raw(`
    CREATE FUNCTION cp_reserve_many(p_client bigint[], p_counterparty bigint[], p_user bigint[], p_offer bigint[], p_warehouse bigint[],
                                    p_qty numeric[], p_period_hours numeric[])
    RETURNS TABLE (o_n int, o_available numeric, o_id bigint, o_expires_at timestamptz, o_created_at timestamptz, o_unit text,
                   o_item_name text, o_sku text, o_warehouse_name text, o_stock numeric)
    LANGUAGE plpgsql VOLATILE AS $fn$
    DECLARE
      x record;
    BEGIN
      FOR x IN SELECT * FROM unnest(p_client, p_counterparty, p_user, p_offer, p_warehouse, p_qty, p_period_hours)
                 WITH ORDINALITY AS e(client, counterparty, usr, offer, warehouse, qty, period, n)
               ORDER BY e.offer, e.warehouse, e.n LOOP
        RETURN QUERY SELECT x.n::int, r.* FROM cp_reserve(x.client, x.counterparty, x.usr, x.offer, x.warehouse, x.qty, x.period) r;
      END LOOP;
    END
    $fn$;
  `);
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw(`DROP FUNCTION IF EXISTS cp_reserve_many(bigint[], bigint[], bigint[], bigint[], bigint[], numeric[], numeric[])`);
}
