// Named prepared statements for the hot, fixed-text queries of every page (session, badges,
// catalog rows). Postgres then parses each once per pooled connection and, once it has seen
// its shape, reuses a generic plan: for these texts parsing and planning cost more than running.
// Use only for SQL whose text never varies and whose plan does not hinge on literal values.
import { createHash } from 'node:crypto';

/** Query options naming the statement; the name carries a hash of the text, so two texts never share one. */
export function prepared(label: string, sql: string): { name: string } {
  return { name: `${label}_${createHash('sha1').update(sql).digest('hex').slice(0, 10)}` };
}
