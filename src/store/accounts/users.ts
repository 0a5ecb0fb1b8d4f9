// Accounts: password check with lock-out, creation, one-time tokens (invite, reset).
import { createHash, randomBytes } from 'node:crypto';
import { hash, verify } from '@node-rs/argon2';
import type { Db } from '../../infra/db/knex.ts';
import { DomainError, type Message } from '../../infra/domain-error.ts';
import { log } from '../../infra/log.ts';
import type { Role } from './viewer.ts';

/** Failed passwords in a row before the account locks, and for how long. */
export const LOCK_AFTER = 5;
export const LOCK_MINUTES = 15;
export const MIN_PASSWORD = 10;

// Compared against when the e-mail is unknown, so a miss takes as long as a wrong password.
const DUMMY_HASH = await hash('counterpart-dummy-password');

export type LoginResult =
  | { ok: true; userId: number; role: Role }
  | { ok: false; reason: 'invalid' }
  | { ok: false; reason: 'locked'; until: Date }
  | { ok: false; reason: 'disabled' };

export async function checkLogin(db: Db, email: string, password: string): Promise<LoginResult> {
  const user = await db('users')
    .whereRaw('lower(email) = lower(?)', [email.trim()])
    .first('id', 'role', 'password_hash', 'locked_until', 'disabled_at');
  if (!user?.password_hash) {
    // same time as a real check, so the answer does not tell which e-mails exist
    await verify(DUMMY_HASH, password).catch((err: Error) => log.error({ err: err.message }, 'login: the dummy password hash is unreadable'));
    return { ok: false, reason: 'invalid' };
  }
  // The hash is checked even while locked: a locked account answers as slowly as an unknown one.
  // An unreadable stored hash refuses the login like a wrong password, and is logged.
  const good = await verify(user.password_hash, password).catch((err: Error) => {
    log.warn({ userId: user.id, err: err.message }, 'login: the stored password hash is unreadable');
    return false;
  });
  if (user.locked_until && new Date(user.locked_until) > new Date()) return { ok: false, reason: 'locked', until: new Date(user.locked_until) };
  if (!good) {
    const [row] = await db('users')
      .where({ id: user.id })
      .update({
        failed_logins: db.raw('failed_logins + 1'),
        locked_until: db.raw(`CASE WHEN failed_logins + 1 >= ? THEN now() + make_interval(mins => ?) END`, [LOCK_AFTER, LOCK_MINUTES]),
      })
      .returning(['locked_until']);
    if (row?.locked_until) return { ok: false, reason: 'locked', until: new Date(row.locked_until) };
    return { ok: false, reason: 'invalid' };
  }
  if (user.disabled_at) return { ok: false, reason: 'disabled' };
  await db('users').where({ id: user.id }).update({ failed_logins: 0, locked_until: null, last_login_at: db.fn.now() });
  return { ok: true, userId: user.id, role: user.role };
}

export function hashPassword(password: string): Promise<string> {
  return hash(password);
}

/** A clear message when a new password is not acceptable, else null. */
export function passwordProblem(password: string): Message | null {
  if (password.length < MIN_PASSWORD) return { key: 'storeRefusals.users.passwordShort', params: { min: MIN_PASSWORD } };
  if (password.length > 200) return { key: 'storeRefusals.users.passwordLong', params: { max: 200 } };
  return null;
}

export interface NewUser {
  email: string;
  role: Role;
  clientId?: number | null;
  name?: string;
  password?: string;
}

/** createUser's refusals (code `user.<case>`): bad input, or an e-mail already taken. */
const refused = (what: string, message: Message) => new DomainError(what === 'email_taken' ? 'conflict' : 'invalid', message, { code: `user.${what}` });

export async function createUser(db: Db, u: NewUser): Promise<number> {
  const email = u.email.trim();
  if (!/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(email)) throw refused('email', { key: 'storeRefusals.users.email', params: { email } });
  if (u.role === 'buyer' && !u.clientId) throw refused('no_client', { key: 'storeRefusals.users.noClient' });
  if (u.password) {
    const p = passwordProblem(u.password);
    if (p) throw refused('password', p);
  }
  if (u.clientId && !(await db('clients').where({ id: u.clientId }).first('id'))) throw refused('unknown_client', { key: 'storeRefusals.users.unknownClient', params: { id: u.clientId } });
  if (await db('users').whereRaw('lower(email) = lower(?)', [email]).first('id')) throw refused('email_taken', { key: 'storeRefusals.users.emailTaken', params: { email } });
  const [row] = await db('users')
    .insert({
      email,
      name: u.name ?? '',
      role: u.role,
      client_id: u.clientId ?? null,
      password_hash: u.password ? await hash(u.password) : null,
    })
    .returning('id');
  return row.id;
}

const sha = (t: string) => createHash('sha256').update(t).digest('hex');

/** A one-time link token; only its hash is stored. */
export async function issueToken(db: Db, userId: number, purpose: 'invite' | 'reset', ttlHours: number): Promise<string> {
  const token = randomBytes(24).toString('base64url');
  await db('user_tokens').insert({
    user_id: userId,
    purpose,
    token_hash: sha(token),
    expires_at: new Date(Date.now() + ttlHours * 3600_000),
  });
  return token;
}

/** The user a still-valid token belongs to (without using it up). */
export async function peekToken(db: Db, token: string): Promise<{ userId: number; purpose: 'invite' | 'reset'; email: string } | null> {
  const row = await db('user_tokens as t')
    .join('users as u', 'u.id', 't.user_id')
    .where({ 't.token_hash': sha(token) })
    .whereNull('t.used_at')
    .where('t.expires_at', '>', new Date())
    .whereNull('u.disabled_at')
    .first('t.user_id', 't.purpose', 'u.email');
  return row ? { userId: row.user_id, purpose: row.purpose, email: row.email } : null;
}

/** Uses a token up and sets the password, atomically; false when the token was already used. */
export async function redeemToken(db: Db, token: string, password: string): Promise<number | null> {
  const passwordHash = await hash(password);
  return db.transaction(async (trx) => {
    const [t] = await trx('user_tokens')
      .where({ token_hash: sha(token) })
      .whereNull('used_at')
      .where('expires_at', '>', new Date())
      .update({ used_at: trx.fn.now() })
      .returning('user_id');
    if (!t) return null;
    await trx('users').where({ id: t.user_id }).update({ password_hash: passwordHash, failed_logins: 0, locked_until: null });
    // Other open links of this user stop working once a password is set, and so do the user's
    // sessions (someone who knew the old password is signed out everywhere).
    await trx('user_tokens').where({ user_id: t.user_id }).whereNull('used_at').update({ used_at: trx.fn.now() });
    await trx('sessions').whereRaw(`sess->>'userId' = ?`, [String(t.user_id)]).delete();
    return t.user_id as number;
  });
}

export async function findUserIdByEmail(db: Db, email: string): Promise<number | null> {
  const row = await db('users').whereRaw('lower(email) = lower(?)', [email.trim()]).whereNull('disabled_at').first('id');
  return row?.id ?? null;
}
