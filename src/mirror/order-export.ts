// The one "order for export" read model: what any connector sends to an accounting system about
// a store order (CommerceML's sale/query document, SOAP's CreateOrder). Money and quantities stay
// the database's exact text; external ids are the mirror's, so the system recognises its own
// counterparty, contract, offers and warehouses.
import type { Knex } from 'knex';
import type { Db } from '../infra/db/knex.ts';

export interface ExportOrderLine {
  lineNo: number;
  offerExternalId: string;
  productExternalId: string;
  warehouseExternalId: string | null;
  sku: string | null;
  name: string;
  unit: string | null;
  /** numeric(18,3) as text, e.g. "2.000". */
  quantity: string;
  /** numeric(18,2) as text. */
  price: string;
  amount: string;
}

export interface ExportOrder {
  orderId: number;
  number: string;
  createdAt: Date;
  updatedAt: Date;
  /** The canonical status code (src/mirror/order-status.ts). */
  status: string;
  counterparty: { externalId: string; name: string; fullName: string | null; inn: string | null; kpp: string | null };
  contractExternalId: string | null;
  currency: string;
  /** numeric(18,2) as text. */
  total: string;
  comment: string;
  lines: ExportOrderLine[];
}

interface HeaderRow {
  id: number;
  number: string;
  created_at: Date;
  updated_at: Date;
  status: string;
  currency: string;
  total: string;
  comment: string;
  cp_external_id: string;
  cp_name: string;
  cp_full_name: string | null;
  cp_inn: string | null;
  cp_kpp: string | null;
  contract_external_id: string | null;
}

interface LineRow {
  order_id: number;
  line_no: number;
  offer_external_id: string;
  product_external_id: string;
  warehouse_external_id: string | null;
  sku: string | null;
  name: string;
  unit: string | null;
  quantity: string;
  price: string;
  amount: string;
}

/** The orders with these ids, in the order the ids are given; ids without an order are left out. */
export async function loadOrdersForExport(db: Db | Knex.Transaction, orderIds: readonly number[]): Promise<ExportOrder[]> {
  if (!orderIds.length) return [];
  const ids = [...new Set(orderIds)];
  const { rows: headers } = await db.raw<{ rows: HeaderRow[] }>(
    `SELECT o.id, o.number, o.created_at, o.updated_at, o.status, o.currency, o.total::text AS total, o.comment,
            cp.external_id AS cp_external_id, cp.name AS cp_name, cp.full_name AS cp_full_name, cp.inn AS cp_inn, cp.kpp AS cp_kpp,
            c.external_id AS contract_external_id
       FROM orders o
       JOIN counterparties cp ON cp.id = o.counterparty_id
       LEFT JOIN contracts c ON c.id = o.contract_id
      WHERE o.id = ANY(?::bigint[])`,
    [ids],
  );
  if (!headers.length) return [];
  const { rows: lines } = await db.raw<{ rows: LineRow[] }>(
    `SELECT l.order_id, l.line_no, f.external_id AS offer_external_id, p.external_id AS product_external_id,
            w.external_id AS warehouse_external_id, l.sku, l.name, l.unit,
            l.quantity::text AS quantity, l.price::text AS price, l.amount::text AS amount
       FROM order_lines l
       JOIN offers f ON f.id = l.offer_id
       JOIN products p ON p.id = f.product_id
       LEFT JOIN warehouses w ON w.id = l.warehouse_id
      WHERE l.order_id = ANY(?::bigint[])
      ORDER BY l.order_id, l.line_no`,
    [headers.map((h) => h.id)],
  );
  const byOrder = new Map<number, ExportOrderLine[]>();
  for (const l of lines) {
    const list = byOrder.get(Number(l.order_id)) ?? [];
    list.push({
      lineNo: l.line_no, offerExternalId: l.offer_external_id, productExternalId: l.product_external_id, warehouseExternalId: l.warehouse_external_id,
      sku: l.sku, name: l.name, unit: l.unit, quantity: l.quantity, price: l.price, amount: l.amount,
    });
    byOrder.set(Number(l.order_id), list);
  }
  const byId = new Map(headers.map((h) => [Number(h.id), h]));
  return ids.flatMap((id) => {
    const h = byId.get(id);
    if (!h) return [];
    return [{
      orderId: Number(h.id), number: h.number, createdAt: new Date(h.created_at), updatedAt: new Date(h.updated_at), status: h.status,
      counterparty: { externalId: h.cp_external_id, name: h.cp_name, fullName: h.cp_full_name, inn: h.cp_inn, kpp: h.cp_kpp },
      contractExternalId: h.contract_external_id, currency: h.currency, total: h.total, comment: h.comment, lines: byOrder.get(id) ?? [],
    }];
  });
}
