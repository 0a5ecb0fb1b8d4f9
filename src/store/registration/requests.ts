// Registration by request. Anyone may apply (the web rate-limits the form); staff decide:
//   - approve: the mirror's counterparty with the request's INN + KPP (branches share an INN, the
//     KPP picks one; a sole trader has none) is linked to its client — the one it already belongs
//     to, else a new one — and the contact becomes a buyer of that client with an invitation
//     token (the same one-time link and password page as an admin's invitation);
//   - reject: with a reply the applicant gets by e-mail.
// Scope: an admin decides any request; a manager only those whose counterparty belongs to a
// client they manage (others are a 404). A request is decided once (a second decision is a 409).
import type { Knex } from 'knex';
import type { Db } from '../../infra/db/knex.ts';
import { DomainError, type Message } from '../../infra/domain-error.ts';
import { linkCounterparty } from '../accounts/clients.ts';
import { createUser, issueToken } from '../accounts/users.ts';
import { setCurrent } from '../accounts/viewer.ts';
import type { CompanyRole } from '../company/access.ts';
import { innProblem, kppProblem } from './inn.ts';

export const INVITE_HOURS = 24 * 7;

export interface RegistrationInput {
  inn: string;
  kpp: string | null;
  contactName: string;
  email: string;
  phone: string;
}

export type RegistrationErrors = Partial<Record<keyof RegistrationInput, string>>;

const EMAIL = /^[^\s@]{1,64}@[^\s@]+\.[^\s@]{2,}$/;

/** The form's fields, checked; `errors` names each bad field in Russian. */
export function parseRegistration(body: Record<string, unknown> | undefined): { value: RegistrationInput | null; errors: RegistrationErrors } {
  const text = (k: string, max: number) => (typeof body?.[k] === 'string' ? (body[k] as string).trim().slice(0, max) : '');
  const inn = text('inn', 20).replace(/\s/g, '');
  const kpp = text('kpp', 20).replace(/\s/g, '').toUpperCase();
  const contactName = text('contactName', 200);
  const email = text('email', 320);
  const phone = text('phone', 40);
  const errors: RegistrationErrors = {};
  const innBad = inn ? innProblem(inn) : 'Укажите ИНН.';
  if (innBad) errors.inn = innBad;
  else {
    const kppBad = kppProblem(kpp, inn);
    if (kppBad) errors.kpp = kppBad;
  }
  if (!contactName) errors.contactName = 'Укажите, как к вам обращаться.';
  if (!EMAIL.test(email)) errors.email = email ? `«${email.slice(0, 60)}» не похож на адрес электронной почты.` : 'Укажите электронную почту.';
  const digits = phone.replace(/\D/g, '');
  if (digits.length < 10 || digits.length > 15 || /[^\d\s()+-]/.test(phone)) errors.phone = 'Укажите телефон, например +7 900 123-45-67.';
  const ok = Object.keys(errors).length === 0;
  return { value: ok ? { inn, kpp: kpp || null, contactName, email, phone } : null, errors };
}

const refused = (type: 'conflict' | 'not_found' | 'invalid', code: string, message: Message) => new DomainError(type, message, { code: `registration.${code}` });

/** Stores a request; the same INN + KPP + e-mail while one is pending is a 409. */
export async function submitRegistration(db: Db, r: RegistrationInput): Promise<number> {
  try {
    const [row] = await db('registration_requests')
      .insert({ inn: r.inn, kpp: r.kpp, contact_name: r.contactName, email: r.email, phone: r.phone })
      .returning('id');
    return row.id;
  } catch (err) {
    if ((err as { code?: string }).code === '23505') {
      throw refused('conflict', 'duplicate', { key: 'storeRefusals.registration.duplicate' });
    }
    throw err;
  }
}

export interface Reviewer {
  id: number;
  email: string;
  name: string;
  language: string | null;
}

/**
 * Who is told of a new request: the staff users standing for the manager whose client it is (the
 * same rule as the console's scope: every matching counterparty's client has that manager);
 * else — no match, several managers, or nobody standing for the manager — the admins, who see
 * every request. Disabled users never.
 */
