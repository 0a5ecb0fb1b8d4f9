// Approvals of orders over an employee's limit (issue 15, item 2). createOrder writes the request
// (request.ts): the order exists, holds its stock, and is held back from export. An owner of the
// company (src/store/company/access.ts mayApproveOrders) decides, with a comment:
//   approved → the order's order.create outbox row is written (the key it would have had) and
//              export_state becomes 'pending': from here it goes out exactly like any order, once;
//              its stock hold ends like any order's (confirmed by the system, or its next stock
//              sync after export); reservations the system held too are released as 'ordered';
//   rejected → the order is cancelled (status history names the comment), its stock hold ends
//              as cancelled (released in the system when it held it), the waiting list wakes;
//   expired  → nobody decided within the client's reservation period (the hold's deadline): the
//              sweep ends it like a rejection (jobs/reservations-sweep.ts).
// The author and the approver each get an e-mail (views/mail/order-approval*.hbs) in their own
// language, written to the mail outbox in the decision's (or the expiry's) transaction: the
// decision and its e-mails are committed together (src/store/shared/mail-outbox.ts).
// Every query is scoped: an owner sees the client's approvals of the legal entities they act
// for; a manager those of their clients; an admin all. Anything else is a 404.
import type { Knex } from 'knex';
import type { Db } from '../../infra/db/knex.ts';
import { DomainError, type Message } from '../../infra/domain-error.ts';
import { log } from '../../infra/log.ts';
import type { Runtime } from '../../infra/runtime.ts';
import { publicBaseUrl, renderMail } from '../../mail/index.ts';
import { type CompanyActor, mayApproveOrders } from '../company/access.ts';
import { queueOrderExport } from '../orders/create.ts';
import { releaseInOutbox } from '../reservations/reservations.ts';
import { queueWaitlistCheck } from '../reservations/timers.ts';
import { publishStoreEvents } from '../shared/events.ts';
import type { MailSender, OutgoingMail } from '../shared/mail-port.ts';
import { withOutboxMails } from '../shared/mail-outbox.ts';

export type ApprovalState = 'pending' | 'approved' | 'rejected' | 'expired';

export const APPROVAL_STATE_LABELS: Record<ApprovalState, string> = {
  pending: 'ждёт согласования',
  approved: 'согласован',
  rejected: 'отклонён',
  expired: 'не согласован в срок',
};

export interface ApprovalActor extends CompanyActor {
  userId: number;
  clientId: number | null;
  counterpartyIds: number[];
  managerId: number | null;
}

export interface ApprovalView {
  orderId: number;
  number: string;
  total: string;
  currency: string;
  lineCount: number;
  clientId: number;
  clientName: string;
  counterpartyName: string;
  requestedBy: { name: string; email: string } | null;
  reason: 'order_limit' | 'monthly_limit';
  /** "больше лимита на один заказ 50 000,00 RUB" — what the order passes, Russian. */
  limit: string;
  monthSpent: string;
  state: ApprovalState;
  stateLabel: string;
  expiresAt: string;
  comment: string;
  decidedBy: string | null;
  decidedAt: string | null;
  createdAt: string;
}

interface Row {
  order_id: number;
  number: string;
  total: string;
  currency: string;
  line_count: number;
  client_id: number;
  client_name: string;
  counterparty_name: string;
  requester_name: string | null;
  requester_email: string | null;
  reason: 'order_limit' | 'monthly_limit';
  limit_amount: string;
  month_spent: string;
  state: ApprovalState;
  expires_at: Date;
  comment: string;
  decider_name: string | null;
  decided_at: Date | null;
  created_at: Date;
}

const SELECT = `
  SELECT a.order_id, o.number, o.total::text AS total, o.currency,
         (SELECT count(*)::int FROM order_lines l WHERE l.order_id = o.id) AS line_count,
         a.client_id, cl.name AS client_name, c.name AS counterparty_name,
         coalesce(nullif(ru.name, ''), ru.email) AS requester_name, ru.email AS requester_email,
         a.reason, a.limit_amount::text AS limit_amount, a.month_spent::text AS month_spent, a.state, a.expires_at, a.comment,
         coalesce(nullif(du.name, ''), du.email) AS decider_name, a.decided_at, a.created_at
    FROM order_approvals a
    JOIN orders o ON o.id = a.order_id
    JOIN clients cl ON cl.id = a.client_id
    JOIN counterparties c ON c.id = a.counterparty_id
    LEFT JOIN users ru ON ru.id = a.requested_by
    LEFT JOIN users du ON du.id = a.decided_by`;

