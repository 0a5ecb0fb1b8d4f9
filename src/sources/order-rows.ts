// The store-side queries of order export and status import (outbox, orders, history, cursor).
import type { Knex } from 'knex';
import type { OrderForExport, StatusRecord } from '../../connectors/soap/index.ts';
import type { Db } from '../infra/db/knex.ts';

// Claiming, retrying and marking the outbox rows themselves: src/sources/outbox.ts.

/** The order id an outbox payload points at (the storefront writes { orderId } or { order_id }). */
export function orderIdOf(payload: Record<string, unknown>): number | undefined {
  const v = payload.orderId ?? payload.order_id ?? (payload.order as { id?: unknown } | undefined)?.id;
  const n = Number(v);
  return Number.isInteger(n) && n > 0 ? n : undefined;
}

export async function orderForExport(db: Db | Knex.Transaction, orderId: number, idempotencyKey: string): Promise<OrderForExport | undefined> {
  const o = await db('orders as o')
    .join('counterparties as cp', 'cp.id', 'o.counterparty_id')
    .leftJoin('contracts as c', 'c.id', 'o.contract_id')
    .where('o.id', orderId)
    .first('o.id', 'o.number', 'o.comment', 'o.total', 'o.currency', 'o.created_at', { cp: 'cp.external_id' }, { contract: 'c.external_id' });
  if (!o) return undefined;
  const lines = await db('order_lines as l')
    .join('offers as f', 'f.id', 'l.offer_id')
    .leftJoin('warehouses as w', 'w.id', 'l.warehouse_id')
    .where('l.order_id', orderId)
    .orderBy('l.line_no')
    .select('l.line_no', { offer: 'f.external_id' }, { warehouse: 'w.external_id' }, 'l.sku', 'l.name', 'l.unit', 'l.quantity', 'l.price', 'l.amount');
  return {
    idempotencyKey, orderId: o.id, number: o.number, counterpartyExternalId: o.cp, contractExternalId: o.contract ?? null, comment: o.comment,
    total: o.total, currency: o.currency, createdAt: new Date(o.created_at).toISOString(),
    lines: lines.map((l: Record<string, never>) => ({
      lineNo: l.line_no, offerExternalId: l.offer, warehouseExternalId: l.warehouse ?? null, sku: l.sku ?? null, name: l.name, unit: l.unit ?? null,
      quantity: l.quantity, price: l.price, amount: l.amount,
    })),
  };
}

/** The order as the system registered it (the outbox row is marked delivered with it). */
export async function recordOrderExported(trx: Knex.Transaction, orderId: number, ext: { externalId: string; externalNumber: string | null }): Promise<void> {
  await trx('orders').where({ id: orderId }).update({
    external_id: ext.externalId, external_number: trx.raw('coalesce(?, external_number)', [ext.externalNumber]), exported_at: trx.fn.now(),
    export_state: 'exported', updated_at: trx.fn.now(),
  });
}

const cursorKey = (sourceId: number) => `orders.status.cursor:${sourceId}`;

export async function statusCursor(db: Db, sourceId: number): Promise<string | null> {
  const row = await db('settings').where({ key: cursorKey(sourceId) }).first('value');
  return row ? String(row.value) : null;
}

/** Applies pulled statuses and moves the cursor in one transaction; returns [applied, unknown orders]. */
export async function applyStatuses(db: Db, sourceId: number, statuses: StatusRecord[], next: string): Promise<[number, string[]]> {
  return db.transaction(async (trx) => {
    let applied = 0;
    const unknown: string[] = [];
    for (const s of statuses) {
      const order = await trx('orders').where({ number: s.orderNumber, source_id: sourceId }).first('id');
      if (!order) {
        unknown.push(s.orderNumber);
        continue;
      }
      const at = s.at ?? new Date().toISOString();
      const dup = await trx('order_status_history').where({ order_id: order.id, status: s.status, at, origin: 'accounting' }).first('id');
      if (!dup) {
        await trx('order_status_history').insert({ order_id: order.id, status: s.status, note: s.note ?? '', origin: 'accounting', at });
        applied++;
      }
      await trx('orders').where({ id: order.id }).update({
        status: s.status, external_number: trx.raw('coalesce(?, external_number)', [s.externalNumber]),
        external_id: trx.raw('coalesce(external_id, ?)', [s.externalId]), updated_at: trx.fn.now(),
      });
    }
    await trx('settings').insert({ key: cursorKey(sourceId), value: JSON.stringify(next), updated_at: trx.fn.now() }).onConflict('key').merge();
    return [applied, unknown];
  });
}
