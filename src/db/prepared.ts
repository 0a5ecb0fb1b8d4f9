// Named prepared statements for the hot, fixed-text queries of every page (session with viewer
// and badges, catalog rows). Postgres parses each once per pooled connection and, once it has
// seen its shape, reuses a generic plan: for these long texts parsing and planning cost about as
// much as running them. Use only for SQL whose text never varies and whose plan does not hinge
// on literal values (a LIMIT, a search term). Needs session-level connections (no PgBouncer in
// transaction mode).
import { createHash } from 'node:crypto';

/** Query options naming the statement; the name carries a hash of the text, so two texts never share one. */
export function prepared(label: string, sql: string): { name: string } {
  return { name: `${label}_${createHash('sha1').update(sql).digest('hex').slice(0, 10)}` };
}
