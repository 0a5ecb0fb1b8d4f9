// The approval request createOrder writes, in its transaction, for an order over its author's
// limit (src/store/company/limits.ts): the order is held back from export (export_state 'held',
// no outbox row) and an order_approvals row records why, the outbox key the approval will write,
// and until when the order's stock is held (the client's reservation period,
// src/store/reservations/settings.ts). Decisions: approvals.ts.
import type { Knex } from 'knex';
import type { LimitBreach } from '../company/limits.ts';
import { reservationSettings } from '../reservations/settings.ts';

export interface ApprovalRequest {
  orderId: number;
  clientId: number;
  counterpartyId: number;
  userId: number | null;
  breach: LimitBreach;
  /** The order.create outbox key the approval writes (the one the order would have had). */
  outboxKey: string;
}

/** Holds the order back and records the request; returns the deadline of its stock hold. */
export async function requestApproval(trx: Knex.Transaction, r: ApprovalRequest): Promise<Date> {
  const { periodHours } = await reservationSettings(trx, r.clientId);
  await trx('orders').where({ id: r.orderId }).update({ export_state: 'held' });
  const [row] = await trx('order_approvals')
    .insert({
      order_id: r.orderId, client_id: r.clientId, counterparty_id: r.counterpartyId, requested_by: r.userId, reason: r.breach.reason,
      limit_amount: r.breach.limit, month_spent: r.breach.spent, outbox_key: r.outboxKey,
      expires_at: trx.raw('now() + make_interval(secs => ?)', [Math.round(periodHours * 3600)]),
    })
    .returning('expires_at');
  await trx('order_status_history').insert({ order_id: r.orderId, status: 'new', note: r.breach.message, origin: 'store' });
  return new Date(row.expires_at);
}
