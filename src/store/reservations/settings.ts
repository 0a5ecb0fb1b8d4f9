// Reservation settings: global keys in `settings` (seeded by migration 20261127000040), each
// overridable per client in clients.settings.reservations { periodHours, extensionAllowed,
// maxExtensions, warningLeadMinutes }.
import type { Db } from '../../infra/db/knex.ts';

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

const FALLBACK: ReservationSettings = { periodHours: 24, extensionAllowed: true, maxExtensions: 1, warningLeadMinutes: 120 };

function coerce(key: keyof ReservationSettings, v: unknown): number | boolean | undefined {
  if (key === 'extensionAllowed') return typeof v === 'boolean' ? v : undefined;
  const n = Number(v);
  return v !== null && v !== '' && Number.isFinite(n) && n >= 0 ? n : undefined;
}

/** Effective settings for a client (or the global ones without a client). */
export async function reservationSettings(db: Db, clientId?: number | null): Promise<ReservationSettings> {
  const rows: { key: string; value: unknown }[] = await db('settings').whereIn('key', Object.values(SETTING_KEYS)).select('key', 'value');
  const client = clientId ? await db('clients').where({ id: clientId }).first('settings') : undefined;
  const override = (client?.settings?.reservations ?? {}) as Record<string, unknown>;
  const out = { ...FALLBACK };
  for (const k of Object.keys(SETTING_KEYS) as (keyof ReservationSettings)[]) {
    const global = coerce(k, rows.find((r) => r.key === SETTING_KEYS[k])?.value);
    const own = coerce(k, override[k]);
    (out as Record<string, unknown>)[k] = own ?? global ?? FALLBACK[k];
  }
  if (out.periodHours <= 0) out.periodHours = FALLBACK.periodHours;
  return out;
}

/** Admin: change one global setting (validated). */
export async function setReservationSetting<K extends keyof ReservationSettings>(db: Db, key: K, value: ReservationSettings[K]): Promise<void> {
  if (coerce(key, value) === undefined) throw new Error(`invalid value for ${SETTING_KEYS[key]}: ${JSON.stringify(value)}`);
  await db.raw(
    `INSERT INTO settings (key, value, updated_at) VALUES (?, ?::jsonb, now())
     ON CONFLICT (key) DO UPDATE SET value = excluded.value, updated_at = now()`,
    [SETTING_KEYS[key], JSON.stringify(value)],
  );
}
