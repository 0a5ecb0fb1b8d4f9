// cp_reserve(): one round trip per reservation. Locks the stock row, then — in a new statement,
// which in a VOLATILE function takes a fresh snapshot — sums the active reservations committed
// before the lock was granted, and inserts the reservation plus its outbox row only when
// stock − active reservations covers the quantity. No rows back: not stocked there.
import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.raw(`
    CREATE FUNCTION cp_reserve(p_client bigint, p_counterparty bigint, p_user bigint, p_offer bigint, p_warehouse bigint, p_qty numeric)
    RETURNS TABLE (o_available numeric, o_id bigint, o_expires_at timestamptz, o_created_at timestamptz, o_unit text,
                   o_item_name text, o_sku text, o_warehouse_name text, o_stock numeric)
    LANGUAGE plpgsql VOLATILE AS $fn$
    DECLARE
      v_stock numeric; v_source int; v_unit text; v_item text; v_sku text; v_wname text;
      v_held numeric; v_period numeric; v_id bigint; v_exp timestamptz; v_created timestamptz;
    BEGIN
      SELECT s.quantity, s.source_id, p.unit,
             p.name || CASE WHEN o.name IS NOT NULL AND o.name <> p.name THEN ' — ' || o.name ELSE '' END,
             coalesce(o.sku, p.sku), w.name
        INTO v_stock, v_source, v_unit, v_item, v_sku, v_wname
        FROM stock s
        JOIN offers o ON o.id = s.offer_id AND NOT o.deleted
        JOIN products p ON p.id = o.product_id AND NOT p.deleted
        JOIN warehouses w ON w.id = s.warehouse_id AND NOT w.deleted
       WHERE s.offer_id = p_offer AND s.warehouse_id = p_warehouse AND NOT s.deleted
         FOR UPDATE OF s;
      IF NOT FOUND THEN
        RETURN;
      END IF;
      SELECT coalesce(sum(r.quantity), 0) INTO v_held
        FROM reservations r WHERE r.offer_id = p_offer AND r.warehouse_id = p_warehouse AND r.state = 'active';
      IF v_stock - v_held < p_qty THEN
        RETURN QUERY SELECT greatest(v_stock - v_held, 0), NULL::bigint, NULL::timestamptz, NULL::timestamptz, v_unit, v_item, v_sku, v_wname, v_stock;
        RETURN;
      END IF;
      SELECT coalesce(
               (SELECT (c.settings #>> '{reservations,periodHours}')::numeric FROM clients c
                 WHERE c.id = p_client AND c.settings #>> '{reservations,periodHours}' ~ '^[0-9]+(\\.[0-9]+){0,1}$'),
               (SELECT (st.value #>> '{}')::numeric FROM settings st
                 WHERE st.key = 'reservations.period_hours' AND st.value #>> '{}' ~ '^[0-9]+(\\.[0-9]+){0,1}$'),
               24) INTO v_period;
      IF v_period <= 0 THEN
        v_period := 24;
      END IF;
      INSERT INTO reservations (client_id, counterparty_id, user_id, offer_id, warehouse_id, quantity, expires_at)
      VALUES (p_client, p_counterparty, p_user, p_offer, p_warehouse, p_qty, now() + make_interval(secs => (v_period * 3600)::double precision))
      RETURNING id, expires_at, created_at INTO v_id, v_exp, v_created;
      INSERT INTO outbox (source_id, kind, idempotency_key, payload)
      SELECT v_source, 'reservation.place', 'reservation.place:' || v_id,
             jsonb_build_object('reservationId', v_id, 'offer', o.external_id, 'warehouse', w.external_id,
                                'counterparty', c.external_id, 'quantity', p_qty::text, 'expiresAt', v_exp)
        FROM offers o, warehouses w, counterparties c
       WHERE o.id = p_offer AND w.id = p_warehouse AND c.id = p_counterparty;
      RETURN QUERY SELECT v_stock - v_held - p_qty, v_id, v_exp, v_created, v_unit, v_item, v_sku, v_wname, v_stock;
    END
    $fn$;
  `);
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('DROP FUNCTION IF EXISTS cp_reserve(bigint, bigint, bigint, bigint, bigint, numeric)');
}
