// "When can I have it" for the views: the options of src/store/arrivals as Russian text, dates
// (already the store's calendar dates) written as people say them.
import type { DeliveryOptions } from '../store/arrivals/options.ts';
import { money, qty } from './format.ts';

const dayMonth = new Intl.DateTimeFormat('ru-RU', { day: 'numeric', month: 'long', timeZone: 'UTC' });
const weekday = new Intl.DateTimeFormat('ru-RU', { weekday: 'short', timeZone: 'UTC' });
const days = (from: string, to: string) => Math.round((Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / 86_400_000);

/** "сегодня", "завтра", else "пт, 11 декабря". */
export function ruDate(date: string, today: string): string {
  const n = days(today, date);
  if (n === 0) return 'сегодня';
  if (n === 1) return 'завтра';
  const d = new Date(`${date}T00:00:00Z`);
  return `${weekday.format(d)}, ${dayMonth.format(d)}`;
}

export function optionsView(o: DeliveryOptions, today: string, unit: string | null) {
  const u = unit ?? 'шт';
  return {
    quantity: o.quantity,
    quantityText: qty(o.quantity),
    unit: u,
    options: o.options.map((x) => ({
      ...x,
      partner: x.kind === 'partner',
      dateText: ruDate(x.date, today),
      how: x.via === 'stock'
        ? 'в наличии'
        : x.fromStock === '0'
          ? `после поступления ${ruDate(x.arrivalDate!, today)}`
          : `после поступления ${ruDate(x.arrivalDate!, today)}: ${qty(x.fromStock)} ${u} есть, ${qty(x.fromArrivals)} ${u} придёт`,
      deliveryText: x.deliveryDays === 0 ? 'в день готовности' : `${x.deliveryDays} дн. доставки`,
      unitPriceText: money(x.unitPrice),
      amountText: money(x.amount),
    })),
    short: o.short.map((s) => ({
      ...s,
      text: `${s.name}: не больше ${qty(s.reachable)} ${u}${s.lastArrival ? ` (с поступлениями до ${ruDate(s.lastArrival, today)})` : ''}`,
    })),
    none: o.options.length === 0,
  };
}

/** One line for a cart row: the earliest and, when another, the cheapest way to get its quantity. */
export function compactOptions(o: DeliveryOptions, today: string): string {
  const e = o.options.find((x) => x.earliest);
  const c = o.options.find((x) => x.cheapest);
  if (!e) return 'столько нет ни на складах, ни в ожидаемых поступлениях';
  const say = (x: typeof e) => `${ruDate(x.date, today)} — ${x.name}${x.amount ? `, ${money(x.amount)}` : ''}`;
  return c && c !== e ? `раньше всего: ${say(e)}; дешевле всего: ${say(c)}` : `раньше и дешевле всего: ${say(e)}`;
}