function view(r: Row): ApprovalView {
  return {
    orderId: Number(r.order_id), number: r.number, total: r.total, currency: r.currency, lineCount: r.line_count,
    clientId: Number(r.client_id), clientName: r.client_name, counterpartyName: r.counterparty_name,
    requestedBy: r.requester_email ? { name: r.requester_name ?? r.requester_email, email: r.requester_email } : null,
    reason: r.reason, limit: r.limit_amount, monthSpent: r.month_spent,
    state: r.state, stateLabel: APPROVAL_STATE_LABELS[r.state], expiresAt: new Date(r.expires_at).toISOString(), comment: r.comment,
    decidedBy: r.decider_name, decidedAt: r.decided_at ? new Date(r.decided_at).toISOString() : null, createdAt: new Date(r.created_at).toISOString(),
  };
}

/** SQL scope of what the actor may see, with its bindings; null: nothing (→ empty lists, 404). */
function scope(actor: ApprovalActor): { sql: string; bindings: Knex.RawBinding[] } | null {
  if (actor.role === 'admin') return { sql: 'true', bindings: [] };
  if (actor.role === 'manager') {
    return actor.managerId === null ? null : { sql: 'cl.manager_id = ?', bindings: [actor.managerId] };
  }
  if (actor.clientId === null || !actor.counterpartyIds.length) return null;
  return { sql: 'a.client_id = ? AND a.counterparty_id = ANY(?::bigint[])', bindings: [actor.clientId, actor.counterpartyIds] };
}

/**
 * Approvals the actor may see: the pending ones (oldest first), then those decided in the last
 * 30 days (newest first). `clientId` narrows a staff list to one client.
 */
export async function listApprovals(db: Db, actor: ApprovalActor, opts: { pendingOnly?: boolean; clientId?: number; limit?: number } = {}): Promise<ApprovalView[]> {
  const s = scope(actor);
  if (!s) return [];
  const { rows } = await db.raw<{ rows: Row[] }>(
    `${SELECT}
      WHERE ${s.sql} ${opts.clientId ? 'AND a.client_id = ?' : ''}
        AND (a.state = 'pending' ${opts.pendingOnly ? '' : "OR a.decided_at > now() - interval '30 days'"})
      ORDER BY (a.state = 'pending') DESC, CASE WHEN a.state = 'pending' THEN a.created_at END, a.decided_at DESC, a.order_id DESC
      LIMIT ?`,
    [...s.bindings, ...(opts.clientId ? [opts.clientId] : []), opts.limit ?? 200],
  );
  return rows.map(view);
}

/** How many approvals wait for the actor's decision (or, for staff, of their clients). */
export async function pendingApprovalCount(db: Db, actor: ApprovalActor): Promise<number> {
  const s = scope(actor);
  if (!s) return 0;
  const { rows } = await db.raw<{ rows: { n: number }[] }>(
    `SELECT count(*)::int AS n FROM order_approvals a JOIN clients cl ON cl.id = a.client_id WHERE ${s.sql} AND a.state = 'pending'`,
    s.bindings,
  );
  return rows[0]!.n;
}

/** The approval of an order the caller already scoped (the order page), or null when it needed none. */
export async function approvalOfOrder(db: Db, orderId: number): Promise<ApprovalView | null> {
  const { rows } = await db.raw<{ rows: Row[] }>(`${SELECT} WHERE a.order_id = ?`, [orderId]);
  return rows[0] ? view(rows[0]) : null;
}

const refuse = (type: 'invalid' | 'conflict' | 'not_found' | 'forbidden', code: string, message: Message) => new DomainError(type, message, { code: `approval.${code}` });

export type Decision = 'approved' | 'rejected';

export interface DecidedApproval {
  orderId: number;
  number: string;
  state: ApprovalState;
}

const COMMENT_MAX = 2000;

