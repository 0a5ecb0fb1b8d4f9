import { isOrderStatusCode, type OrderStatusCode } from './order-status.ts';

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
