// Sessions in Postgres (table `sessions`): a signed random id in an httpOnly cookie, the data
// as jsonb. Written only when changed (or when the expiry needs rolling), so a page view that
// changes nothing costs one indexed read.
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import type { Db } from '../../infra/db/knex.ts';
import { prepare, runPrepared } from '../../infra/db/prepared.ts';

export interface SessionData {
  userId?: number;
  csrf?: string;
  flash?: { kind: 'ok' | 'error'; text: string }[];
}

export interface Session {
  id: string | null;
  data: SessionData;
  /** The JSON last stored, to skip unchanged writes. */
  stored: string | null;
  expire: Date | null;
  destroyed: boolean;
  /** Set by regenerateSession: the row to delete when the new one is written. */
  previousId?: string;
  /** The row of SessionOptions.preload read together with the session (null when none). */
  preloaded?: Record<string, unknown> | null;
}

export interface SessionOptions {
  /**
   * A SELECT that may refer to the session as `s` (e.g. `s.sess->>'userId'`), read in the same
   * round trip as the session: the page's viewer costs no extra query.
   */
  preload?: string;
}

declare global {
  namespace Express {
    interface Request {
      session: Session;
    }
  }
}

export const SESSION_COOKIE = 'cp_sid';
const TTL_MS = 14 * 24 * 3600_000;
/** Roll the expiry only when less than this is left of the TTL: one write a day, not per page. */
const ROLL_MS = TTL_MS - 24 * 3600_000;

function sign(secret: string, sid: string): string {
  return createHmac('sha256', secret).update(sid).digest('base64url');
}

function readCookie(req: Request, name: string): string | undefined {
  const header = req.headers.cookie;
  if (!header) return undefined;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === name) return decodeURIComponent(part.slice(eq + 1).trim());
  }
  return undefined;
}

function unsign(secret: string, value: string | undefined): string | null {
  if (!value) return null;
  const dot = value.lastIndexOf('.');
  if (dot <= 0) return null;
  const sid = value.slice(0, dot);
  const a = Buffer.from(value.slice(dot + 1));
  const b = Buffer.from(sign(secret, sid));
  return a.length === b.length && timingSafeEqual(a, b) ? sid : null;
}

export function sessionMiddleware(db: Db, secret: string, opts: SessionOptions = {}): RequestHandler {
  const loadSql = opts.preload
    ? `SELECT s.sess, s.expire, CASE WHEN x IS NULL THEN NULL ELSE to_jsonb(x) END AS preloaded
         FROM sessions s LEFT JOIN LATERAL (${opts.preload}) x ON true
        WHERE s.sid = ? AND s.expire > now()`
    : `SELECT s.sess, s.expire, NULL AS preloaded FROM sessions s WHERE s.sid = ? AND s.expire > now()`;
  const load = prepare('session_load', loadSql);
  const save = async (req: Request) => {
    const s = req.session;
    if (s.previousId) await db('sessions').where({ sid: s.previousId }).delete();
    if (s.destroyed) {
      if (s.id) await db('sessions').where({ sid: s.id }).delete();
      return;
    }
    const json = JSON.stringify(s.data);
    const rolling = s.expire !== null && s.expire.getTime() - Date.now() < ROLL_MS;
    if (json === s.stored && !rolling) return;
    if (s.id === null && json === '{}') return;
    const expire = new Date(Date.now() + TTL_MS);
    if (s.id === null) s.id = randomBytes(24).toString('base64url');
    await db.raw(
      `INSERT INTO sessions (sid, sess, expire) VALUES (?, ?::jsonb, ?)
       ON CONFLICT (sid) DO UPDATE SET sess = EXCLUDED.sess, expire = EXCLUDED.expire`,
      [s.id, json, expire],
    );
    // Expired rows are swept now and then by whoever writes, so the table never grows unbounded.
    if (Math.random() < 0.01) await db('sessions').where('expire', '<', new Date()).delete();
  };

  return async (req: Request, res: Response, next: NextFunction) => {
    const sid = unsign(secret, readCookie(req, SESSION_COOKIE));
    req.session = { id: null, data: {}, stored: null, expire: null, destroyed: false };
    if (sid) {
      const [row] = await runPrepared<{ sess: SessionData; expire: Date; preloaded: Record<string, unknown> | null }>(db, load, [sid]);
      if (row) {
        req.session = { id: sid, data: row.sess, stored: JSON.stringify(row.sess), expire: row.expire, destroyed: false, preloaded: row.preloaded };
      }
    }
    // Persist before the response goes out: writeHead is too late for an async write, so wrap
    // the methods that finish a response.
    const hadId = req.session.id;
    const finish = async () => {
      await save(req);
      const s = req.session;
      if (res.headersSent) return;
      const secure = req.secure;
      const flags = `Path=/; HttpOnly; SameSite=Lax${secure ? '; Secure' : ''}`;
      if (s.destroyed && hadId) res.append('Set-Cookie', `${SESSION_COOKIE}=; ${flags}; Max-Age=0`);
      else if (s.id && s.id !== hadId) {
        res.append('Set-Cookie', `${SESSION_COOKIE}=${encodeURIComponent(`${s.id}.${sign(secret, s.id)}`)}; ${flags}; Max-Age=${TTL_MS / 1000}`);
      }
    };
    // res.send, res.render and res.redirect all finish through res.end.
    const end = res.end.bind(res) as (...a: unknown[]) => Response;
    res.end = ((...args: unknown[]) => {
      finish().then(
        () => end(...args),
        (err) => {
          res.end = end as never;
          next(err);
        },
      );
      return res;
    }) as never;
    next();
  };
}

/** Starts a fresh session id (login): the old row is removed, data kept only where given. */
export function regenerateSession(req: Request, data: SessionData): void {
  const old = req.session.id;
  req.session.data = data;
  req.session.id = null;
  req.session.expire = null;
  req.session.stored = null;
  if (old) req.session.previousId = old;
}

export function destroySession(req: Request): void {
  req.session.destroyed = true;
  req.session.data = {};
}

export function flash(req: Request, kind: 'ok' | 'error', text: string): void {
  req.session.data.flash = [...(req.session.data.flash ?? []), { kind, text }];
}

export function takeFlash(req: Request): SessionData['flash'] {
  const f = req.session.data.flash;
  if (f) delete req.session.data.flash;
  return f;
}
