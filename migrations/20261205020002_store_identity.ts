// store_identity: one row naming this store's database (a random id made once). The roles write
// it, with the PostgreSQL system identifier and the database name, into a marker key under their
// Redis prefix and refuse to start when the marker names another store: two stores sharing one
// Redis and prefix would take each other's jobs.
import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.raw(`
    CREATE TABLE store_identity (
      one boolean PRIMARY KEY DEFAULT true CHECK (one),
      id uuid NOT NULL DEFAULT gen_random_uuid(),
      created_at timestamptz NOT NULL DEFAULT now()
    );
    INSERT INTO store_identity DEFAULT VALUES;
  `);
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('DROP TABLE store_identity');
}