/** An owner approves or rejects a pending order of the company (a rejection needs a comment). */
export async function decideApproval(rt: Runtime, actor: ApprovalActor, orderId: number, decision: Decision, comment: string): Promise<DecidedApproval> {
  if (!mayApproveOrders(actor)) throw refuse('forbidden', 'not_owner', { key: 'storeRefusals.approvals.notOwner' });
  const text = comment.trim();
  if (decision === 'rejected' && !text) throw refuse('invalid', 'comment_required', { key: 'storeRefusals.approvals.commentRequired' });
  if (text.length > COMMENT_MAX) throw refuse('invalid', 'comment_long', { key: 'storeRefusals.approvals.commentLong', params: { max: COMMENT_MAX } });
  const s = scope(actor);
  if (!s) throw refuse('not_found', 'not_found', { key: 'storeRefusals.approvals.notFound' });
  const done = await withOutboxMails(rt, async (trx, mails) => {
    const { rows } = await trx.raw<{ rows: { order_id: number; state: ApprovalState; due: boolean; number: string; outbox_key: string }[] }>(
      `SELECT a.order_id, a.state, a.expires_at <= now() AS due, o.number, a.outbox_key
         FROM order_approvals a JOIN orders o ON o.id = a.order_id JOIN clients cl ON cl.id = a.client_id
        WHERE a.order_id = ? AND ${s.sql} FOR UPDATE OF a, o`,
      [orderId, ...s.bindings],
    );
    const a = rows[0];
    if (!a) throw refuse('not_found', 'not_found', { key: 'storeRefusals.approvals.notFound' });
    if (a.state !== 'pending') throw refuse('conflict', 'decided', { key: 'storeRefusals.approvals.decided', params: { number: a.number, state: a.state } });
    if (a.due) throw refuse('conflict', 'expired', { key: 'storeRefusals.approvals.expired', params: { number: a.number } });
    const offers = decision === 'approved' ? await approve(trx, orderId, a.outbox_key, actor.userId, text) : await end(trx, orderId, 'rejected', actor.userId, text);
    await mailDecision(rt, trx, mails, orderId, actor.userId);
    return { orderId, number: a.number, state: decision as ApprovalState, offers };
  });
  await afterDecision(rt, done.offers);
  return { orderId: done.orderId, number: done.number, state: done.state };
}

async function approve(trx: Knex.Transaction, orderId: number, outboxKey: string, userId: number, comment: string): Promise<number[]> {
  await trx('order_approvals').where({ order_id: orderId }).update({ state: 'approved', decided_by: userId, decided_at: trx.fn.now(), comment });
  await trx('orders').where({ id: orderId }).update({ export_state: 'pending', updated_at: trx.fn.now() });
  await queueOrderExport(trx, orderId, outboxKey);
  await trx('order_status_history').insert({ order_id: orderId, status: 'new', note: comment ? `Согласован: ${comment}` : 'Согласован владельцем кабинета', origin: 'store' });
  // Reservations the accounting system holds too: the order now holds the goods there.
  const held = await trx('reservations').where({ order_id: orderId, state: 'active', held_by_source: true }).pluck('id');
  await releaseInOutbox(trx, held.map(Number), 'ordered');
  return [];
}

/** Rejected or expired: the order is cancelled, its stock hold ends (released where the system held it). */
async function end(trx: Knex.Transaction, orderId: number, state: 'rejected' | 'expired', userId: number | null, comment: string): Promise<number[]> {
  await trx('order_approvals').where({ order_id: orderId }).update({ state, decided_by: userId, decided_at: trx.fn.now(), comment });
  await trx('orders').where({ id: orderId }).update({ status: 'cancelled', status_text: '', updated_at: trx.fn.now() });
  await trx('order_status_history').insert({
    order_id: orderId, status: 'cancelled', origin: 'store',
    note: state === 'rejected' ? `Отклонён владельцем кабинета: ${comment}` : 'Не согласован в срок: резерв снят',
  });
  const { rows } = await trx.raw<{ rows: { id: number; offer_id: number }[] }>(
    `UPDATE reservations SET state = 'cancelled', ended_at = now() WHERE order_id = ? AND state = 'active' RETURNING id, offer_id`,
    [orderId],
  );
  await releaseInOutbox(trx, rows.map((r) => Number(r.id)), 'cancelled');
  return rows.map((r) => Number(r.offer_id));
}

/** Freed stock: open pages refresh, the waiting list wakes. */
async function afterDecision(rt: Runtime, offers: number[]): Promise<void> {
  if (!offers.length) return;
  const ids = [...new Set(offers)];
  await publishStoreEvents(rt, [{ type: 'availability', offerIds: ids }]);
  await queueWaitlistCheck(rt, ids).catch((err: Error) => log.warn({ err: err.message }, 'waiting-list check not queued; its periodic re-scan covers it'));
}

/**
 * The sweep: pending approvals past their deadline end as expired (the order cancelled, its stock
 * free again); the author is e-mailed. Safe to run concurrently (SKIP LOCKED).
 */
export async function expireDueApprovals(rt: Runtime): Promise<number[]> {
  const done = await withOutboxMails(rt, async (trx, mails) => {
    const ids: number[] = (
      await trx.raw<{ rows: { order_id: number }[] }>(
        `SELECT a.order_id FROM order_approvals a JOIN orders o ON o.id = a.order_id
          WHERE a.state = 'pending' AND a.expires_at <= now() ORDER BY a.order_id LIMIT 500 FOR UPDATE OF a, o SKIP LOCKED`,
      )
    ).rows.map((r) => Number(r.order_id));
    const offers: number[] = [];
    for (const id of ids) {
      offers.push(...(await end(trx, id, 'expired', null, '')));
      await mailDecision(rt, trx, mails, id, null);
    }
    return { ids, offers };
  });
  await afterDecision(rt, done.offers);
  return done.ids;
}

