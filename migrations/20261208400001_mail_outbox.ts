// E-mails that must survive Redis being down or restarted empty (first: the quote e-mails). The
// row is written in the transaction of what it tells about; after the commit it is handed to the
// mail.send queue, and work.reconcile hands it again while it is not sent (the BullMQ job id and
// the sent marker keep that to one e-mail). mail.send stamps sent_at.
import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.raw(`
    CREATE TABLE mail_outbox (
      id bigserial PRIMARY KEY,
      key text NOT NULL UNIQUE CHECK (key ~ '^[A-Za-z0-9_-]+$'),
      mail jsonb NOT NULL,
      created_at timestamptz NOT NULL DEFAULT now(),
      enqueued_at timestamptz,
      sent_at timestamptz
    )`);
  await knex.raw(`CREATE INDEX mail_outbox_unsent ON mail_outbox (created_at) WHERE sent_at IS NULL`);
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw(`DROP TABLE mail_outbox`);
}
