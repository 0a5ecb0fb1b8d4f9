// Handlebars helpers shared by every template. All return escaped text.
import { money, orderStatusLabel, qty } from './format.ts';

const dateTime = new Intl.DateTimeFormat('ru-RU', { dateStyle: 'short', timeStyle: 'medium', timeZone: 'Europe/Moscow' });

export const helpers = {
  eq: (a: unknown, b: unknown) => a === b,
  gt: (a: unknown, b: unknown) => Number(a) > Number(b),
  /** "as of" stamps: dd.mm.yyyy, hh:mm:ss Moscow time. */
  datetime: (v: unknown) => (v ? dateTime.format(new Date(String(v))) : '—'),
  json: (v: unknown) => JSON.stringify(v),
  /** File sizes: "12 KB", "1.4 MB". */
  kb: (v: unknown) => (Number(v) >= 1048576 ? `${(Number(v) / 1048576).toFixed(1)} MB` : `${Math.max(1, Math.round(Number(v) / 1024))} KB`),
  money: (v: unknown) => money(v === null || v === undefined ? null : String(v)),
  /** A value inside a URL's query string (`?back={{uri back}}`): percent-encoded, then HTML-escaped. */
  uri: (v: unknown) => encodeURIComponent(v === null || v === undefined ? '' : String(v)),
  qty: (v: unknown) => qty(v === null || v === undefined ? null : String(v)),
  /** An order status code → its label. */
  statusLabel: (v: unknown) => orderStatusLabel(v === null || v === undefined ? null : String(v)),
};
