// Messaging bookkeeping: when each side of a client's thread was last e-mailed (throttling),
// and an index for the unread counts the manager's client list shows.
import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.raw(`
    CREATE TABLE message_threads (
      client_id bigint PRIMARY KEY REFERENCES clients ON DELETE CASCADE,
      manager_notified_at timestamptz,
      client_notified_at timestamptz
    );
    CREATE INDEX messages_unread ON messages (client_id, from_side) WHERE read_at IS NULL;
    CREATE INDEX news_audience ON news USING gin (audience jsonb_path_ops);
  `);
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw(`
    DROP INDEX IF EXISTS news_audience;
    DROP INDEX IF EXISTS messages_unread;
    DROP TABLE IF EXISTS message_threads;
  `);
}
