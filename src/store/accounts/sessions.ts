// Sessions in Postgres (table `sessions`): the data as jsonb under a random id, with an expiry.
// The web (src/web/auth/session.ts) owns the cookie and decides when to write; this owns the rows.
// The read is a prepared statement: it is the one query every page makes.
import type { Db } from '../../infra/db/knex.ts';
import { prepare, runPrepared } from '../../infra/db/prepared.ts';

export interface StoredSession<Data> {
  data: Data;
  expire: Date;
  /** The row of SessionStoreOptions.preload read together with the session (null when none). */
  preloaded: Record<string, unknown> | null;
}

export interface SessionStoreOptions {
  /**
   * A SELECT that may refer to the session as `s` (e.g. `s.sess->>'userId'`), read in the same
   * round trip as the session: the page's viewer costs no extra query.
   */
  preload?: string;
}

export interface SessionStore<Data> {
  /** The live (unexpired) session with this id, or undefined. */
  load(sid: string): Promise<StoredSession<Data> | undefined>;
  /** Inserts or replaces the session's data and expiry. */
  save(sid: string, data: Data, expire: Date): Promise<void>;
  remove(sid: string): Promise<void>;
  /** Deletes expired rows. */
  sweep(): Promise<void>;
}

export function sessionStore<Data>(db: Db, opts: SessionStoreOptions = {}): SessionStore<Data> {
  const loadSql = opts.preload
    ? `SELECT s.sess, s.expire, CASE WHEN x IS NULL THEN NULL ELSE to_jsonb(x) END AS preloaded
         FROM sessions s LEFT JOIN LATERAL (${opts.preload}) x ON true
        WHERE s.sid = ? AND s.expire > now()`
    : `SELECT s.sess, s.expire, NULL AS preloaded FROM sessions s WHERE s.sid = ? AND s.expire > now()`;
  const load = prepare('session_load', loadSql);
  return {
    async load(sid) {
      const [row] = await runPrepared<{ sess: Data; expire: Date; preloaded: Record<string, unknown> | null }>(db, load, [sid]);
      return row ? { data: row.sess, expire: row.expire, preloaded: row.preloaded } : undefined;
    },
    async save(sid, data, expire) {
      await db.raw(
        `INSERT INTO sessions (sid, sess, expire) VALUES (?, ?::jsonb, ?)
         ON CONFLICT (sid) DO UPDATE SET sess = EXCLUDED.sess, expire = EXCLUDED.expire`,
        [sid, JSON.stringify(data), expire],
      );
    },
    async remove(sid) {
      await db('sessions').where({ sid }).delete();
    },
    async sweep() {
      await db('sessions').where('expire', '<', new Date()).delete();
    },
  };
}
