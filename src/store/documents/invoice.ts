// The store's own invoice for an order: the order's lines at their prices (which include VAT),
// the VAT of each rate as the part of the amount, the buyer's requisites from the mirror and the
// seller's from the 'invoices.seller' setting.
import type { Db } from '../../infra/db/knex.ts';
import { DomainError } from '../../infra/domain-error.ts';
import { storeTimeZone } from '../../infra/intl.ts';
import { getSetting } from '../settings/settings.ts';
import type { InvoiceInput } from './pdf.ts';

/** The invoice of an order in scope; null when there is no such order there (→ 404). */
export async function orderInvoice(db: Db, scope: number[], orderId: number): Promise<InvoiceInput | null> {
  if (!scope.length) return null;
  const { rows } = await db.raw(
    `SELECT o.number, to_char(o.created_at AT TIME ZONE ?, 'YYYY-MM-DD') AS date, o.total::text AS total, o.currency,
            c.name, c.full_name, c.inn, c.kpp, c.legal_address, c.bank_name, c.bank_bic, c.bank_account, c.bank_corr_account,
            k.name AS contract_name, k.number AS contract_number
       FROM orders o JOIN counterparties c ON c.id = o.counterparty_id LEFT JOIN contracts k ON k.id = o.contract_id
      WHERE o.id = ? AND o.counterparty_id = ANY(?::bigint[])`,
    [storeTimeZone(), orderId, scope],
  );
  const o = rows[0];
  if (!o) return null;
  const seller = await getSetting(db, 'invoices.seller');
  if (!seller) throw new DomainError('conflict', { key: 'storeRefusals.documents.noSeller' }, { code: 'documents.no_seller' });
  const lines = (
    await db.raw(
      `SELECT l.name, l.sku, l.unit, l.quantity::text AS quantity, l.price::text AS price, l.amount::text AS amount,
              coalesce(p.vat_rate, ?::numeric)::text AS vat_rate
         FROM order_lines l LEFT JOIN offers f ON f.id = l.offer_id LEFT JOIN products p ON p.id = f.product_id
        WHERE l.order_id = ? ORDER BY l.line_no`,
      [seller.vatRate, orderId],
    )
  ).rows as { name: string; sku: string | null; unit: string | null; quantity: string; price: string; amount: string; vat_rate: string }[];
  // VAT inside a VAT-inclusive amount, per rate, rounded to kopecks once per rate.
  const vat = (
    await db.raw(
      `SELECT trim_scale(rate)::text AS rate, round(sum(amount) * rate / (100 + rate), 2)::text AS amount
         FROM (SELECT l.amount, coalesce(p.vat_rate, ?::numeric) AS rate
                 FROM order_lines l LEFT JOIN offers f ON f.id = l.offer_id LEFT JOIN products p ON p.id = f.product_id WHERE l.order_id = ?) x
        WHERE rate > 0 GROUP BY rate ORDER BY rate DESC`,
      [seller.vatRate, orderId],
    )
  ).rows as { rate: string; amount: string }[];
  return {
    number: o.number,
    date: o.date,
    seller,
    buyer: {
      name: o.full_name ?? o.name, inn: o.inn, kpp: o.kpp, address: o.legal_address, bankName: o.bank_name, bic: o.bank_bic,
      account: o.bank_account, corrAccount: o.bank_corr_account,
    },
    lines: lines.map((l) => ({ name: l.name, sku: l.sku, unit: l.unit, quantity: l.quantity, price: l.price, amount: l.amount, vatRate: l.vat_rate })),
    total: o.total,
    currency: o.currency,
    vat,
    contract: o.contract_name ? `${o.contract_name}${o.contract_number ? ` № ${o.contract_number}` : ''}` : null,
  };
}
