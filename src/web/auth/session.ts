// Sessions: a signed random id in an httpOnly cookie, the data in Postgres (rows kept by
// src/store/accounts/sessions.ts). Written only when changed (or when the expiry needs
// rolling), so a page view that changes nothing costs one indexed read.
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import type { SessionStore } from '../../store/accounts/sessions.ts';

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
  /** The row of the store's preload read together with the session (null when none). */
  preloaded?: Record<string, unknown> | null;
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

/** A cookie's value when it is base64url-and-dots text (else undefined). */
export function readCookie(req: Request, name: string): string | undefined {
  const header = req.headers.cookie;
  if (!header) return undefined;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === name) {
      // Our value is base64url and '.' only (nothing to percent-decode); anything else, e.g. a
      // malformed `%E0%A4%A`, is no session — never a 500.
      const v = part.slice(eq + 1).trim();
      return /^[\w.~-]+$/.test(v) ? v : undefined;
    }
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

export function sessionMiddleware(store: SessionStore<SessionData>, secret: string): RequestHandler {
  const save = async (req: Request) => {
    const s = req.session;
    if (s.previousId) await store.remove(s.previousId);
    if (s.destroyed) {
      if (s.id) await store.remove(s.id);
      return;
    }
    const json = JSON.stringify(s.data);
    const rolling = s.expire !== null && s.expire.getTime() - Date.now() < ROLL_MS;
    if (json === s.stored && !rolling) return;
    if (s.id === null && json === '{}') return;
    const expire = new Date(Date.now() + TTL_MS);
    if (s.id === null) s.id = randomBytes(24).toString('base64url');
    await store.save(s.id, s.data, expire);
    // Expired rows are swept now and then by whoever writes, so the table never grows unbounded.
    if (Math.random() < 0.01) await store.sweep();
  };

  return async (req: Request, res: Response, next: NextFunction) => {
    const sid = unsign(secret, readCookie(req, SESSION_COOKIE));
    req.session = { id: null, data: {}, stored: null, expire: null, destroyed: false };
    if (sid) {
      const row = await store.load(sid);
      if (row) {
        req.session = { id: sid, data: row.data, stored: JSON.stringify(row.data), expire: row.expire, destroyed: false, preloaded: row.preloaded };
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
