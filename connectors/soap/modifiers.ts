// The closed library of named modifiers a mapping may apply to a value, in order. Custom logic
// is added here as a named, tested function — never as code inside a mapping file.
import { DateTime } from 'luxon';
import { z } from 'zod';

export type Value = string | number | boolean | null | undefined | Record<string, string> | string[] | unknown[] | Record<string, unknown>;

/** Resolves `lookup` modifiers: the external id of an `entity` record whose `by` field equals a value. */
export type LookupFn = (entity: string, by: string, value: string) => string | undefined;

export class ModifierError extends Error {}

const str = (v: Value): string => (v === null || v === undefined ? '' : typeof v === 'object' ? '' : String(v));
const empty = (v: Value) => v === null || v === undefined || (typeof v === 'string' && v.trim() === '');

/** Already a plain decimal without leading zeros: what most values are, kept as they are. */
const PLAIN_DECIMAL = /^-?(?:[1-9]\d*|0)(?:\.\d+)?$/;

/** "1 234,50" / "1234.50" / "−5" → "1234.50"; anything else is an error naming the value. */
export function toDecimal(v: Value): string | null {
  if (typeof v === 'string' && PLAIN_DECIMAL.test(v)) return v;
  if (empty(v)) return null;
  // 1C prints "1 234,50" (NBSP as the thousands separator) and rates as "20%".
  const s = str(v).replace(/[\s\u00a0\u202f]/g, '').replace('−', '-').replace(',', '.').replace(/%$/, '');
  if (!/^-?\d+(\.\d+)?$/.test(s)) throw new ModifierError(`"${str(v)}" is not a number`);
  return s.replace(/^(-?)0+(?=\d)/, '$1');
}

const TRUE = new Set(['true', '1', 'да', 'истина', 'yes']);
const FALSE = new Set(['false', '0', 'нет', 'ложь', 'no', '']);

export function toBoolean(v: Value): boolean {
  if (typeof v === 'boolean') return v;
  if (v === 'false') return false;
  if (v === 'true') return true;
  const s = str(v).trim().toLowerCase();
  if (TRUE.has(s)) return true;
  if (FALSE.has(s)) return false;
  throw new ModifierError(`"${str(v)}" is not a yes/no value`);
}

export function toDate(v: Value): string | null {
  if (empty(v)) return null;
  const s = str(v).trim();
  const ru = /^(\d{2})\.(\d{2})\.(\d{4})/.exec(s);
  const iso = ru ? `${ru[3]}-${ru[2]}-${ru[1]}` : /^\d{4}-\d{2}-\d{2}/.exec(s)?.[0];
  // 1C writes an empty date as 0001-01-01.
  if (iso === '0001-01-01') return null;
  if (!iso || Number.isNaN(Date.parse(iso))) throw new ModifierError(`"${s}" is not a date (YYYY-MM-DD or DD.MM.YYYY)`);
  return iso;
}

const EMPTY_1C_DATE = /^(0001-01-01|01\.01\.0001)([T ]00:00(:00)?)?$/;

/** ISO or 1C's `DD.MM.YYYY HH:MM:SS` → ISO UTC; no offset means the system's zone; 1C's empty date → none. */
export function toDateTime(v: Value, timeZone = 'UTC'): string | null {
  if (empty(v)) return null;
  const s = str(v).trim();
  if (EMPTY_1C_DATE.test(s)) return null;
  let dt = DateTime.fromISO(s, { zone: timeZone });
  for (const f of ['dd.MM.yyyy H:mm:ss', 'dd.MM.yyyy H:mm', 'dd.MM.yyyy']) {
    if (dt.isValid) break;
    dt = DateTime.fromFormat(s, f, { zone: timeZone });
  }
  if (!dt.isValid) throw new ModifierError(`"${s}" is not a date and time (ISO, or DD.MM.YYYY HH:MM:SS)`);
  return dt.toUTC().toISO();
}

const names = ['trim', 'upper', 'lower', 'nullIfEmpty', 'decimal', 'integer', 'boolean', 'date', 'datetime', 'list'] as const;
export const MODIFIER_NAMES = [...names, 'default', 'map', 'prefix', 'pairs', 'lookup'] as const;