export async function registrationReviewers(db: Db, id: number): Promise<{ request: RegistrationRow; reviewers: Reviewer[] } | null> {
  const { rows } = await db.raw<{ rows: RegistrationRow[] }>(
    `SELECT r.id, r.inn, r.kpp, r.contact_name, r.email, r.phone, r.state, r.reply, r.created_at, r.decided_at, ${MATCHES} AS matches
       FROM registration_requests r WHERE r.id = ?`,
    [id],
  );
  const request = rows[0];
  if (!request) return null;
  const managers = new Set(request.matches.map((m) => m.manager_id));
  const managerId = request.matches.length && managers.size === 1 ? [...managers][0] : null;
  const live = () => db('users').whereNull('disabled_at').orderBy('id').select('id', 'email', 'name', 'language');
  const mine: Reviewer[] = managerId != null ? await live().where({ manager_id: managerId }).whereIn('role', ['manager', 'admin']) : [];
  return { request, reviewers: mine.length ? mine : await live().where({ role: 'admin' }) };
}

export interface StaffActor {
  userId: number;
  role: 'manager' | 'admin';
  /** managers.id the staff user stands for. */
  managerId: number | null;
}

export interface RegistrationRow {
  id: number;
  inn: string;
  kpp: string | null;
  contact_name: string;
  email: string;
  phone: string;
  state: 'pending' | 'approved' | 'rejected';
  reply: string | null;
  created_at: Date;
  decided_at: Date | null;
  /** The mirror's counterparties with this INN + KPP (one when the match is clear). */
  matches: { id: number; name: string; kpp: string | null; client_id: number | null; client_name: string | null; manager_id: number | null; users: number }[];
}

/** Counterparties matching INN + KPP (a sole trader: INN alone), not deleted; with their client. */
const MATCHES = `
  coalesce((SELECT json_agg(json_build_object('id', c.id, 'name', c.name, 'kpp', c.kpp, 'client_id', cl.id, 'client_name', cl.name,
                      'manager_id', cl.manager_id, 'users', (SELECT count(*) FROM users u WHERE u.client_id = cl.id)) ORDER BY c.name, c.id)
     FROM counterparties c
     LEFT JOIN client_counterparties cc ON cc.counterparty_id = c.id
     LEFT JOIN clients cl ON cl.id = cc.client_id
    WHERE c.inn = r.inn AND coalesce(nullif(c.kpp, ''), '-') = coalesce(r.kpp, '-') AND NOT c.deleted), '[]')`;

/** What `actor` may see: all for an admin; a manager's own clients' requests. */
function scoped(actor: StaffActor, rows: RegistrationRow[]): RegistrationRow[] {
  if (actor.role === 'admin') return rows;
  return rows.filter((r) => r.matches.length > 0 && r.matches.every((m) => m.manager_id !== null && m.manager_id === actor.managerId));
}

export async function listRegistrations(db: Db, actor: StaffActor, opts: { state?: 'pending' | 'decided'; limit?: number } = {}): Promise<RegistrationRow[]> {
  const { rows } = await db.raw<{ rows: RegistrationRow[] }>(
    `SELECT r.id, r.inn, r.kpp, r.contact_name, r.email, r.phone, r.state, r.reply, r.created_at, r.decided_at, ${MATCHES} AS matches
       FROM registration_requests r
      WHERE (?::text IS NULL OR (? = 'pending') = (r.state = 'pending'))
      ORDER BY r.created_at DESC, r.id DESC LIMIT ?`,
    [opts.state ?? null, opts.state ?? null, opts.limit ?? 200],
  );
  return scoped(actor, rows);
}

/** The request, locked, if `actor` may decide it; a decided one is a 409. */
async function pendingFor(trx: Knex.Transaction, actor: StaffActor, id: number): Promise<RegistrationRow> {
  const { rows } = await trx.raw<{ rows: RegistrationRow[] }>(
    `SELECT r.id, r.inn, r.kpp, r.contact_name, r.email, r.phone, r.state, r.reply, r.created_at, r.decided_at, ${MATCHES} AS matches
       FROM registration_requests r WHERE r.id = ? FOR UPDATE OF r`,
    [id],
  );
  const r = scoped(actor, rows)[0];
  if (!r) throw refused('not_found', 'not_found', { key: 'storeRefusals.registration.notFound' });
  if (r.state !== 'pending') throw refused('conflict', 'decided', { key: `storeRefusals.registration.${r.state === 'approved' ? 'approved' : 'rejected'}`, params: { id: r.id } });
  return r;
}

