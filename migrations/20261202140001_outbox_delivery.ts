// One delivery loop for every outbox kind (src/sources/outbox.ts):
// - a row ends 'delivered' (when the system confirmed it, `delivered_at`) or 'failed' (retrying
//   cannot help); 'sent' said less than that for a CommerceML order, which 1C confirms later;
// - the ordering index and the purge index follow the new state name;
// - reservations.external_id: the accounting system's own id of a reservation it holds too.
import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.raw(`
    ALTER TABLE outbox DROP CONSTRAINT outbox_state_check;
    UPDATE outbox SET state = 'delivered' WHERE state = 'sent';
    ALTER TABLE outbox ADD CONSTRAINT outbox_state_check CHECK (state IN ('pending', 'delivered', 'failed'));
    ALTER TABLE outbox RENAME COLUMN sent_at TO delivered_at;
    DROP INDEX outbox_ordering;
    CREATE INDEX outbox_ordering ON outbox (ordering_key, id) WHERE ordering_key IS NOT NULL AND state <> 'delivered';
    DROP INDEX outbox_sent;
    CREATE INDEX outbox_delivered ON outbox (delivered_at) WHERE state = 'delivered';
    ALTER TABLE reservations ADD COLUMN external_id text;
  `);
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw(`
    ALTER TABLE reservations DROP COLUMN IF EXISTS external_id;
    DROP INDEX IF EXISTS outbox_delivered;
    DROP INDEX IF EXISTS outbox_ordering;
    ALTER TABLE outbox RENAME COLUMN delivered_at TO sent_at;
    ALTER TABLE outbox DROP CONSTRAINT outbox_state_check;
    UPDATE outbox SET state = 'sent' WHERE state = 'delivered';
    ALTER TABLE outbox ADD CONSTRAINT outbox_state_check CHECK (state IN ('pending', 'sent', 'failed'));
    CREATE INDEX outbox_ordering ON outbox (ordering_key, id) WHERE ordering_key IS NOT NULL AND state <> 'sent';
    CREATE INDEX outbox_sent ON outbox (sent_at) WHERE state = 'sent';
  `);
}
