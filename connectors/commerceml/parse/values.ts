// Lenient readers for the text values of CommerceML: real files use "," or spaces in numbers,
// non-ISO currencies ("руб") and broken dates; none of that may fail an import.

const DECIMAL = /^-?\d+(\.\d+)?$/;

/**
 * True when `s` is already what normalizeDecimal would make of it: digits, at most one point
 * with digits after it, no leading zero before a digit, no trailing zero after the point. The
 * numbers of a big offers file are almost all like this, so they skip the regular expressions.
 */
function isCanonicalDecimal(s: string): boolean {
  const n = s.length;
  if (!n) return false;
  let i = s.charCodeAt(0) === 45 ? 1 : 0; // '-'
  if (i === n) return false;
  if (s.charCodeAt(i) === 48 && i + 1 < n && s.charCodeAt(i + 1) !== 46) return false; // leading 0
  let point = -1;
  for (; i < n; i++) {
    const c = s.charCodeAt(i);
    if (c === 46) {
      if (point >= 0 || i === 0 || i === n - 1 || s.charCodeAt(i - 1) === 45) return false;
      point = i;
    } else if (c < 48 || c > 57) return false;
  }
  if (point >= 0 && s.charCodeAt(n - 1) === 48) return false; // trailing 0 after the point
  return s !== '-0'; // normalises to "0"
}

/** A decimal string ("1234.5") or null when the text is not a number. */
export function decimal(s: string | undefined): string | null {
  if (s === undefined) return null;
  if (isCanonicalDecimal(s)) return s;
  const t = s.replace(/[\s\u00a0]/g, '').replace(',', '.');
  if (!DECIMAL.test(t)) return null;
  return normalizeDecimal(t);
}

function normalizeDecimal(t: string): string {
  const neg = t.startsWith('-');
  let [int, frac = ''] = (neg ? t.slice(1) : t).split('.') as [string, string?];
  int = int.replace(/^0+(?=\d)/, '');
  frac = frac.replace(/0+$/, '');
  const out = frac ? `${int}.${frac}` : int;
  return neg && out !== '0' ? `-${out}` : out;
}

/** Rounds a decimal string half-up to `scale` places (the mirror keeps money to 4, quantities to 3). */
export function roundDecimal(s: string, scale: number): string {
  const point = s.indexOf('.');
  if (point < 0 || s.length - point - 1 <= scale) return s;
  const neg = s.startsWith('-');
  const [int, frac = ''] = (neg ? s.slice(1) : s).split('.') as [string, string?];
  if (frac.length <= scale) return s;
  let n = BigInt(int + frac.slice(0, scale));
  if (Number(frac[scale]) >= 5) n += 1n;
  const digits = n.toString().padStart(scale + 1, '0');
  const out = normalizeDecimal(`${digits.slice(0, -scale) || '0'}.${digits.slice(-scale)}`);
  return neg && out !== '0' ? `-${out}` : out;
}

export function bool(s: string | undefined): boolean | undefined {
  if (s === undefined) return undefined;
  const t = s.trim().toLowerCase();
  if (['true', 'истина', 'да', '1', 'yes'].includes(t)) return true;
  if (['false', 'ложь', 'нет', '0', 'no'].includes(t)) return false;
  return undefined;
}

const CURRENCIES: Record<string, string> = {
  'руб': 'RUB', 'руб.': 'RUB', 'рубль': 'RUB', 'rur': 'RUB', '643': 'RUB', 'р': 'RUB', 'р.': 'RUB',
  'грн': 'UAH', 'грн.': 'UAH', '980': 'UAH', 'usd': 'USD', '840': 'USD', '$': 'USD', 'eur': 'EUR', '978': 'EUR',
  'тенге': 'KZT', 'тг': 'KZT', '398': 'KZT', 'бел. руб.': 'BYN', 'byn': 'BYN', '933': 'BYN',
};

const currencySeen = new Map<string, string | undefined>();

/** ISO 4217 code for what 1C writes in `Валюта`; unknown words are kept as written. */
export function currency(s: string | undefined): string | undefined {
  if (!s) return undefined;
  // A file repeats a handful of spellings hundreds of thousands of times.
  const seen = currencySeen.get(s);
  if (seen !== undefined || currencySeen.has(s)) return seen;
  const out = currencyOf(s);
  if (s.length <= 16 && currencySeen.size < 1000) currencySeen.set(s, out);
  return out;
}

function currencyOf(s: string): string | undefined {
  const t = s.trim();
  if (!t) return undefined;
  const known = CURRENCIES[t.toLowerCase()];
  if (known) return known;
  return /^[A-Za-z]{3}$/.test(t) ? t.toUpperCase() : t;
}

/** Parses 1C dates leniently: "2014-06-01T0:36:33", "2022-10-31UTC02:25:50", "01.06.2014". */
export function lenientDate(s: string | undefined, time?: string): Date | null {
  if (!s) return null;
  const t = s.trim();
  let m = /^(\d{4})-(\d{1,2})-(\d{1,2})(?:\D+(\d{1,2}):(\d{1,2})(?::(\d{1,2}))?)?/.exec(t);
  if (!m) {
    const ru = /^(\d{1,2})\.(\d{1,2})\.(\d{4})(?:\D+(\d{1,2}):(\d{1,2})(?::(\d{1,2}))?)?/.exec(t);
    if (ru) m = [ru[0], ru[3]!, ru[2]!, ru[1]!, ru[4]!, ru[5]!, ru[6]!] as unknown as RegExpExecArray;
  }
  if (!m) return null;
  let [hh, mi, ss] = [m[4], m[5], m[6]];
  if (hh === undefined && time) {
    const tm = /^(\d{1,2}):(\d{1,2})(?::(\d{1,2}))?/.exec(time.trim());
    if (tm) [hh, mi, ss] = [tm[1], tm[2], tm[3]];
  }
  const d = new Date(Date.UTC(+m[1]!, +m[2]! - 1, +m[3]!, +(hh ?? 0), +(mi ?? 0), +(ss ?? 0)));
  return Number.isNaN(d.getTime()) || d.getUTCFullYear() < 1900 ? null : d;
}

/** ИНН: 10 or 12 digits, else null (the mirror refuses anything else). */
export function inn(s: string | undefined): string | null {
  const t = (s ?? '').replace(/\s/g, '');
  return /^\d{10}(\d{2})?$/.test(t) ? t : null;
}

/** The product part of an offer id `ИдТовара#ИдХарактеристики`. */
export function productIdOf(offerId: string): string {
  const i = offerId.indexOf('#');
  return i < 0 ? offerId : offerId.slice(0, i);
}

/** One of the four deletion spellings (the fourth, an order requisite, is read with orders). */
export function isDeletedMark(markText: string | undefined, statusText: string | undefined): boolean {
  if (bool(markText) === true) return true;
  return (statusText ?? '').trim().toLowerCase() === 'удален';
}
