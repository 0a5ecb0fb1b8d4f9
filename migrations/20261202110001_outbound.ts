// Outbox rows only for what a connector delivers, each delivered in order, delivered rows purged:
// - sources.outbound: the outbox kinds the source's connector delivers (a SOAP source records
//   them from its mapping at each sync; CommerceML delivers orders only);
// - outbox.ordering_key: rows with the same key are delivered one after another in id order
//   (a reservation's place → extend → release); the key of a reservation is also how the
//   accounting system recognises it;
// - reservations.held_by_source: the reservation was placed in the accounting system too, so its
//   extensions and release must follow it there;
// - cp_reserve() takes the period from its caller (src/store/reservations/settings.ts holds the
//   only default) and writes reservation.place only for a source that delivers it;
// - an index for the purge of delivered rows.
// Reservation rows written before this were never deliverable (no connector had reservation
// operations): they are removed.
import type { Knex } from 'knex';
import { up as reserveFunctionV1 } from './20261127000041_reserve_function.ts';

export async function up(knex: Knex): Promise<void> {
  await knex.raw(`
    ALTER TABLE sources ADD COLUMN outbound text[] NOT NULL DEFAULT '{}';
    UPDATE sources SET outbound = '{order.create}' WHERE kind = 'commerceml';
    ALTER TABLE outbox ADD COLUMN ordering_key text;
    CREATE INDEX outbox_ordering ON outbox (ordering_key, id) WHERE ordering_key IS NOT NULL AND state <> 'sent';
    CREATE INDEX outbox_sent ON outbox (sent_at) WHERE state = 'sent';
    ALTER TABLE reservations ADD COLUMN held_by_source boolean NOT NULL DEFAULT false;
    DELETE FROM outbox WHERE kind LIKE 'reservation.%' AND state = 'pending';
    DROP FUNCTION cp_reserve(bigint, bigint, bigint, bigint, bigint, numeric);

    CREATE FUNCTION cp_reserve(p_client bigint, p_counterparty bigint, p_user bigint, p_offer bigint, p_warehouse bigint, p_qty numeric,
                               p_period_hours numeric)
    RETURNS TABLE (o_available numeric, o_id bigint, o_expires_at timestamptz, o_created_at timestamptz, o_unit text,
                   o_item_name text, o_sku text, o_warehouse_name text, o_stock numeric)
    LANGUAGE plpgsql VOLATILE AS $fn$
    DECLARE
      v_stock numeric; v_source int; v_unit text; v_item text; v_sku text; v_wname text;
      v_held numeric; v_id bigint; v_exp timestamptz; v_created timestamptz; v_delivers boolean;
    BEGIN
      IF p_period_hours IS NULL OR p_period_hours <= 0 THEN
        RAISE EXCEPTION 'cp_reserve: the reservation period must be a positive number of hours, got %', p_period_hours;
      END IF;
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
      SELECT 'reservation.place' = ANY(src.outbound) INTO v_delivers FROM sources src WHERE src.id = v_source;
      INSERT INTO reservations (client_id, counterparty_id, user_id, offer_id, warehouse_id, quantity, expires_at, held_by_source)
      VALUES (p_client, p_counterparty, p_user, p_offer, p_warehouse, p_qty,
              now() + make_interval(secs => (p_period_hours * 3600)::double precision), coalesce(v_delivers, false))
      RETURNING id, expires_at, created_at INTO v_id, v_exp, v_created;
      IF v_delivers THEN
        INSERT INTO outbox (source_id, kind, idempotency_key, ordering_key, payload)
        SELECT v_source, 'reservation.place', 'reservation.place:' || v_id, 'reservation:' || v_id,
               jsonb_build_object('reservationId', v_id, 'offer', o.external_id, 'warehouse', w.external_id,
                                  'counterparty', c.external_id, 'quantity', p_qty::text, 'expiresAt', v_exp)
          FROM offers o, warehouses w, counterparties c
         WHERE o.id = p_offer AND w.id = p_warehouse AND c.id = p_counterparty;
      END IF;
      RETURN QUERY SELECT v_stock - v_held - p_qty, v_id, v_exp, v_created, v_unit, v_item, v_sku, v_wname, v_stock;
    END
    $fn$;
  `);
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw(`
    DROP FUNCTION IF EXISTS cp_reserve(bigint, bigint, bigint, bigint, bigint, numeric, numeric);
    ALTER TABLE reservations DROP COLUMN IF EXISTS held_by_source;
    DROP INDEX IF EXISTS outbox_sent;
    DROP INDEX IF EXISTS outbox_ordering;
    ALTER TABLE outbox DROP COLUMN IF EXISTS ordering_key;
    ALTER TABLE sources DROP COLUMN IF EXISTS outbound;
  `);
  await reserveFunctionV1(knex);
}
