// Which store order a mirrored document belongs to (documents.order_id): a connector that knows
// (1C's invoice or shipment naming the order the site sent) links it after the document is
// mirrored. An order is found the way payments and shipments find theirs: by the store's number,
// the id the system was given, or the system's own number, within the same source.
import type { Db } from '../infra/db/knex.ts';

export interface DocumentOrderLink {
  /** The document's external id (as mirrored). */
  externalId: string;
  /** How the system names the order: the store's number or id, or its own number. */
  orderKeys: string[];
}

/** Sets documents.order_id for each link whose order exists; returns how many were linked and the keys no order has. */
export async function linkDocumentOrders(db: Db, sourceId: number, links: DocumentOrderLink[]): Promise<{ linked: number; unknown: string[] }> {
  const usable = links.filter((l) => l.orderKeys.some(Boolean));
  if (!usable.length) return { linked: 0, unknown: [] };
  const { rows } = await db.raw<{ rows: { external_id: string; order_id: number | null }[] }>(
    `WITH l AS (SELECT * FROM jsonb_to_recordset(?::jsonb) AS x(ext text, keys text[]))
     UPDATE documents d SET order_id = o.id
       FROM l LEFT JOIN LATERAL (
              SELECT id FROM orders WHERE source_id = ? AND (number = ANY(l.keys) OR external_id = ANY(l.keys) OR external_number = ANY(l.keys))
               ORDER BY id LIMIT 1) o ON true
      WHERE d.source_id = ? AND d.external_id = l.ext AND d.order_id IS DISTINCT FROM o.id AND o.id IS NOT NULL
      RETURNING d.external_id, d.order_id`,
    [JSON.stringify(usable.map((l) => ({ ext: l.externalId, keys: l.orderKeys.filter(Boolean) }))), sourceId, sourceId],
  );
  const { rows: found } = await db.raw<{ rows: { ext: string }[] }>(
    `SELECT l.ext FROM jsonb_to_recordset(?::jsonb) AS l(ext text, keys text[])
      WHERE EXISTS (SELECT 1 FROM orders WHERE source_id = ? AND (number = ANY(l.keys) OR external_id = ANY(l.keys) OR external_number = ANY(l.keys)))`,
    [JSON.stringify(usable.map((l) => ({ ext: l.externalId, keys: l.orderKeys.filter(Boolean) }))), sourceId],
  );
  const ok = new Set(found.map((r) => r.ext));
  return { linked: rows.length, unknown: usable.filter((l) => !ok.has(l.externalId)).map((l) => l.orderKeys.filter(Boolean)[0]!) };
}

/** The external id of an order's counterparty, by the order's keys within a source (null: no such order). */
export async function orderCounterparties(db: Db, sourceId: number, keys: string[][]): Promise<(string | null)[]> {
  if (!keys.length) return [];
  const { rows } = await db.raw<{ rows: { i: number; ext: string | null }[] }>(
    `SELECT l.i, (SELECT c.external_id FROM orders o JOIN counterparties c ON c.id = o.counterparty_id
                   WHERE o.source_id = ? AND (o.number = ANY(l.keys) OR o.external_id = ANY(l.keys) OR o.external_number = ANY(l.keys))
                     AND c.source_id = ? ORDER BY o.id LIMIT 1) AS ext
       FROM jsonb_to_recordset(?::jsonb) AS l(i int, keys text[])`,
    [sourceId, sourceId, JSON.stringify(keys.map((k, i) => ({ i, keys: k.filter(Boolean) })))],
  );
  const out: (string | null)[] = keys.map(() => null);
  for (const r of rows) out[r.i] = r.ext;
  return out;
}