export const modifierSchema = z.union([
  z.enum(names),
  z.strictObject({ default: z.union([z.string(), z.number(), z.boolean()]) }),
  z.strictObject({ map: z.record(z.string(), z.union([z.string(), z.number(), z.boolean(), z.null()])) }),
  z.strictObject({ prefix: z.string() }),
  z.strictObject({ pairs: z.strictObject({ key: z.string().min(1), value: z.string().min(1) }) }),
  // `by` may list fields tried in order (a warehouse given by id in some rows, by name in others).
  z.strictObject({ lookup: z.strictObject({ entity: z.string().min(1), by: z.union([z.string().min(1), z.array(z.string().min(1)).min(1)]) }) }),
]);
export type Modifier = z.infer<typeof modifierSchema>;

const asList = (v: unknown): unknown[] => (v === undefined || v === null || v === '' ? [] : Array.isArray(v) ? v : [v]);

/**
 * One modifier as a function, decided once per mapping instead of per value (a mapper applies
 * the same few modifiers to millions of values); the same results and errors as applyModifier.
 */
export function compileModifier(m: Modifier, lookup?: LookupFn, timeZone?: string): (v: Value) => Value {
  if (typeof m === 'string') {
    switch (m) {
      case 'trim': return (v) => (typeof v === 'string' ? v.trim() : v);
      case 'nullIfEmpty': return (v) => (empty(v) ? null : v);
      case 'decimal': return toDecimal;
      case 'boolean': return toBoolean;
      default: return (v) => applyModifier(m, v, lookup, timeZone);
    }
  }
  if ('default' in m) {
    const d = m.default;
    return (v) => (empty(v) ? d : v);
  }
  return (v) => applyModifier(m, v, lookup, timeZone);
}

/** Applies one modifier. `lookup` needs the resolver of the run, `datetime` its time zone. */
export function applyModifier(m: Modifier, v: Value, lookup?: LookupFn, timeZone?: string): Value {
  if (typeof m === 'string') {
    switch (m) {
      case 'trim': return typeof v === 'string' ? v.trim() : v;
      case 'upper': return typeof v === 'string' ? v.toUpperCase() : v;
      case 'lower': return typeof v === 'string' ? v.toLowerCase() : v;
      case 'nullIfEmpty': return empty(v) ? null : v;
      case 'decimal': return toDecimal(v);
      case 'integer': {
        if (empty(v)) return null;
        const d = toDecimal(v)!;
        if (!/^-?\d+(\.0+)?$/.test(d)) throw new ModifierError(`"${str(v)}" is not a whole number`);
        return Number.parseInt(d, 10);
      }
      case 'boolean': return toBoolean(v);
      case 'date': return toDate(v);
      case 'datetime': return toDateTime(v, timeZone);
      case 'list': return asList(v).map((x) => str(x as Value));
    }
  }
  if ('default' in m) return empty(v) ? m.default : v;
  if ('prefix' in m) return empty(v) ? v : `${m.prefix}${str(v)}`;
  if ('map' in m) {
    if (empty(v)) return v;
    const key = str(v);
    if (!(key in m.map)) throw new ModifierError(`"${key}" is not one of the mapped values (${Object.keys(m.map).map((k) => `"${k}"`).join(', ')})`);
    return m.map[key];
  }
  if ('pairs' in m) {
    const out: Record<string, string> = {};
    for (const item of asList(v)) {
      if (!item || typeof item !== 'object') continue;
      const o = item as Record<string, unknown>;
      const k = str(o[m.pairs.key] as Value).trim();
      if (k) out[k] = str(o[m.pairs.value] as Value);
    }
    return out;
  }
  if ('lookup' in m) {
    if (empty(v)) return null;
    const by = Array.isArray(m.lookup.by) ? m.lookup.by : [m.lookup.by];
    for (const field of by) {
      const id = lookup?.(m.lookup.entity, field, str(v));
      if (id !== undefined) return id;
    }
    throw new ModifierError(`no ${m.lookup.entity} with ${by.join(' or ')} "${str(v)}"`);
  }
  throw new ModifierError(`unknown modifier ${JSON.stringify(m)}`);
}
