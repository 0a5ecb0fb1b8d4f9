// Order limits of an employee (users.order_limit, users.monthly_limit; NULL = none), checked by
// createOrder after the order row is written, inside its transaction: the total is the one SQL
// computed. An order over a limit is not refused: it waits for an owner's approval
// (src/store/approvals). A limit is in the order's currency; the month is the calendar month in
// the store's time zone (STORE_TIME_ZONE) and counts the user's orders in that currency that are neither cancelled (a
// rejected or expired approval cancels its order) nor still waiting for approval, this one
// excluded. The user's row is locked first, so two checkouts of one employee cannot both slip
// under the monthly limit. Staff have no limits; an owner's own limits apply to the owner too.
import type { Knex } from 'knex';
import { storeTimeZone } from '../../infra/intl.ts';
import { add, cmp } from '../shared/decimal.ts';

/** "150000.5" → "150 000,50" (the store cannot use the web's formats). */
export function moneyText(v: string, currency: string): string {
  const [i = '0', f = ''] = v.split('.');
  return `${i.replace(/\B(?=(\d{3})+(?!\d))/g, '\u00a0')},${(f + '00').slice(0, 2)} ${currency}`;
}

/** Why an order waits for approval: which limit it passes, with the figures (decimal strings). */
export interface LimitBreach {
  reason: 'order_limit' | 'monthly_limit';
  /** The limit passed. */
  limit: string;
  /** This month's orders before this one (monthly limit; '0.00' for the per-order limit). */
  spent: string;
  total: string;
  currency: string;
  /** Russian, naming the figures. */
  message: string;
}

export interface LimitFigures {
  total: string;
  currency: string;
  orderLimit: string | null;
  monthlyLimit: string | null;
  /** This month's counted orders before this one. */
  spent: string;
}

/**
 * The rule, exact (decimal strings, no floats): the per-order limit first, then the monthly one.
 * Exactly at a limit passes; a kopeck over does not.
 */
export function evaluateLimits(f: LimitFigures): LimitBreach | null {
  const money = (v: string) => moneyText(v, f.currency);
  if (f.orderLimit !== null && cmp(f.total, f.orderLimit) > 0) {
    return {
      reason: 'order_limit', limit: f.orderLimit, spent: '0.00', total: f.total, currency: f.currency,
      message: `Заказ на ${money(f.total)} больше лимита на один заказ (${money(f.orderLimit)}): он ждёт согласования владельцем кабинета.`,
    };
  }
  if (f.monthlyLimit !== null) {
    const withThis = add(f.spent, f.total, 2);
    if (cmp(withThis, f.monthlyLimit) > 0) {
      return {
        reason: 'monthly_limit', limit: f.monthlyLimit, spent: add(f.spent, '0', 2), total: f.total, currency: f.currency,
        message: `С этим заказом заказы за месяц составят ${money(withThis)} при лимите ${money(f.monthlyLimit)} в месяц (уже заказано на ${money(add(f.spent, '0', 2))}): заказ ждёт согласования владельцем кабинета.`,
      };
    }
  }
  return null;
}

/** The limit this order of `userId` passes, or null (no user, staff, no limits, within them). */
export async function limitBreach(trx: Knex.Transaction, userId: number | null, order: { orderId: number; total: string; currency: string }): Promise<LimitBreach | null> {
  if (userId === null) return null;
  const u = await trx('users').where({ id: userId }).forUpdate().first('role', 'order_limit', 'monthly_limit');
  if (u?.role !== 'buyer') return null;
  if (u.order_limit === null && u.monthly_limit === null) return null;
  let spent = '0';
  if (u.monthly_limit !== null) {
    const { rows } = await trx.raw<{ rows: { spent: string }[] }>(
      `SELECT coalesce(sum(o.total), 0)::text AS spent FROM orders o
        WHERE o.user_id = ? AND o.currency = ? AND o.status <> 'cancelled' AND o.id <> ?
          AND o.created_at >= (date_trunc('month', now() AT TIME ZONE ?) AT TIME ZONE ?)
          AND NOT EXISTS (SELECT 1 FROM order_approvals a WHERE a.order_id = o.id AND a.state = 'pending')`,
      [userId, order.currency, order.orderId, storeTimeZone(), storeTimeZone()],
    );
    spent = rows[0]!.spent;
  }
  return evaluateLimits({ total: order.total, currency: order.currency, orderLimit: u.order_limit, monthlyLimit: u.monthly_limit, spent });
}
