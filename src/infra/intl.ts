// The one place that formats dates, numbers and money for people (pages, e-mails, PDFs), through
// Intl with the store's locale, time zone and currency from the configuration (STORE_LOCALE,
// STORE_TIME_ZONE, STORE_CURRENCY). Decimal strings go to Intl as strings, which formats them
// exactly (never through a float). A page in another language passes its locale; the time zone
// and currency stay the store's.
import { DateTime } from 'luxon';
import { registerCache } from './caches.ts';
import { config } from './config.ts';

export interface StoreIntl {
  /** BCP 47, e.g. "ru-RU". */
  locale: string;
  /** IANA, e.g. "Europe/Moscow". */
  timeZone: string;
  /** ISO 4217, e.g. "RUB": amounts without a currency of their own are in it. */
  currency: string;
}

/** The store's locale, time zone and currency (configuration). */
export function storeIntl(): StoreIntl {
  const c = config();
  return { locale: c.STORE_LOCALE, timeZone: c.STORE_TIME_ZONE, currency: c.STORE_CURRENCY };
}

/** The store's currency: what an amount without one is in. */
export const storeCurrency = (): string => config().STORE_CURRENCY;

/**
 * The store's currency as an SQL literal, for statement texts built once (prepared statements):
 * the configuration allows only three capital letters, checked again here.
 */
export function storeCurrencySql(): string {
  const c = storeCurrency();
  if (!/^[A-Z]{3}$/.test(c)) throw new Error(`STORE_CURRENCY must be an ISO 4217 code, not ${JSON.stringify(c)}`);
  return `'${c}'`;
}

/** The store's time zone (SQL `AT TIME ZONE ?`, date inputs). */
export const storeTimeZone = (): string => config().STORE_TIME_ZONE;

export interface Formats {
  locale: string;
  timeZone: string;
  /** "1234567.5" → "1 234 567,50"; with a currency "1 234 567,50 ₽"; empty → "—". */
  money(v: string | null | undefined, currency?: string | null): string;
  /** A currency as printed next to an amount in this locale: "RUB" → "₽", "USD" → "$"; no code → the store's. */
  currencySign(currency?: string | null): string;
  /** A quantity: "10.000" → "10", "2.500" → "2,5", "4321" → "4321", "12345" → "12 345"; empty → "0". */
  qty(v: string | null | undefined): string;
  /** "03.12.2026, 09:13:05" (store time zone); empty → "—". */
  dateTime(v: Date | string | null | undefined): string;
  /** "03.12.2026, 09:13". */
  dateTimeShort(v: Date | string | null | undefined): string;
  /** "03.12.2026". */
  date(v: Date | string | null | undefined): string;
  /** A calendar day as stored ("2026-12-03", SQL date): "03.12.2026", never shifted by a time zone; empty → "—". */
  day(v: string | null | undefined): string;
  /** A calendar day as people say it: "пт, 11 декабря" ("Fri, 11 December"), never shifted by a time zone. */
  dayLong(v: string): string;
  /** The store's time zone's short name at that instant ("GMT+3"). */
  zoneName(v?: Date | string): string;
  /** A size in bytes as the locale writes it: "12 кБ", "1,4 МБ" ("12 kB", "1.4 MB"); at least 1 kB. */
  fileSize(bytes: number | string | null | undefined): string;
  /** A unit of measure as written in the locale: "pcs", "шт", none → «шт.» in Russian; others as given. */
  unit(u: string | null | undefined): string;
  /** The plural category of n ("one", "few", "many", "other" …) by the locale's rules. */
  plural(n: number): Intl.LDMLPluralRule;
}

// "Pieces" arrives as a code or a word in either language (1C: "шт", OKEI 796; test data "pcs").
const PIECES = new Set(['pcs', 'pc', 'pc.', 'piece', 'pieces', 'шт', 'шт.', '796']);
const PIECES_IN: Record<string, string> = { ru: 'шт.', en: 'pcs' };
const language = (locale: string) => locale.split('-')[0]!.toLowerCase();

const MONEY_DIGITS = { minimumFractionDigits: 2, maximumFractionDigits: 2 } as const;

