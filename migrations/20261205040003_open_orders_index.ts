// The credit check and the cabinet header sum a counterparty's open orders (placed, not shipped:
// src/store/credit/credit.ts) on every buyer page; this keeps that an index-only read of the few
// open ones instead of every order the counterparty ever placed.
import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.raw(`CREATE INDEX orders_open_by_counterparty ON orders (counterparty_id, currency) INCLUDE (total) WHERE status IN ('new', 'confirmed')`);
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('DROP INDEX IF EXISTS orders_open_by_counterparty');
}