/**
 * The sweep: requests nobody was e-mailed about yet (an order from reservations or a quote; a
 * checkout writes its own in the order's transaction) go to the owners. Claimed with SKIP LOCKED,
 * written to the mail outbox in the claim's transaction, keyed: each owner hears of each request once.
 */
export async function mailPendingRequests(rt: Runtime): Promise<number[]> {
  return withOutboxMails(rt, async (trx, mails) => {
    const ids = (
      await trx.raw<{ rows: { order_id: number }[] }>(
        `SELECT order_id FROM order_approvals WHERE state = 'pending' AND requested_mail_at IS NULL ORDER BY order_id LIMIT 200 FOR UPDATE SKIP LOCKED`,
      )
    ).rows.map((r) => Number(r.order_id));
    for (const id of ids) await mailApprovalRequested(rt, mails, id, trx);
    return ids;
  });
}

interface MailData {
  to: string;
  /** The recipient's own language (users.language), else the store's default. */
  language: string | null;
  name: string;
  number: string;
  /** Figures as decimal strings: the template formats them in the recipient's language. */
  total: string;
  currency: string;
  limit: string;
  monthSpent: string;
  counterparty: string;
  reason: ApprovalView['reason'];
  state: ApprovalState;
  comment: string;
  decidedBy: string | null;
  requestedBy: string | null;
  url: string;
  /** 'author' | 'approver' | 'owner' (a request to decide). */
  audience: string;
}

function letter(template: 'order-approval-requested' | 'order-approval-decided', d: MailData, key: string): OutgoingMail {
  const r = renderMail(template, d, d.language);
  return { to: d.to, subject: r.subject, text: r.text, html: r.html, key };
}

async function mailBase(rt: Runtime, orderId: number, db: Db = rt.db) {
  const a = await approvalOfOrder(db, orderId);
  if (!a) return null;
  const base = publicBaseUrl(rt.config);
  return {
    a,
    common: {
      number: a.number, total: a.total, currency: a.currency, limit: a.limit, monthSpent: a.monthSpent, counterparty: a.counterpartyName, reason: a.reason,
      state: a.state, comment: a.comment, decidedBy: a.decidedBy, requestedBy: a.requestedBy?.name ?? null,
    },
    base,
  };
}

/** The decision, to the order's author and to the approver (once when they are the same person), read and written through `db`. */
async function mailDecision(rt: Runtime, db: Db, mail: MailSender, orderId: number, approverId: number | null): Promise<void> {
  const m = await mailBase(rt, orderId, db);
  if (!m) return;
  const order = await db('orders').where({ id: orderId }).first('user_id');
  const people = await db('users').whereIn('id', [order?.user_id ?? 0, approverId ?? 0]).whereNull('disabled_at').select('id', 'email', 'name', 'language');
  const author = people.find((p) => p.id === order?.user_id);
  const approver = people.find((p) => p.id === approverId);
  const url = `${m.base}/orders/${orderId}`;
  if (author) await mail.send(letter('order-approval-decided', { ...m.common, to: author.email, language: author.language, name: author.name, url, audience: 'author' }, `approval-${orderId}-${m.a.state}-author`));
  if (approver && approver.id !== author?.id) {
    await mail.send(letter('order-approval-decided', { ...m.common, to: approver.email, language: approver.language, name: approver.name, url: `${m.base}/approvals`, audience: 'approver' }, `approval-${orderId}-${m.a.state}-approver`));
  }
}

/**
 * A new request, to every owner of the company who may act for its legal entity (each once,
 * keyed), read and marked through `db`: the checkout's transaction (src/store/orders/confirmation.ts)
 * or the sweep's claim, with `mail` writing to the outbox in it.
 */
export async function mailApprovalRequested(rt: Runtime, mail: MailSender, orderId: number, db: Db = rt.db): Promise<number> {
  const m = await mailBase(rt, orderId, db);
  if (m?.a.state !== 'pending') return 0;
  const owners = await db('users').where({ client_id: m.a.clientId, role: 'buyer', company_role: 'owner' }).whereNull('disabled_at').select('id', 'email', 'name', 'language');
  for (const o of owners) {
    await mail.send(letter('order-approval-requested', { ...m.common, to: o.email, language: o.language, name: o.name, url: `${m.base}/approvals`, audience: 'owner' }, `approval-${orderId}-request-${o.id}`));
  }
  await db('order_approvals').where({ order_id: orderId }).whereNull('requested_mail_at').update({ requested_mail_at: db.fn.now() });
  return owners.length;
}
