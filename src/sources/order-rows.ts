// The store-side queries of order export and status import (outbox, orders, history, cursor).
import type { Knex } from 'knex';
import type { OrderForExport, StatusRecord } from '../../connectors/soap/index.ts';
import type { Db } from '../infra/db/knex.ts';

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