export interface Approved {
  requestId: number;
  email: string;
  contactName: string;
  userId: number;
  companyRole: CompanyRole;
  clientName: string;
  counterpartyName: string;
  /** The invitation's one-time token (/password/set/<token>). */
  token: string;
}

/**
 * Approves: the contact becomes a user of the matched counterparty's client. Their company role is
 * staff's choice; without one, the owner of a cabinet that has no active owner (a new company),
 * else a buyer acting for the matched legal entity only — an applicant who only knows a
 * company's INN and KPP must not become the owner of someone else's cabinet by default.
 */
export async function approveRegistration(db: Db, actor: StaffActor, id: number, choice: { companyRole?: CompanyRole } = {}): Promise<Approved> {
  return db.transaction(async (trx) => {
    const r = await pendingFor(trx, actor, id);
    const kpp = r.kpp ? 'Kpp' : '';
    if (!r.matches.length) {
      throw refused('conflict', 'no_counterparty', { key: `storeRefusals.registration.noCounterparty${kpp}`, params: { inn: r.inn, kpp: r.kpp } });
    }
    if (r.matches.length > 1) {
      throw refused('conflict', 'ambiguous', {
        key: `storeRefusals.registration.ambiguous${kpp}`,
        params: { inn: r.inn, kpp: r.kpp, names: r.matches.map((m) => m.name).join(', ') },
      });
    }
    const cp = r.matches[0]!;
    let clientId = cp.client_id;
    if (clientId === null) {
      // Not in any cabinet (never seeded, or an admin unlinked it): a cabinet of its own.
      await trx.raw('INSERT INTO clients (name, head_counterparty_id) VALUES (?, ?) ON CONFLICT (head_counterparty_id) DO NOTHING', [cp.name, cp.id]);
      clientId = (await trx('clients').where({ head_counterparty_id: cp.id }).first('id'))!.id as number;
      await linkCounterparty(trx, clientId, { id: cp.id });
    }
    const owners = await trx('users').where({ client_id: clientId, role: 'buyer', company_role: 'owner' }).whereNull('disabled_at').count<{ n: string }[]>({ n: '*' });
    const companyRole: CompanyRole = choice.companyRole ?? (Number(owners[0]!.n) > 0 ? 'buyer' : 'owner');
    const userId = await createUser(trx, { email: r.email, role: 'buyer', clientId, name: r.contact_name });
    await trx('users').where({ id: userId }).update({ company_role: companyRole, all_counterparties: companyRole === 'owner' });
    if (companyRole !== 'owner') await trx('user_counterparties').insert({ user_id: userId, counterparty_id: cp.id });
    await setCurrent(trx, userId, cp.id, null);
    const token = await issueToken(trx, userId, 'invite', INVITE_HOURS);
    await trx('registration_requests').where({ id }).update({
      state: 'approved', counterparty_id: cp.id, client_id: clientId, user_id: userId, decided_by: actor.userId, decided_at: trx.fn.now(),
    });
    const client = await trx('clients').where({ id: clientId }).first('name');
    return { requestId: id, email: r.email, contactName: r.contact_name, userId, companyRole, clientName: client!.name, counterpartyName: cp.name, token };
  });
}

export async function rejectRegistration(db: Db, actor: StaffActor, id: number, reply: string): Promise<{ email: string; contactName: string; reply: string }> {
  const text = reply.trim().slice(0, 2000);
  if (!text) throw refused('invalid', 'no_reply', { key: 'storeRefusals.registration.noReply' });
  return db.transaction(async (trx) => {
    const r = await pendingFor(trx, actor, id);
    await trx('registration_requests').where({ id }).update({ state: 'rejected', reply: text, decided_by: actor.userId, decided_at: trx.fn.now() });
    return { email: r.email, contactName: r.contact_name, reply: text };
  });
}
