// A mirrored document may name the store's order it belongs to (1C's invoice or shipment for an
// order the site sent: CommerceML `Основание`, or the order document of the same `Контейнер`).
// Set by the connector after the document is mirrored; an order removed leaves the document.
import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.raw(`
    ALTER TABLE documents ADD COLUMN order_id bigint REFERENCES orders ON DELETE SET NULL;
    CREATE INDEX documents_order ON documents (order_id) WHERE order_id IS NOT NULL;
  `);
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('DROP INDEX IF EXISTS documents_order; ALTER TABLE documents DROP COLUMN IF EXISTS order_id;');
}
