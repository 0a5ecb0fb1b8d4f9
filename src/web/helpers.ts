// Handlebars helpers shared by every template. All return escaped text.
import type { HelperOptions } from 'handlebars';
import { formats } from '../infra/intl.ts';
import { orderStatusLabel } from './format.ts';

/** A helper's last argument: Handlebars' options (hash, data with @root). */
const isOptions = (v: unknown): v is HelperOptions => typeof v === 'object' && v !== null && 'data' in v && 'hash' in v;
/** The formats of the page's locale (`locale` in the view's data, else the store's). */
const fmt = (o: unknown) => formats(isOptions(o) ? ((o.data?.root as { locale?: string } | undefined)?.locale ?? null) : null);
const str = (v: unknown) => (v === null || v === undefined ? null : String(v));

export const helpers = {
  eq: (a: unknown, b: unknown) => a === b,
  gt: (a: unknown, b: unknown) => Number(a) > Number(b),
  /** "as of" stamps: dd.mm.yyyy, hh:mm:ss in the store's time zone. */
  datetime: (v: unknown, o: unknown) => fmt(o).dateTime(v ? String(v) : null),
  json: (v: unknown) => JSON.stringify(v),
  /** File sizes: "12 KB", "1.4 MB". */
  kb: (v: unknown) => (Number(v) >= 1048576 ? `${(Number(v) / 1048576).toFixed(1)} MB` : `${Math.max(1, Math.round(Number(v) / 1024))} KB`),
  /** {{money amount}} → "1 234,50"; {{money amount currency}} → "1 234,50 ₽". */
  money: (v: unknown, ...rest: unknown[]) => {
    const o = rest.at(-1);
    const currency = rest.length > 1 ? str(rest[0]) : null;
    return fmt(o).money(str(v), currency);
  },
  /** A value inside a URL's query string (`?back={{uri back}}`): percent-encoded, then HTML-escaped. */
  uri: (v: unknown) => encodeURIComponent(v === null || v === undefined ? '' : String(v)),
  qty: (v: unknown, o: unknown) => fmt(o).qty(str(v)),
  /** A unit of measure in the page's language ("pcs"/"шт" → «шт.»). */
  unitLabel: (v: unknown, o: unknown) => fmt(o).unit(str(v)),
  /** An order status code → its label. */
  statusLabel: (v: unknown) => orderStatusLabel(v === null || v === undefined ? null : String(v)),
};
