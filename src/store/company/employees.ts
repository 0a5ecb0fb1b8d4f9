// The employees of a client's company, as the owner (or staff) manages them on /company: list,
// invite by e-mail (a user without a password and an invitation token for /password/set), change
// role / legal entities / order limits, revoke access (sessions end at once) and give it back.
// Every function is scoped to one client: another client's user is a 404, never touched.
// Refusals are DomainErrors with codes `company.<case>` and Russian messages.
import type { Knex } from 'knex';
import type { Db } from '../../infra/db/knex.ts';
import { DomainError, type DomainErrorType, type Message } from '../../infra/domain-error.ts';
import { createUser, issueToken } from '../accounts/users.ts';
import { type CompanyRole, isCompanyRole } from './access.ts';

/** How long an invitation link stays valid. */
export const INVITE_TTL_HOURS = 24 * 7;

export interface Employee {
  id: number;
  email: string;
  name: string;
  companyRole: CompanyRole;
  allCounterparties: boolean;
  /** The granted entities (of the client's) when not allCounterparties. */
  counterpartyIds: number[];
  orderLimit: string | null;
  monthlyLimit: string | null;
  /** No password yet: the invitation is not accepted. */
  invited: boolean;
  revoked: boolean;
  lastLoginAt: Date | null;
}

export interface EmployeeChange {
  companyRole: CompanyRole;
  allCounterparties: boolean;
  counterpartyIds: number[];
  orderLimit: string | null;
  monthlyLimit: string | null;
}

export interface Invitation extends EmployeeChange {
  email: string;
  name: string;
}

const refuse = (type: DomainErrorType, what: string, message: Message) => new DomainError(type, message, { code: `company.${what}` });
const noEmployee = () => refuse('not_found', 'no_employee', { key: 'storeRefusals.company.noEmployee' });

/** The client's legal entities (what grants can name). */
export async function companyEntities(db: Db, clientId: number): Promise<{ id: number; name: string; inn: string | null }[]> {
  return db('client_counterparties as cc')
    .join('counterparties as c', 'c.id', 'cc.counterparty_id')
    .where({ 'cc.client_id': clientId, 'c.deleted': false })
    .orderBy(['c.name', 'c.id'])
    .select('c.id', 'c.name', 'c.inn');
}

export async function listEmployees(db: Db, clientId: number): Promise<Employee[]> {
  const { rows } = await db.raw<{ rows: Employee[] }>(
    `SELECT u.id, u.email, u.name, u.company_role AS "companyRole", u.all_counterparties AS "allCounterparties",
            coalesce((SELECT array_agg(ug.counterparty_id ORDER BY ug.counterparty_id) FROM user_counterparties ug
                       JOIN client_counterparties cc ON cc.counterparty_id = ug.counterparty_id AND cc.client_id = u.client_id
                      WHERE ug.user_id = u.id), '{}') AS "counterpartyIds",
            u.order_limit::text AS "orderLimit", u.monthly_limit::text AS "monthlyLimit",
            (u.password_hash IS NULL) AS invited, (u.disabled_at IS NOT NULL) AS revoked, u.last_login_at AS "lastLoginAt"
       FROM users u
      WHERE u.client_id = ? AND u.role = 'buyer'
      ORDER BY u.disabled_at IS NOT NULL, (u.company_role = 'owner') DESC, lower(u.email)`,
    [clientId],
  );
  return rows.map((r) => ({ ...r, id: Number(r.id), counterpartyIds: r.counterpartyIds.map(Number) }));
}

/**
 * A limit as typed: empty → no limit (null); else a non-negative amount with at most 2 decimals
 * (spaces and a decimal comma allowed: "150 000,50"), returned as numeric text.
 */
export function parseLimit(v: unknown, label: string): string | null {
  const s = String(v ?? '').replace(/[\s\u00a0]/g, '').replace(',', '.');
  if (s === '') return null;
  if (!/^\d{1,16}(\.\d{1,2})?$/.test(s)) {
    throw refuse('invalid', 'limit', { key: 'storeRefusals.company.limit', params: { label } });
  }
  const [i = '0', f = ''] = s.split('.');
  return `${i.replace(/^0+(?=\d)/, '')}.${f.padEnd(2, '0')}`;
}

export function parseRole(v: unknown): CompanyRole {
  if (!isCompanyRole(v)) throw refuse('invalid', 'role', { key: 'storeRefusals.company.role' });
  return v;
}

/** The checks both invite and change make; entities must be the client's (else 404). */
async function checkChange(db: Db | Knex.Transaction, clientId: number, c: EmployeeChange): Promise<void> {
  if (c.companyRole === 'owner') return; // an owner acts for all entities
  if (!c.allCounterparties) {
    if (!c.counterpartyIds.length) throw refuse('invalid', 'no_entities', { key: 'storeRefusals.company.noEntities' });
    const own = await db('client_counterparties').where({ client_id: clientId }).whereIn('counterparty_id', c.counterpartyIds).select('counterparty_id');
    if (own.length !== new Set(c.counterpartyIds).size) throw refuse('not_found', 'no_entity', { key: 'storeRefusals.company.noEntity' });
  }
}

async function writeGrants(trx: Knex.Transaction, userId: number, c: EmployeeChange): Promise<void> {
  await trx('user_counterparties').where({ user_id: userId }).delete();
  if (c.companyRole !== 'owner' && !c.allCounterparties) {
    await trx('user_counterparties').insert([...new Set(c.counterpartyIds)].map((counterparty_id) => ({ user_id: userId, counterparty_id })));
  }
}

