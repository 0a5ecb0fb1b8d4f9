// "When can I have it" for the views: the options of src/store/arrivals as text in the page's
// language (catalog section deliveryText), dates (already the store's calendar dates) written as
// people say them, quantities, units and money through src/infra/intl.ts.
import { languageOr, localeOf, translator } from '../infra/i18n/index.ts';
import { formats } from '../infra/intl.ts';
import type { DeliveryOptions } from '../store/arrivals/options.ts';

const days = (from: string, to: string) => Math.round((Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / 86_400_000);

/** "сегодня", "завтра", else "пт, 11 декабря" ("today", "tomorrow", "Fri, 11 December"). */
export function dayText(date: string, today: string, lang?: string | null): string {
  const l = languageOr(lang);
  const t = translator(l);
  const n = days(today, date);
  if (n === 0) return t('deliveryText.today');
  if (n === 1) return t('deliveryText.tomorrow');
  return formats(localeOf(l)).dayLong(date);
}

export function optionsView(o: DeliveryOptions, today: string, unit: string | null, lang?: string | null) {
  const l = languageOr(lang);
  const t = translator(l);
  const f = formats(localeOf(l));
  const u = f.unit(unit);
  const day = (d: string) => dayText(d, today, l);
  return {
    quantity: o.quantity,
    quantityText: f.qty(o.quantity),
    unit: u,
    options: o.options.map((x) => ({
      ...x,
      partner: x.kind === 'partner',
      dateText: day(x.date),
      how:
        x.via === 'stock'
          ? t('deliveryText.inStock')
          : x.fromStock === '0'
            ? t('deliveryText.afterArrival', { date: day(x.arrivalDate!) })
            : t('deliveryText.afterArrivalSplit', { date: day(x.arrivalDate!), fromStock: f.qty(x.fromStock), fromArrivals: f.qty(x.fromArrivals), unit: u }),
      deliveryText: x.deliveryDays === 0 ? t('deliveryText.sameDay') : t('deliveryText.deliveryDays', { count: x.deliveryDays }),
      unitPriceText: f.money(x.unitPrice),
      amountText: f.money(x.amount),
    })),
    short: o.short.map((s) => ({
      ...s,
      text: s.lastArrival
        ? t('deliveryText.shortUntil', { name: s.name, qty: f.qty(s.reachable), unit: u, date: day(s.lastArrival) })
        : t('deliveryText.short', { name: s.name, qty: f.qty(s.reachable), unit: u }),
    })),
    none: o.options.length === 0,
  };
}

/** One line for a cart row: the earliest and, when another, the cheapest way to get its quantity. */
export function compactOptions(o: DeliveryOptions, today: string, lang?: string | null): string {
  const l = languageOr(lang);
  const t = translator(l);
  const f = formats(localeOf(l));
  const e = o.options.find((x) => x.earliest);
  const c = o.options.find((x) => x.cheapest);
  if (!e) return t('deliveryText.nowhere');
  const say = (x: typeof e) =>
    x.amount
      ? t('deliveryText.sayAmount', { date: dayText(x.date, today, l), name: x.name, amount: f.money(x.amount) })
      : t('deliveryText.say', { date: dayText(x.date, today, l), name: x.name });
  return c && c !== e ? t('deliveryText.split', { earliest: say(e), cheapest: say(c) }) : t('deliveryText.both', { what: say(e) });
}
