// Registration by request: a company applies (INN, KPP, contact name, e-mail, phone); a manager or
// an admin approves it — linking it to the mirror's counterparty with that INN + KPP and inviting
// the contact — or rejects it with a reply. One pending request per INN + KPP + e-mail.
import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.raw(`
    CREATE TABLE registration_requests (
      id bigserial PRIMARY KEY,
      inn text NOT NULL CHECK (inn ~ '^[0-9]{10}$' OR inn ~ '^[0-9]{12}$'),
      kpp text CHECK (kpp IS NULL OR kpp ~ '^[0-9]{4}[0-9A-Z]{2}[0-9]{3}$'),
      contact_name text NOT NULL,
      email text NOT NULL,
      phone text NOT NULL,
      state text NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'approved', 'rejected')),
      counterparty_id bigint REFERENCES counterparties ON DELETE SET NULL,
      client_id bigint REFERENCES clients ON DELETE SET NULL,
      user_id bigint REFERENCES users ON DELETE SET NULL,
      decided_by bigint REFERENCES users ON DELETE SET NULL,
      decided_at timestamptz,
      reply text,
      created_at timestamptz NOT NULL DEFAULT now()
    );
    CREATE UNIQUE INDEX registration_requests_pending ON registration_requests (inn, coalesce(kpp, ''), lower(email)) WHERE state = 'pending';
    CREATE INDEX registration_requests_state ON registration_requests (state, created_at DESC);
  `);
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('DROP TABLE IF EXISTS registration_requests');
}