const columns = (c: EmployeeChange) => ({
  company_role: c.companyRole,
  all_counterparties: c.companyRole === 'owner' || c.allCounterparties,
  order_limit: c.orderLimit,
  monthly_limit: c.monthlyLimit,
});

/** Creates the employee (no password yet) and an invitation token for /password/set/:token. */
export async function inviteEmployee(db: Db, clientId: number, invitedBy: number | null, inv: Invitation): Promise<{ userId: number; token: string }> {
  return db.transaction(async (trx) => {
    await checkChange(trx, clientId, inv);
    let userId: number;
    try {
      userId = await createUser(trx, { email: inv.email, role: 'buyer', clientId, name: inv.name.trim().slice(0, 200) });
    } catch (err) {
      if (err instanceof DomainError && err.code === 'user.email_taken') throw refuse('conflict', 'email_taken', { key: 'storeRefusals.company.emailTaken', params: { email: inv.email.trim() } });
      if (err instanceof DomainError && err.code === 'user.email') throw refuse('invalid', 'email', { key: 'storeRefusals.company.email', params: { email: inv.email.trim() } });
      throw err;
    }
    await trx('users').where({ id: userId }).update({ ...columns(inv), invited_by: invitedBy });
    await writeGrants(trx, userId, inv);
    const token = await issueToken(trx, userId, 'invite', INVITE_TTL_HOURS);
    return { userId, token };
  });
}

/** The employee row, locked, of this client (404 otherwise); owners counted for the last-owner rule. */
async function lockEmployee(trx: Knex.Transaction, clientId: number, userId: number) {
  // Lock the client's buyers in a fixed order: two owners changing each other cannot both drop out.
  const rows = await trx('users').where({ client_id: clientId, role: 'buyer' }).orderBy('id').forUpdate().select('id', 'company_role', 'disabled_at');
  const target = rows.find((r) => Number(r.id) === userId);
  if (!target) throw noEmployee();
  const activeOwners = rows.filter((r) => r.company_role === 'owner' && !r.disabled_at).length;
  const lastOwner = target.company_role === 'owner' && !target.disabled_at && activeOwners <= 1;
  return { target, lastOwner };
}

/**
 * Changes role, entities and limits. `actorId` (the owner acting; null for staff) may not change
 * their own role; the last owner stays an owner (409).
 */
export async function changeEmployee(db: Db, clientId: number, actorId: number | null, userId: number, c: EmployeeChange): Promise<void> {
  await db.transaction(async (trx) => {
    const { target, lastOwner } = await lockEmployee(trx, clientId, userId);
    if (c.companyRole !== target.company_role) {
      if (userId === actorId) throw refuse('conflict', 'self', { key: 'storeRefusals.company.selfRole' });
      if (lastOwner) throw refuse('conflict', 'last_owner', { key: 'storeRefusals.company.lastOwner' });
    }
    await checkChange(trx, clientId, c);
    await trx('users').where({ id: userId }).update(columns(c));
    await writeGrants(trx, userId, c);
  });
}

/** Revokes access at once: the user is disabled, their sessions and open links end. */
export async function revokeEmployee(db: Db, clientId: number, actorId: number | null, userId: number): Promise<void> {
  await db.transaction(async (trx) => {
    const { lastOwner } = await lockEmployee(trx, clientId, userId);
    if (userId === actorId) throw refuse('conflict', 'self', { key: 'storeRefusals.company.selfRevoke' });
    if (lastOwner) throw refuse('conflict', 'last_owner', { key: 'storeRefusals.company.lastOwner' });
    await trx('users').where({ id: userId }).whereNull('disabled_at').update({ disabled_at: trx.fn.now() });
    await trx('sessions').whereRaw(`sess->>'userId' = ?`, [String(userId)]).delete();
    await trx('user_tokens').where({ user_id: userId }).whereNull('used_at').update({ used_at: trx.fn.now() });
  });
}

/** Gives a revoked employee access back (with the role and entities they had). */
export async function restoreEmployee(db: Db, clientId: number, userId: number): Promise<void> {
  await db.transaction(async (trx) => {
    await lockEmployee(trx, clientId, userId);
    await trx('users').where({ id: userId }).update({ disabled_at: null, failed_logins: 0, locked_until: null });
  });
}

/** A new invitation link for an employee who has not set a password yet (the old links end). */
export async function reinvite(db: Db, clientId: number, userId: number): Promise<{ token: string; email: string }> {
  return db.transaction(async (trx) => {
    const { target } = await lockEmployee(trx, clientId, userId);
    const u = await trx('users').where({ id: userId }).first('email', 'password_hash');
    if (target.disabled_at || !u || u.password_hash) throw refuse('conflict', 'not_invited', { key: 'storeRefusals.company.notInvited' });
    await trx('user_tokens').where({ user_id: userId }).whereNull('used_at').update({ used_at: trx.fn.now() });
    return { token: await issueToken(trx, userId, 'invite', INVITE_TTL_HOURS), email: u.email };
  });
}

/**
 * Whether staff may manage this client's company: an admin any client's, a manager their own
 * clients' (404 otherwise, like the manager's other client pages).
 */
export async function assertStaffCompanyAccess(db: Db, staff: { role: string; managerId: number | null }, clientId: number): Promise<{ id: number; name: string }> {
  const c = await db('clients').where({ id: clientId }).first('id', 'name', 'manager_id');
  if (!c) throw refuse('not_found', 'no_client', { key: 'storeRefusals.company.noClient' });
  if (staff.role === 'admin') return { id: c.id, name: c.name };
  if (staff.role === 'manager' && staff.managerId !== null && c.manager_id === staff.managerId) return { id: c.id, name: c.name };
  throw refuse('not_found', 'no_client', { key: 'storeRefusals.company.noClient' });
}