function build(locale: string, timeZone: string): Formats {
  const num = new Intl.NumberFormat(locale, MONEY_DIGITS);
  const currencies = new Map<string, Intl.NumberFormat>();
  const signs = new Map<string, string>();
  // quantities: 4 digits stay together (stock cells are narrow), 5 and more are grouped
  const q = new Intl.NumberFormat(locale, { maximumFractionDigits: 20, useGrouping: 'min2' });
  const dt = new Intl.DateTimeFormat(locale, { dateStyle: 'short', timeStyle: 'medium', timeZone });
  const dts = new Intl.DateTimeFormat(locale, { dateStyle: 'short', timeStyle: 'short', timeZone });
  const d = new Intl.DateTimeFormat(locale, { day: '2-digit', month: '2-digit', year: 'numeric', timeZone });
  // a calendar day has no instant: read and printed in UTC, so no zone moves it to another day
  const cal = new Intl.DateTimeFormat(locale, { day: '2-digit', month: '2-digit', year: 'numeric', timeZone: 'UTC' });
  const calWeekday = new Intl.DateTimeFormat(locale, { weekday: 'short', timeZone: 'UTC' });
  const calDayMonth = new Intl.DateTimeFormat(locale, { day: 'numeric', month: 'long', timeZone: 'UTC' });
  const zone = new Intl.DateTimeFormat(locale, { timeZone, timeZoneName: 'short' });
  const rules = new Intl.PluralRules(locale);
  const kb = new Intl.NumberFormat(locale, { style: 'unit', unit: 'kilobyte', maximumFractionDigits: 0 });
  const mb = new Intl.NumberFormat(locale, { style: 'unit', unit: 'megabyte', maximumFractionDigits: 1 });
  const when = (v: Date | string) => (v instanceof Date ? v : new Date(v));
  const decimal = (v: string) => v.trim() as Intl.StringNumericLiteral;
  return {
    locale,
    timeZone,
    money(v, currency) {
      if (v === null || v === undefined || v === '') return '—';
      if (!currency) return num.format(decimal(v));
      let f = currencies.get(currency);
      if (!f) {
        f = new Intl.NumberFormat(locale, { style: 'currency', currency, ...MONEY_DIGITS });
        currencies.set(currency, f);
      }
      return f.format(decimal(v));
    },
    currencySign(currency) {
      const given = (currency || storeCurrency()).trim();
      let sign = signs.get(given);
      if (sign === undefined) {
        // what is not an ISO code is printed as it is (Intl throws on anything but three letters)
        const code = given.toUpperCase();
        sign = /^[A-Z]{3}$/.test(code)
          ? (new Intl.NumberFormat(locale, { style: 'currency', currency: code, currencyDisplay: 'narrowSymbol' }).formatToParts(0).find((p) => p.type === 'currency')?.value ?? code)
          : given;
        signs.set(given, sign);
      }
      return sign;
    },
    qty: (v) => (v === null || v === undefined || v === '' ? '0' : q.format(decimal(v))),
    dateTime: (v) => (v ? dt.format(when(v)) : '—'),
    dateTimeShort: (v) => (v ? dts.format(when(v)) : '—'),
    date: (v) => (v ? d.format(when(v)) : '—'),
    day: (v) => {
      const m = v ? /^(\d{4})-(\d{2})-(\d{2})/.exec(v) : null;
      return m ? cal.format(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]))) : v || '—';
    },
    dayLong: (v) => {
      const d = new Date(`${v.slice(0, 10)}T00:00:00Z`);
      return `${calWeekday.format(d)}, ${calDayMonth.format(d)}`;
    },
    zoneName: (v = new Date()) => zone.formatToParts(when(v)).find((p) => p.type === 'timeZoneName')?.value ?? timeZone,
    unit: (u) => {
      const key = (u ?? '').trim().toLowerCase();
      return key === '' || PIECES.has(key) ? (PIECES_IN[language(locale)] ?? PIECES_IN.en!) : u!.trim();
    },
    plural: (n) => rules.select(n),
    fileSize: (v) => {
      const n = Number(v ?? 0);
      return n >= 1048576 ? mb.format(n / 1048576) : kb.format(Math.max(1, Math.round(n / 1024)));
    },
  };
}

const cache = registerCache('intl.formats', new Map<string, Formats>());

/** Formats for a locale (default: the store's), in the store's time zone. */
export function formats(locale?: string | null): Formats {
  const { locale: store, timeZone } = storeIntl();
  const key = `${locale || store}|${timeZone}`;
  let f = cache.get(key);
  if (!f) {
    f = build(locale || store, timeZone);
    cache.set(key, f);
  }
  return f;
}

/** An instant as a `datetime-local` input's value in the store's time zone ("2026-12-03T09:13"). */
export function toZoneInput(v: Date | string | null | undefined): string {
  if (!v) return '';
  return DateTime.fromJSDate(v instanceof Date ? v : new Date(v), { zone: storeTimeZone() }).toFormat("yyyy-MM-dd'T'HH:mm");
}

/**
 * A `datetime-local` input's value, read in the store's time zone → ISO instant; empty →
 * undefined; not a date → the text as given, for the caller's validation to refuse by name.
 */
export function fromZoneInput(v: unknown): string | undefined {
  if (!v) return undefined;
  const dt = DateTime.fromISO(String(v), { zone: storeTimeZone() });
  return dt.isValid ? (dt.toISO() ?? String(v)) : String(v);
}
