// The store-side queries of order export and status import (outbox, orders, history, cursor).
import type { Knex } from 'knex';
import type { OrderForExport, StatusRecord } from '../../connectors/soap/index.ts';
import type { Db } from '../infra/db/knex.ts';
import { loadOrdersForExport } from '../mirror/order-export.ts';
import { applyAccountingStatuses, type StatusApplyResult } from '../mirror/order-status.ts';

export interface OutboxRow {
  id: number;
  source_id: number;
  kind: string;
  idempotency_key: string;
  payload: Record<string, unknown>;
  attempts: number;
}

/** Due outbox ids of order deliveries to SOAP sources. */
export async function dueOrderIds(db: Db, limit: number): Promise<number[]> {
  const rows = await db('outbox as o')
    .join('sources as s', 's.id', 'o.source_id')
    .where({ 'o.state': 'pending', 'o.kind': 'order.create', 's.kind': 'soap' })
    .andWhere('o.next_attempt_at', '<=', db.fn.now())
    .orderBy('o.id')
    .limit(limit)
    .select('o.id');
  return rows.map((r: { id: number }) => r.id);
}

/** Locks one still-pending outbox row for this transaction (skipped if another worker has it). */
export async function lockOutboxRow(trx: Knex.Transaction, id: number): Promise<OutboxRow | undefined> {
  return trx('outbox').where({ id, state: 'pending' }).forUpdate().skipLocked().first('id', 'source_id', 'kind', 'idempotency_key', 'payload', 'attempts');
}

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

export async function markSent(trx: Knex.Transaction, row: OutboxRow, orderId: number, ext: { externalId: string; externalNumber: string | null }): Promise<void> {
  await trx('outbox').where({ id: row.id }).update({ state: 'sent', sent_at: trx.fn.now(), attempts: row.attempts + 1, last_error: null });
  await trx('orders').where({ id: orderId }).update({
    external_id: ext.externalId, external_number: trx.raw('coalesce(?, external_number)', [ext.externalNumber]), exported_at: trx.fn.now(),
    export_state: 'exported', updated_at: trx.fn.now(),
  });
}

/** A failed attempt: retried later (exponential backoff), or given up when retrying cannot help. */
export async function markAttemptFailed(trx: Knex.Transaction, row: OutboxRow, error: string, retryInS: number | null): Promise<void> {
  await trx('outbox').where({ id: row.id }).update({
    attempts: row.attempts + 1, last_error: error.slice(0, 2000),
    ...(retryInS === null ? { state: 'failed' } : { next_attempt_at: trx.raw(`now() + make_interval(secs => ?)`, [retryInS]) }),
  });
}

const cursorKey = (sourceId: number) => `orders.status.cursor:${sourceId}`;

export async function statusCursor(db: Db, sourceId: number): Promise<string | null> {
  const row = await db('settings').where({ key: cursorKey(sourceId) }).first('value');
  return row ? String(row.value) : null;
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
    await trx('settings').insert({ key: cursorKey(sourceId), value: JSON.stringify(next), updated_at: trx.fn.now() }).onConflict('key').merge();
    return result;
  });
}
