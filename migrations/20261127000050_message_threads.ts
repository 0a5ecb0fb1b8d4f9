// Messaging bookkeeping: when each side of a client's thread was last e-mailed (throttling),
// an index for the unread counts the manager's client list shows, and the news feed's indexes.
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
    -- the feed's order: pinned first, newest first; LIMIT 20 stops early
    CREATE INDEX news_feed_order ON news (pinned DESC, publish_at DESC, id DESC);
  `);
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw(`
    DROP INDEX IF EXISTS news_feed_order;
    DROP INDEX IF EXISTS news_audience;
    DROP INDEX IF EXISTS messages_unread;
    DROP TABLE IF EXISTS message_threads;
  `);
}
