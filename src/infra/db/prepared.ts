// Named prepared statements for the hot, fixed-text queries of every page (session with viewer
// and badges, catalog rows). Postgres parses each once per pooled connection and, once it has
// seen its shape, reuses a generic plan: for these long texts parsing and planning cost about as
// much as running them. They also skip knex's per-query work (rewriting ? into $n over the
// whole text, cloning options): a quarter of the web process's cost of such a query.
// Use only for SQL whose text never varies and whose plan does not hinge on literal values (a
// LIMIT, a search term). Needs session-level connections (no PgBouncer in transaction mode).
import { createHash } from 'node:crypto';
import type pg from 'pg';
import type { Knex } from 'knex';
import type { Db } from './knex.ts';

export interface PreparedStatement {
  /** The text with knex-style ? placeholders (used inside a transaction, through knex). */
  sql: string;
  /** The same with $1, $2 …, as Postgres takes it. */
  text: string;
  /** Carries a hash of the text, so two texts never share a name on one connection. */
  name: string;
}

/** ? placeholders → $1, $2 … */
function numbered(sql: string): string {
  let n = 0;
  return sql.replace(/\?/g, () => `$${++n}`);
}

/** A statement from SQL with ? placeholders (no ?? identifiers, no ? operators). */
export function prepare(label: string, sql: string): PreparedStatement {
  if (sql.includes('??')) throw new Error(`prepare(${label}): ?? is not supported`);
  const text = numbered(sql);
  return { sql, text, name: `${label}_${createHash('sha1').update(sql).digest('hex').slice(0, 10)}` };
}

/** Runs a prepared statement on a pooled connection (through knex when `db` is a transaction). */
export async function runPrepared<Row>(db: Db, st: PreparedStatement, values: readonly Knex.RawBinding[]): Promise<Row[]> {
  if (db.isTransaction) return (await db.raw(st.sql, values)).rows;
  const client = db.client as { acquireConnection(): Promise<pg.Client>; releaseConnection(c: pg.Client): Promise<void>; emit(e: string, o: object): void };
  const conn = await client.acquireConnection();
  try {
    client.emit('query', { sql: st.text, bindings: values, method: 'raw', name: st.name }); // as knex does: listeners see every query
    return (await conn.query<Row & pg.QueryResultRow>({ name: st.name, text: st.text, values })).rows;
  } finally {
    await client.releaseConnection(conn);
  }
}

/**
 * Runs SQL of varying text (? placeholders, as prepare() takes them) as an unnamed statement on a
 * pooled connection: planned each time with its values, like db.raw, without knex's per-query
 * work. Through knex when `db` is a transaction.
 */
export async function runText<Row>(db: Db, sql: string, values: readonly Knex.RawBinding[]): Promise<Row[]> {
  if (db.isTransaction) return (await db.raw(sql, values)).rows;
  if (sql.includes('??')) throw new Error('runText: ?? is not supported');
  const text = numbered(sql);
  const client = db.client as { acquireConnection(): Promise<pg.Client>; releaseConnection(c: pg.Client): Promise<void>; emit(e: string, o: object): void };
  const conn = await client.acquireConnection();
  try {
    client.emit('query', { sql: text, bindings: values, method: 'raw' });
    return (await conn.query<Row & pg.QueryResultRow>({ text, values })).rows;
  } finally {
    await client.releaseConnection(conn);
  }
}
