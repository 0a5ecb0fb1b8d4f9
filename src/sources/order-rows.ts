// The store-side queries of order export and status import (outbox, orders, history, cursor).
import type { Knex } from 'knex';
import type { OrderForExport, StatusRecord } from '../../connectors/soap/index.ts';
import type { Db } from '../infra/db/knex.ts';
import { loadOrdersForExport } from '../mirror/order-export.ts';
import { applyAccountingStatuses, type StatusApplyResult } from '../mirror/order-status.ts';

// Claiming, retrying and marking the outbox rows themselves: src/sources/outbox.ts.

/**
 * The order an `order.create` outbox row delivers. Its payload has one shape, `{ orderId }`
 * (a positive integer); anything else is undefined, which the export job records as a failure
 * of that row rather than guessing at another field.
 */
export function orderIdOf(payload: Record<string, unknown>): number | undefined {
  const v = payload.orderId;
  return typeof v === 'number' && Number.isSafeInteger(v) && v > 0 ? v : undefined;
}

/** The SOAP connector's view of one order (src/mirror/order-export.ts is the read model). */
export async function orderForExport(db: Db | Knex.Transaction, orderId: number, idempotencyKey: string): Promise<OrderForExport | undefined> {
  const [o] = await loadOrdersForExport(db, [orderId]);
  if (!o) return undefined;
  return {
    idempotencyKey, orderId: o.orderId, number: o.number, counterpartyExternalId: o.counterparty.externalId, contractExternalId: o.contractExternalId,
    comment: o.comment, total: o.total, currency: o.currency, createdAt: o.createdAt.toISOString(),
    lines: o.lines.map((l) => ({
      lineNo: l.lineNo, offerExternalId: l.offerExternalId, warehouseExternalId: l.warehouseExternalId, sku: l.sku, name: l.name, unit: l.unit,
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

// The status feed's position, kept with the source (source_cursors goes when the source goes).
const STATUS_CURSOR = 'orders.status';

export async function statusCursor(db: Db, sourceId: number): Promise<string | null> {
  const row = await db('source_cursors').where({ source_id: sourceId, name: STATUS_CURSOR }).first('value');
  return row ? row.value : null;
}

/** Applies pulled statuses (src/mirror/order-status.ts) and moves the cursor in one transaction. */
export async function applyStatuses(db: Db, sourceId: number, statuses: StatusRecord[], next: string): Promise<StatusApplyResult> {
  return db.transaction(async (trx) => {
    const result = await applyAccountingStatuses(
      trx,
      sourceId,
      statuses.map((s) => ({
        keys: [s.orderNumber], code: s.code, text: s.status, note: s.note, at: s.at ?? new Date().toISOString(), externalId: s.externalId, externalNumber: s.externalNumber,
      })),
    );
    await trx('source_cursors').insert({ source_id: sourceId, name: STATUS_CURSOR, value: next, updated_at: trx.fn.now() }).onConflict(['source_id', 'name']).merge();
    return result;
  });
}
