// Reservations: extension count and the moment a reservation became short; default settings
// (admins change them in `settings`; a client may override them in clients.settings.reservations).
import type { Knex } from 'knex';

const DEFAULTS: Record<string, unknown> = {
  'reservations.period_hours': 24,
  'reservations.extension_allowed': true,
  'reservations.max_extensions': 1,
  'reservations.warning_lead_minutes': 120,
};

export async function up(knex: Knex): Promise<void> {
  await knex.raw(`
    ALTER TABLE reservations
      ADD COLUMN extensions int NOT NULL DEFAULT 0,
      ADD COLUMN short_since timestamptz;
    CREATE INDEX reservations_client ON reservations (client_id, state, expires_at);
    CREATE INDEX waitlist_user ON waitlist (user_id, created_at DESC);
  `);
  for (const [key, value] of Object.entries(DEFAULTS)) {
    await knex.raw('INSERT INTO settings (key, value) VALUES (?, ?::jsonb) ON CONFLICT (key) DO NOTHING', [key, JSON.stringify(value)]);
  }
}

export async function down(knex: Knex): Promise<void> {
  await knex('settings').whereIn('key', Object.keys(DEFAULTS)).delete();
  await knex.raw(`
    DROP INDEX IF EXISTS waitlist_user;
    DROP INDEX IF EXISTS reservations_client;
    ALTER TABLE reservations DROP COLUMN IF EXISTS short_since, DROP COLUMN IF EXISTS extensions;
  `);
}
