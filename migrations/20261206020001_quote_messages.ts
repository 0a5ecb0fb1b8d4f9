// A quote's message thread: messages of the client's thread bound to one quote (messages.quote_id).
// They stay in the client's thread (the buyer's /messages shows them, labelled), so unread
// counts, live updates and the throttled e-mail about unread messages cover them as they are;
// the quote page shows only its own. Deleting a quote deletes its messages.
import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.raw(`
    ALTER TABLE messages ADD COLUMN quote_id bigint REFERENCES quotes ON DELETE CASCADE;
    CREATE INDEX messages_quote ON messages (quote_id, id) WHERE quote_id IS NOT NULL;
  `);
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('DROP INDEX IF EXISTS messages_quote; ALTER TABLE messages DROP COLUMN IF EXISTS quote_id;');
}
