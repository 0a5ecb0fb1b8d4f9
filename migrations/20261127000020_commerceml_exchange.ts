// CommerceML exchange state (connectors/commerceml): sessions keyed by the cookie 1C sends
// back, per-file import progress, and the external ids seen in a session (so a full package
// split over several files can delete what none of them carried, once, at `deactivate`).
import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.raw(`
    CREATE TABLE commerceml_sessions (
      id bigserial PRIMARY KEY,
      source_id int NOT NULL REFERENCES sources ON DELETE CASCADE,
      type text NOT NULL CHECK (type IN ('catalog', 'sale')),
      token text NOT NULL UNIQUE,
      sessid text NOT NULL,
      state text NOT NULL DEFAULT 'open' CHECK (state IN ('open', 'completed')),
      version text,
      zip boolean NOT NULL DEFAULT false,
      bytes_received bigint NOT NULL DEFAULT 0,
      classifier jsonb,
      full_entities text[] NOT NULL DEFAULT '{}',
      unpacked text[] NOT NULL DEFAULT '{}',
      deactivated_at timestamptz,
      queried_order_ids bigint[] NOT NULL DEFAULT '{}',
      created_at timestamptz NOT NULL DEFAULT now(),
      last_seen_at timestamptz NOT NULL DEFAULT now(),
      completed_at timestamptz
    );
    CREATE INDEX commerceml_sessions_source ON commerceml_sessions (source_id, created_at DESC);

    CREATE TABLE commerceml_imports (
      session_id bigint NOT NULL REFERENCES commerceml_sessions ON DELETE CASCADE,
      filename text NOT NULL,
      state text NOT NULL DEFAULT 'queued' CHECK (state IN ('queued', 'running', 'done', 'failed')),
      progress text NOT NULL DEFAULT '',
      message text NOT NULL DEFAULT '',
      sync_run_id bigint REFERENCES sync_runs ON DELETE SET NULL,
      result jsonb,
      created_at timestamptz NOT NULL DEFAULT now(),
      finished_at timestamptz,
      PRIMARY KEY (session_id, filename)
    );

    CREATE TABLE commerceml_seen (
      session_id bigint NOT NULL REFERENCES commerceml_sessions ON DELETE CASCADE,
      entity text NOT NULL,
      external_id text NOT NULL,
      PRIMARY KEY (session_id, entity, external_id)
    );
  `);
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('DROP TABLE IF EXISTS commerceml_seen, commerceml_imports, commerceml_sessions');
}
