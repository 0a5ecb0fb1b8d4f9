// Store-wide settings an admin edits in the console, each a validated JSON value in `settings`.
import { z } from 'zod';
import type { Db } from '../../infra/db/knex.ts';
import { DomainError } from '../../infra/domain-error.ts';
import { sellerSchema } from '../documents/seller.ts';
import { audienceSchema } from '../news/news.ts';
import { checkReservationPeriod, DEFAULT_RESERVATION_PERIOD_HOURS } from '../reservations/settings.ts';

const pct = z
  .string()
  .trim()
  .regex(/^\d{1,3}(\.\d{1,3})?$/, 'a percentage like 7.5')
  .refine((v) => Number(v) < 1000, 'below 1000%');

export const SETTINGS = {
  /** How long a reservation holds goods, in hours. */
  'reservations.period_hours': z.unknown().transform((v, ctx) => {
    const c = checkReservationPeriod(v); // the one rule, src/store/reservations/settings.ts
    if ('hours' in c) return c.hours;
    ctx.addIssue({ code: 'custom', message: c.problem });
    return z.NEVER;
  }),
  /** Partner-warehouse commission overrides: warehouse id → percent (decimal string). */
  'warehouses.commission_overrides': z.record(z.string().regex(/^\d+$/, 'warehouse id'), pct),
  /** Named audiences staff pick when writing news. */
  'news.audiences': z
    .array(z.object({ name: z.string().trim().min(1, 'a name').max(100), audience: audienceSchema }))
    .max(100)
    .refine((a) => new Set(a.map((x) => x.name)).size === a.length, 'audience names must be unique'),
  /** The store's own requisites, printed on its invoices (src/store/documents/seller.ts). */
  'invoices.seller': sellerSchema,
} as const;
export type SettingKey = keyof typeof SETTINGS;
export type SettingValue<K extends SettingKey> = z.infer<(typeof SETTINGS)[K]>;

export const SETTING_DEFAULTS: { [K in SettingKey]: SettingValue<K> } = {
  'reservations.period_hours': DEFAULT_RESERVATION_PERIOD_HOURS,
  'warehouses.commission_overrides': {},
  'news.audiences': [],
  'invoices.seller': null,
};

/** Each setting's name in the catalogs (storeRefusals.settings.label.<name>), for its refusals. */
const SETTING_NAMES: Record<SettingKey, string> = {
  'reservations.period_hours': 'periodHours',
  'warehouses.commission_overrides': 'commission',
  'news.audiences': 'audiences',
  'invoices.seller': 'seller',
};

export async function getSetting<K extends SettingKey>(db: Db, key: K): Promise<SettingValue<K>> {
  const row = await db('settings').where({ key }).first('value');
  if (!row) return SETTING_DEFAULTS[key];
  const res = SETTINGS[key].safeParse(row.value);
  return (res.success ? res.data : SETTING_DEFAULTS[key]) as SettingValue<K>;
}

/** Validates and stores a setting; a bad value changes nothing and names what is wrong. */
export async function setSetting<K extends SettingKey>(db: Db, key: K, value: unknown): Promise<SettingValue<K>> {
  const schema = SETTINGS[key];
  if (!schema) throw new DomainError('invalid', { key: 'storeRefusals.settings.unknown', params: { key } });
  const res = schema.safeParse(value);
  if (!res.success) {
    const i = res.error.issues[0]!;
    // the schema's own words (i.message) are not in the catalogs yet
    const params = { name: SETTING_NAMES[key], path: i.path.join('.'), problem: i.message };
    throw new DomainError('invalid', { key: `storeRefusals.settings.${i.path.length ? 'invalidAt' : 'invalid'}`, params });
  }
  await db('settings')
    .insert({ key, value: JSON.stringify(res.data), updated_at: db.fn.now() })
    .onConflict('key')
    .merge();
  return res.data as SettingValue<K>;
}

/**
 * SQL for the commission of warehouse alias `w`: the admin's override from the console when
 * there is one, else the accounting system's (the mirror itself is never written by the store).
 */
export const effectiveCommission = (w: string) =>
  `coalesce((SELECT (s.value ->> ${w}.id::text)::numeric FROM settings s WHERE s.key = 'warehouses.commission_overrides'), ${w}.commission_pct)`;
