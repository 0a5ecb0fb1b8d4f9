// Reservation settings: global keys in `settings` (seeded by migration 20261127000040), each
// overridable per client in clients.settings.reservations { periodHours, extensionAllowed,
// maxExtensions, warningLeadMinutes }.
import type { Db } from '../../infra/db/knex.ts';
import { DomainError } from '../../infra/domain-error.ts';

export interface ReservationSettings {
  periodHours: number;
  extensionAllowed: boolean;
  maxExtensions: number;
  warningLeadMinutes: number;
}

export const SETTING_KEYS: Record<keyof ReservationSettings, string> = {
  periodHours: 'reservations.period_hours',
  extensionAllowed: 'reservations.extension_allowed',
  maxExtensions: 'reservations.max_extensions',
  warningLeadMinutes: 'reservations.warning_lead_minutes',
};

/**
 * How long a reservation holds goods when nobody set a period, in hours: the only copy of this
 * default (the settings row seeded by migration 20261127000040 aside; cp_reserve() takes the
 * period from its caller).
 */
export const DEFAULT_RESERVATION_PERIOD_HOURS = 24;
const MAX_PERIOD_DAYS = 60;
const MAX_PERIOD_HOURS = MAX_PERIOD_DAYS * 24;

/** What is wrong with a reservation period an admin entered (its catalog key), or its hours. */
export function checkReservationPeriod(value: unknown): { hours: number } | { problem: 'notWhole' | 'tooShort' | 'tooLong' } {
  const text = typeof value === 'number' ? String(value) : typeof value === 'string' ? value.trim() : '';
  if (!/^\d{1,9}$/.test(text)) return { problem: 'notWhole' };
  const hours = Number(text);
  if (hours < 1) return { problem: 'tooShort' };
  if (hours > MAX_PERIOD_HOURS) return { problem: 'tooLong' };
  return { hours };
}

/**
 * The one validator of a reservation period an admin sets (both settings screens, the
 * `reservations.period_hours` setting, setReservationSetting): whole hours, 1 hour to 60 days.
 */
export function validateReservationPeriod(value: unknown): number {
  const c = checkReservationPeriod(value);
  if ('problem' in c) throw new DomainError('invalid', { key: `storeRefusals.reservationSettings.${c.problem}`, params: { days: MAX_PERIOD_DAYS, hours: MAX_PERIOD_HOURS } }, {
      code: 'reservations.period',
      details: { value },
    });
  return c.hours;
}

const FALLBACK: ReservationSettings = { periodHours: DEFAULT_RESERVATION_PERIOD_HOURS, extensionAllowed: true, maxExtensions: 1, warningLeadMinutes: 120 };

// Reading is lenient: any positive period stored (a client's override may be a fraction of an
// hour) is used as it is; what an admin enters goes through validateReservationPeriod().
function coerce(key: keyof ReservationSettings, v: unknown): number | boolean | undefined {
  if (key === 'extensionAllowed') return typeof v === 'boolean' ? v : undefined;
  const n = Number(v);
  return v !== null && v !== '' && Number.isFinite(n) && n >= 0 ? n : undefined;
}

/** Effective settings for a client (or the global ones without a client). */
export async function reservationSettings(db: Db, clientId?: number | null): Promise<ReservationSettings> {
  const rows: { key: string; value: unknown }[] = await db('settings').whereIn('key', Object.values(SETTING_KEYS)).select('key', 'value');
  const client = clientId ? await db('clients').where({ id: clientId }).first('settings') : undefined;
  return resolveReservationSettings(Object.fromEntries(rows.map((r) => [r.key, r.value])), client?.settings?.reservations);
}

/**
 * Select-list reading what reservationSettings reads, for a caller's own query (one round trip):
 * `reservation_globals` (key → value) and `reservation_own` (the client's override). Bindings:
 * reservationSettingsBindings(clientId); feed the two columns to resolveReservationSettings.
 */
export const RESERVATION_SETTINGS_SQL = `
  (SELECT json_object_agg(st.key, st.value) FROM settings st WHERE st.key = ANY(?::text[])) AS reservation_globals,
  (SELECT c.settings->'reservations' FROM clients c WHERE c.id = ?) AS reservation_own`;
export const reservationSettingsBindings = (clientId: number | null | undefined) => [Object.values(SETTING_KEYS), clientId ?? null];

/** The effective settings from the global rows (setting key → value) and a client's override. */
export function resolveReservationSettings(globals: Record<string, unknown> | null, own: unknown): ReservationSettings {
  const override = (own && typeof own === 'object' ? own : {}) as Record<string, unknown>;
  const out = { ...FALLBACK };
  for (const k of Object.keys(SETTING_KEYS) as (keyof ReservationSettings)[]) {
    const global = coerce(k, globals?.[SETTING_KEYS[k]]);
    const mine = coerce(k, override[k]);
    (out as Record<string, unknown>)[k] = mine ?? global ?? FALLBACK[k];
  }
  if (out.periodHours <= 0) out.periodHours = FALLBACK.periodHours;
  return out;
}

/** Admin: change one global setting (validated). */
export async function setReservationSetting<K extends keyof ReservationSettings>(db: Db, key: K, value: ReservationSettings[K]): Promise<void> {
  if (key === 'periodHours') validateReservationPeriod(value);
  else if (coerce(key, value) === undefined) {
    throw new DomainError('invalid', { key: 'storeRefusals.reservationSettings.setting', params: { key: SETTING_KEYS[key], value: JSON.stringify(value) } }, { code: 'reservations.setting' });
  }
  await db.raw(
    `INSERT INTO settings (key, value, updated_at) VALUES (?, ?::jsonb, now())
     ON CONFLICT (key) DO UPDATE SET value = excluded.value, updated_at = now()`,
    [SETTING_KEYS[key], JSON.stringify(value)],
  );
}
