// Display formats for decimal strings (never through floats for money) and status labels.
import { isOrderStatusCode, type OrderStatusCode } from '../mirror/order-status.ts';

/** "1234567.5" → "1 234 567,50" (2 decimals, grouped, Russian style). */
export function money(v: string | null | undefined): string {
  if (v === null || v === undefined || v === '') return '—';
  const neg = v.startsWith('-');
  const [int, frac = ''] = (neg ? v.slice(1) : v).split('.');
  const cents = (frac + '00').slice(0, 2);
  const grouped = int!.length > 3 ? int!.replace(/\B(?=(\d{3})+(?!\d))/g, '\u00a0') : int!;
  return `${neg ? '−' : ''}${grouped},${cents}`;
}

/** "10.000" → "10", "2.500" → "2,5". */
export function qty(v: string | null | undefined): string {
  if (v === null || v === undefined || v === '') return '0';
  if (!v.includes('.')) return v;
  const [int, frac = ''] = v.split('.');
  const f = frac.replace(/0+$/, '');
  return f ? `${int},${f}` : int!;
}


// What a page or an e-mail calls each canonical order status (src/mirror/order-status.ts). Pages
// are English for now; the e-mails are Russian.
const ORDER_STATUS_LABELS: Record<'en' | 'ru', Record<OrderStatusCode, string>> = {
  en: { new: 'New', confirmed: 'Confirmed', paid: 'Paid', shipped: 'Shipped', completed: 'Completed', cancelled: 'Cancelled' },
  ru: { new: 'Новый', confirmed: 'Подтверждён', paid: 'Оплачен', shipped: 'Отгружен', completed: 'Выполнен', cancelled: 'Отменён' },
};

/** "shipped" → "Shipped"; an unknown value is shown as it is. */
export function orderStatusLabel(code: string | null | undefined, lang: 'en' | 'ru' = 'en'): string {
  if (!code) return '—';
  return isOrderStatusCode(code) ? ORDER_STATUS_LABELS[lang][code] : code;
}
