// Display formats for the views: decimal strings (never through floats for money) and status
// labels. The formatting itself is src/infra/intl.ts (the store's locale, time zone, currency).
import { formats } from '../infra/intl.ts';

/** "1234567.5" → "1 234 567,50" (2 decimals, grouped, the store's locale); with a currency "… ₽". */
export function money(v: string | null | undefined, currency?: string | null, locale?: string | null): string {
  return formats(locale).money(v, currency);
}

/** "10.000" → "10", "2.500" → "2,5". */
export function qty(v: string | null | undefined, locale?: string | null): string {
  return formats(locale).qty(v);
}

// The labels live beside the codes: the web and the e-mails (which may not import the web) share them.
export { orderStatusLabel } from '../mirror/order-status-labels.ts';
