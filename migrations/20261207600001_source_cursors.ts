// A source's named cursors (today: the order-status feed's) live with the source: deleting or
// recreating a source takes them along. They were `settings` rows keyed by the source's id, which
// outlived it — a source recreated under a reused id started from the old one's position and
// skipped the new feed's first entries.
import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.raw(`
    CREATE TABLE source_cursors (
      source_id int NOT NULL REFERENCES sources ON DELETE CASCADE,
      name text NOT NULL,
      value text NOT NULL,
      updated_at timestamptz NOT NULL DEFAULT now(),
      PRIMARY KEY (source_id, name)
    );
    INSERT INTO source_cursors (source_id, name, value, updated_at)
      SELECT s.id, 'orders.status', st.value #>> '{}', st.updated_at
        FROM settings st JOIN sources s ON st.key = 'orders.status.cursor:' || s.id;
    DELETE FROM settings WHERE key LIKE 'orders.status.cursor:%';
  `);
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw(`
    INSERT INTO settings (key, value, updated_at)
      SELECT 'orders.status.cursor:' || source_id, to_jsonb(value), updated_at FROM source_cursors WHERE name = 'orders.status'
      ON CONFLICT (key) DO NOTHING;
    DROP TABLE source_cursors;
  `);
}
