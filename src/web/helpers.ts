// Handlebars helpers shared by every template. All return escaped text.
import type { HelperOptions } from 'handlebars';
import { key, languageOr, translator } from '../infra/i18n/index.ts';
import { formats } from '../infra/intl.ts';
import { orderStatusLabel } from './format.ts';

/** A helper's last argument: Handlebars' options (hash, data with @root). */
const isOptions = (v: unknown): v is HelperOptions => typeof v === 'object' && v !== null && 'data' in v && 'hash' in v;
/** The formats of the page's locale (`locale` in the view's data, else the store's). */
const fmt = (o: unknown) => formats(isOptions(o) ? ((o.data?.root as { locale?: string } | undefined)?.locale ?? null) : null);
/** The page's language (`lang` in the view's data: src/web/i18n.ts; e-mails pass the recipient's). */
const langOf = (o: unknown) => (isOptions(o) ? ((o.data?.root as { lang?: string } | undefined)?.lang ?? null) : null);
/** A hash value for i18next: a numeric `count` (a database count arrives as text) as a number, for the plural rules. */
const hashValues = (hash: Record<string, unknown>) =>
  typeof hash.count === 'string' && hash.count.trim() !== '' && Number.isFinite(Number(hash.count)) ? { ...hash, count: Number(hash.count) } : hash;
const str = (v: unknown) => (v === null || v === undefined ? null : String(v));
/** The page's translator. */
const trOf = (o: unknown) => translator(langOf(o));

// An order approval's states and reasons (src/store/approvals) → catalog keys.
const APPROVAL_STATE_KEYS: Record<string, string> = {
  pending: key('approvals.state.pending'),
  approved: key('approvals.state.approved'),
  rejected: key('approvals.state.rejected'),
  expired: key('approvals.state.expired'),
};
const APPROVAL_REASON_KEYS: Record<string, string> = {
  order_limit: key('approvals.reason.order_limit'),
  monthly_limit: key('approvals.reason.monthly_limit'),
};

export const helpers = {
  /**
   * A text from the message catalogs (src/infra/i18n) in the page's language:
   * {{t "cart.title"}}, {{t "catalog.found" count=total}} (plural rules), {{t "order.title" number=number}}.
   */
  t: (key: unknown, o: unknown) => translator(langOf(o))(String(key), isOptions(o) ? hashValues(o.hash as Record<string, unknown>) : {}) as string,
  eq: (a: unknown, b: unknown) => a === b,
  gt: (a: unknown, b: unknown) => Number(a) > Number(b),
  /** "as of" stamps: dd.mm.yyyy, hh:mm:ss in the store's time zone. */
  datetime: (v: unknown, o: unknown) => fmt(o).dateTime(v ? String(v) : null),
  /** A calendar day as stored ("2026-12-03") in the page's locale, never shifted by a time zone. */
  day: (v: unknown, o: unknown) => fmt(o).day(str(v)),
  json: (v: unknown) => JSON.stringify(v),
  /** File sizes in the page's language (Intl units): "12 кБ", "1,4 МБ" / "12 kB", "1.4 MB". */
  kb: (v: unknown, o: unknown) => fmt(o).fileSize(str(v)),
  /** {{money amount}} → "1 234,50"; {{money amount currency}} → "1 234,50 ₽". */
  money: (v: unknown, ...rest: unknown[]) => {
    const o = rest.at(-1);
    const currency = rest.length > 1 ? str(rest[0]) : null;
    return fmt(o).money(str(v), currency);
  },
  /** {{cur currency}} → "₽" for RUB in the page's locale (the store's currency when none is given). */
  cur: (...args: unknown[]) => fmt(args.at(-1)).currencySign(args.length > 1 ? str(args[0]) : null),
  /** A value inside a URL's query string (`?back={{uri back}}`): percent-encoded, then HTML-escaped. */
  uri: (v: unknown) => encodeURIComponent(v === null || v === undefined ? '' : String(v)),
  qty: (v: unknown, o: unknown) => fmt(o).qty(str(v)),
  /** A unit of measure in the page's language ("pcs"/"шт" → «шт.»). */
  unitLabel: (v: unknown, o: unknown) => fmt(o).unit(str(v)),
  /** An order status code → its label in the page's language. */
  statusLabel: (v: unknown, o: unknown) => orderStatusLabel(str(v), languageOr(langOf(o))),
  /** An order approval's state ("pending" …) → its label in the page's language; an unknown one as it is. */
  approvalStateLabel: (v: unknown, o: unknown) => {
    const k = Object.hasOwn(APPROVAL_STATE_KEYS, String(v)) ? APPROVAL_STATE_KEYS[String(v)] : undefined;
    return k ? (trOf(o)(k) as string) : String(v ?? '');
  },
  /** Why an order waits for approval: {{approvalReason reason limit monthSpent currency}}. */
  approvalReason: (reason: unknown, limit: unknown, spent: unknown, currency: unknown, o: unknown) => {
    const k = Object.hasOwn(APPROVAL_REASON_KEYS, String(reason)) ? APPROVAL_REASON_KEYS[String(reason)] : undefined;
    if (!k) return String(reason ?? '');
    const f = fmt(o);
    return trOf(o)(k, { limit: f.money(str(limit), str(currency)), spent: f.money(str(spent), str(currency)) }) as string;
  },
};
