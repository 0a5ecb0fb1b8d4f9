// Basic auth at `checkauth`, against the commerceml source whose settings carry that login.
// The password lives in an environment variable named by the source (or as an argon2 hash).
import crypto from 'node:crypto';
import { hash, verify } from '@node-rs/argon2';
import { secretFromEnv } from '../../../src/infra/config.ts';
import type { Db } from '../../../src/infra/db/knex.ts';
import { log } from '../../../src/infra/log.ts';
import { attemptLimits, type LimitRule } from '../../../src/infra/rate-limit.ts';
import type { Runtime } from '../../../src/infra/runtime.ts';
import { type CommerceMLSettings, parseSettings } from '../settings.ts';

export interface AuthedSource {
  id: number;
  name: string;
  settings: CommerceMLSettings;
}

export function parseBasic(header: string | undefined): { login: string; password: string } | undefined {
  const m = /^Basic\s+([A-Za-z0-9+/=]+)\s*$/i.exec(header ?? '');
  if (!m) return undefined;
  const text = Buffer.from(m[1]!, 'base64').toString('utf8');
  const i = text.indexOf(':');
  return i < 0 ? undefined : { login: text.slice(0, i), password: text.slice(i + 1) };
}

// Checked against when the login is unknown, so a miss costs what a wrong hashed password does.
const DUMMY_HASH = await hash('counterpart-exchange-dummy');

function sameSecret(a: string, b: string): boolean {
  const ha = crypto.createHash('sha256').update(a).digest();
  const hb = crypto.createHash('sha256').update(b).digest();
  return crypto.timingSafeEqual(ha, hb);
}

/** The source for these credentials, or a reason to refuse (shown to 1C after `failure`). */
export async function authenticate(db: Db, login: string, password: string, only?: string): Promise<AuthedSource | string> {
  const q = db('sources').where({ kind: 'commerceml' }).whereNull('disabled_at').whereRaw("settings->>'login' = ?", [login]).select('id', 'name', 'settings');
  if (only) q.andWhere({ name: only });
  const rows = await q;
  const wrong = 'wrong login or password';
  if (rows.length !== 1) {
    await verify(DUMMY_HASH, password).catch((err: Error) => log.error({ err: err.message }, '1C exchange: the dummy password hash is unreadable'));
    return wrong;
  }
  const row = rows[0] as { id: number; name: string; settings: unknown };
  const settings = parseSettings(row.settings);
  if (typeof settings === 'string') return `source "${row.name}" is misconfigured (${settings})`;
  if (settings.passwordEnv) {
    const expected = secretFromEnv(settings.passwordEnv);
    if (!expected) return `source "${row.name}": environment variable ${settings.passwordEnv} (its password) is not set`;
    if (!sameSecret(expected, password)) return wrong;
  } else {
    // an unreadable hash in the source's settings refuses like a wrong password, and is logged
    const good = await verify(settings.passwordHash!, password).catch((err: Error) => {
      log.warn({ source: row.name, err: err.message }, 'commerceml: the source password hash is unreadable');
      return false;
    });
    if (!good) return wrong;
  }
  return { id: row.id, name: row.name, settings };
}

/** Failed exchange logins per login name and per client address (a success is given back). */
export const EXCHANGE_LOGIN_LIMITS = {
  login: { name: 'exchange-login:login', points: 10, windowS: 900 },
  ip: { name: 'exchange-login:ip', points: 30, windowS: 900 },
} satisfies Record<string, LimitRule>;

/**
 * authenticate behind the brute-force limit: the attempt is counted before the password check
 * (atomically, so parallel guesses cannot pass the limit) and given back when it succeeds. Over
 * the limit even the right password is refused, with the same text for any login.
 */
export async function authenticateLimited(rt: Pick<Runtime, 'db' | 'redis' | 'prefix'>, login: string, password: string, ip: string | undefined): Promise<AuthedSource | string> {
  const limits = attemptLimits(rt.redis, rt.prefix);
  const keys = [
    { rule: EXCHANGE_LOGIN_LIMITS.login, key: login },
    { rule: EXCHANGE_LOGIN_LIMITS.ip, key: ip ?? 'unknown' },
  ];
  const wait = await limits.take(keys);
  if (wait > 0) return `too many failed logins: wait ${Math.ceil(wait / 60)} min and try again`;
  const result = await authenticate(rt.db, login, password);
  if (typeof result !== 'string') await limits.refund(keys);
  return result;
}
