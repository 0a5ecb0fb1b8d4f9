// Order limits of an employee (users.order_limit, users.monthly_limit; NULL = none), checked by
// createOrder after the order row is written, inside its transaction: the total is the one SQL
// computed, and a refusal rolls the order (lines, hold, outbox row) back. A limit is in the
// order's currency; the month is the calendar month in Moscow time and counts the user's orders
// in that currency that are not cancelled, this one included. The user's row is locked first, so
// two checkouts of one employee cannot both slip under the monthly limit. Staff have no limits.
// Today an order over a limit is refused (409); approvals will let it wait for the owner instead.
import type { Knex } from 'knex';
import { DomainError } from '../../infra/domain-error.ts';
import { add, cmp } from '../shared/decimal.ts';

/** "150000.5" → "150 000,50" (the store cannot use the web's formats). */
export function moneyText(v: string, currency: string): string {
  const [i = '0', f = ''] = v.split('.');
  return `${i.replace(/\B(?=(\d{3})+(?!\d))/g, '\u00a0')},${(f + '00').slice(0, 2)} ${currency}`;
}

export async function assertWithinLimits(trx: Knex.Transaction, userId: number | null, order: { orderId: number; total: string; currency: string }): Promise<void> {
  if (userId === null) return;
  const u = await trx('users').where({ id: userId }).forUpdate().first('role', 'order_limit', 'monthly_limit');
  if (u?.role !== 'buyer') return;
  const money = (v: string) => moneyText(v, order.currency);
  if (u.order_limit !== null && cmp(order.total, u.order_limit) > 0) {
    throw new DomainError(
      'conflict',
      `Заказ на ${money(order.total)} больше вашего лимита на один заказ (${money(u.order_limit)}). Уменьшите заказ или обратитесь к владельцу кабинета.`,
      { code: 'company.over_order_limit', details: { total: order.total, limit: u.order_limit } },
    );
  }
  if (u.monthly_limit !== null) {
    const { rows } = await trx.raw<{ rows: { spent: string }[] }>(
      `SELECT coalesce(sum(total), 0)::text AS spent FROM orders
        WHERE user_id = ? AND currency = ? AND status <> 'cancelled' AND id <> ?
          AND created_at >= (date_trunc('month', now() AT TIME ZONE 'Europe/Moscow') AT TIME ZONE 'Europe/Moscow')`,
      [userId, order.currency, order.orderId],
    );
    const spent = rows[0]!.spent;
    const withThis = add(spent, order.total, 2);
    if (cmp(withThis, u.monthly_limit) > 0) {
      throw new DomainError(
        'conflict',
        `С этим заказом ваши заказы за месяц составят ${money(withThis)} при лимите ${money(u.monthly_limit)} в месяц (уже заказано на ${money(add(spent, '0', 2))}). Уменьшите заказ или обратитесь к владельцу кабинета.`,
        { code: 'company.over_monthly_limit', details: { spent, total: order.total, limit: u.monthly_limit } },
      );
    }
  }
}
