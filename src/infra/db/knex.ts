import knexFactory, { type Knex } from 'knex';
import './rows.ts';
import pg from 'pg';

// numeric → string (exact money), bigint ids → number (safe below 2^53; ids never get there).
pg.types.setTypeParser(pg.types.builtins.INT8, (v) => Number(v));

export type Db = Knex;

/** The settings knex connects with, for a pg connection of one's own (knex types its client as any). */
export function connectionSettings(db: Db): pg.ClientConfig {
  return db.client.connectionSettings;
}

export function createDb(connectionString: string, pool = { min: 0, max: 10 }): Db {
  return knexFactory({
    client: 'pg',
    connection: { connectionString, application_name: 'counterpart' },
    pool,
  });
}
