// Direct messages: one thread per client with its manager. Who may read a thread is decided
// here, once: a buyer only their own client's, a manager only their clients', an admin any.
// A new message is announced on Redis pub/sub so open pages update live.
// A quote's thread (src/store/quotes) is the part of the client's thread bound to that quote
// (`quote_id`): the client's thread shows every message, each quote page only its own.
import type { Redis } from 'ioredis';
import type { Db } from '../../infra/db/knex.ts';
import type { BlobStore } from '../../infra/blob/index.ts';
import { removeAttachment, type StoredAttachment, storeAttachment, type UploadedFile } from './attachments.ts';
import { DomainError } from '../../infra/domain-error.ts';
import { handOver } from '../../infra/queue/handover.ts';
import { type CompanyActor, mayWrite } from '../company/access.ts';

export type Side = 'client' | 'manager';

/** The signed-in person acting on a thread. */
export interface Actor {
  userId: number;
  role: 'buyer' | 'manager' | 'admin';
  clientId: number | null;
  /** managers.id the staff user stands for (users.manager_id). */
  managerId: number | null;
  /**
   * A read-only employee (company role viewer, src/store/company/access.ts mayWrite): reads the
   * thread without marking it read — the unread badge is for the people who act on it.
   */
  readOnly?: boolean;
}

export interface Message {
  id: number;
  client_id: number;
  /** The quote this message is about (its thread), or null. */
  quote_id: number | null;
  author_user_id: number | null;
  author_name: string | null;
  from_side: Side;
  body: string;
  attachment: StoredAttachment | null;
  created_at: Date;
  read_at: Date | null;
}

export interface ThreadDeps {
  db: Db;
  redis?: Redis;
  prefix?: string;
  /** The hand-over bound for the live event (QUEUE_HANDOVER_MS; default 1500 ms). */
  handOverMs?: number;
  /** Where attachments are kept. */
  blobs: BlobStore;
}

export const MAX_MESSAGE_CHARS = 5000;
const NOT_FOUND = { key: 'storeRefusals.messages.noConversation' };

export const sideOf = (a: Actor): Side => (a.role === 'buyer' ? 'client' : 'manager');

/** The thread actor of a signed-in person (a Viewer fits): a viewer reads only. */
export function threadActor(v: CompanyActor & { userId: number; clientId: number | null; managerId: number | null }): Actor {
  return { userId: v.userId, role: v.role, clientId: v.clientId, managerId: v.managerId, readOnly: !mayWrite(v) };
}

/** Throws not_found (never revealing that the thread exists) unless the actor may use it. */
export async function assertThreadAccess(db: Db, actor: Actor, clientId: number): Promise<void> {
  if (actor.role === 'buyer') {
    if (actor.clientId !== clientId) throw new DomainError('not_found', NOT_FOUND);
    return;
  }
  const c = await db('clients').where({ id: clientId }).first('manager_id');
  if (!c) throw new DomainError('not_found', NOT_FOUND);
  if (actor.role === 'manager' && (actor.managerId === null || c.manager_id !== actor.managerId)) {
    throw new DomainError('not_found', NOT_FOUND);
  }
}

/** Redis pub/sub channel of a client's thread. */
export const threadChannel = (prefix: string, clientId: number) => `${prefix}:thread:${clientId}`;
export const threadChannelPattern = (prefix: string) => `${prefix}:thread:*`;

export interface ThreadEvent {
  clientId: number;
  messageId: number;
  side: Side;
  /** 'message' for a new message, 'read' when the other side read the thread. */
  type: 'message' | 'read';
}

async function publish(deps: ThreadDeps, ev: ThreadEvent): Promise<void> {
  if (!deps.redis || !deps.prefix) return;
  // best effort within the bound: the message is stored; an open thread shows it on its next load
  const { redis, prefix } = deps;
  await handOver({ config: { QUEUE_HANDOVER_MS: deps.handOverMs ?? 1500 } }, () => redis.publish(threadChannel(prefix, ev.clientId), JSON.stringify(ev)), {
    what: 'live thread event', covers: 'nothing needed: an open thread shows it on its next load', fields: { clientId: ev.clientId, messageId: ev.messageId, type: ev.type },
  });
}

/** Writes a message (text and/or one attachment); all or nothing. */
export async function postMessage(
  deps: ThreadDeps,
  actor: Actor,
  clientId: number,
  input: { body?: string; file?: UploadedFile | null; /** The quote's thread (a quote of this client). */ quoteId?: number },
): Promise<Message> {
  await assertThreadAccess(deps.db, actor, clientId);
  if (input.quoteId !== undefined && !(await deps.db('quotes').where({ id: input.quoteId, client_id: clientId }).first('id'))) {
    throw new DomainError('not_found', NOT_FOUND);
  }
  const body = (input.body ?? '').replace(/\r\n/g, '\n').trim();
  if (!body && !input.file) throw new DomainError('invalid', { key: 'storeRefusals.messages.empty' });
  if (body.length > MAX_MESSAGE_CHARS) throw new DomainError('invalid', { key: 'storeRefusals.messages.tooLong', params: { length: body.length, max: MAX_MESSAGE_CHARS } });
  const attachment = input.file ? await storeAttachment(deps.blobs, clientId, input.file) : null;
  let id: number;
  try {
    const [r] = await deps.db('messages')
      .insert({ client_id: clientId, quote_id: input.quoteId ?? null, author_user_id: actor.userId, from_side: sideOf(actor), body, attachment: attachment ? JSON.stringify(attachment) : null })
      .returning('id');
    id = r.id;
  } catch (err) {
    if (attachment) await removeAttachment(deps.blobs, attachment);
    throw err;
  }
  await publish(deps, { clientId, messageId: id, side: sideOf(actor), type: 'message' });
  return (await getMessages(deps.db, clientId, { ids: [id] }))[0]!;
}

export interface ThreadPart {
  afterId?: number;
  limit?: number;
  /** Only this quote's messages (its thread); else the whole client's thread. */
  quoteId?: number;
}

async function getMessages(db: Db, clientId: number, opts: ThreadPart & { ids?: number[] }): Promise<Message[]> {
  const q = db('messages as m')
    .leftJoin('users as u', 'u.id', 'm.author_user_id')
    .where('m.client_id', clientId)
    .select('m.*', db.raw(`nullif(u.name, '') AS author_name`));
  if (opts.ids) q.whereIn('m.id', opts.ids);
  if (opts.afterId) q.where('m.id', '>', opts.afterId);
  if (opts.quoteId !== undefined) q.where('m.quote_id', opts.quoteId);
  // the latest `limit` messages, shown oldest first
  const rows: Message[] = await q.orderBy('m.id', 'desc').limit(opts.limit ?? 200);
  return rows.reverse();
}

/**
 * The thread as the actor sees it (oldest first). Reading marks the other side's messages read,
 * except for an admin looking in (that must not hide them from the manager) and a read-only
 * employee (a viewer must not hide them from the buyers who act on them).
 */
export async function readThread(deps: ThreadDeps, actor: Actor, clientId: number, opts: ThreadPart = {}): Promise<Message[]> {
  await assertThreadAccess(deps.db, actor, clientId);
  const msgs = await getMessages(deps.db, clientId, opts);
  if (actor.role !== 'admin' && !actor.readOnly) await markThreadRead(deps, actor, clientId, opts.quoteId);
  return msgs;
}

/** Marks what the other side wrote as read by the actor's side (only a quote's messages when given). */
export async function markThreadRead(deps: ThreadDeps, actor: Actor, clientId: number, quoteId?: number): Promise<number> {
  const other: Side = sideOf(actor) === 'client' ? 'manager' : 'client';
  const q = deps.db('messages').where({ client_id: clientId, from_side: other });
  if (quoteId !== undefined) q.where({ quote_id: quoteId });
  const ids: { id: number }[] = await q
    .whereNull('read_at')
    .update({ read_at: deps.db.fn.now() })
    .returning('id');
  if (ids.length) await publish(deps, { clientId, messageId: Math.max(...ids.map((r) => r.id)), side: sideOf(actor), type: 'read' });
  return ids.length;
}

/** One message's attachment, after the same access check as its thread. */
export async function messageAttachment(db: Db, actor: Actor, messageId: number): Promise<StoredAttachment> {
  const m = await db('messages').where({ id: messageId }).first('client_id', 'attachment');
  if (!m?.attachment) throw new DomainError('not_found', { key: 'storeRefusals.messages.noAttachment' });
  await assertThreadAccess(db, actor, m.client_id);
  return m.attachment;
}

/** Unread messages from the manager for a buyer's client (the header badge). */
export async function unreadForClient(db: Db, clientId: number): Promise<number> {
  const { rows } = await db.raw(`SELECT ${unreadForClientSql()} AS n`, [clientId]);
  return rows[0].n;
}

/** Unread messages from the manager as a scalar subquery (the header badges): client id as SQL, '?' binds it. */
export const unreadForClientSql = (client = '?') =>
  `(SELECT count(*)::int FROM messages WHERE client_id = ${client} AND from_side = 'manager' AND read_at IS NULL)`;

export interface ManagedClient {
  id: number;
  name: string;
  manager_id: number | null;
  manager_name: string | null;
  unread: number;
  last_message_at: Date | null;
}

/** The clients a manager looks after (admin: all), with unread counts; unread threads first. */
export async function managedClients(db: Db, actor: Actor): Promise<ManagedClient[]> {
  if (actor.role === 'buyer') throw new DomainError('forbidden', { key: 'storeRefusals.messages.staffOnly' });
  const q = db('clients as c')
    .leftJoin('managers as m', 'm.id', 'c.manager_id')
    .select(
      'c.id',
      'c.name',
      'c.manager_id',
      'm.name as manager_name',
      db.raw(`(SELECT count(*)::int FROM messages x WHERE x.client_id = c.id AND x.from_side = 'client' AND x.read_at IS NULL) AS unread`),
      db.raw('(SELECT max(created_at) FROM messages x WHERE x.client_id = c.id) AS last_message_at'),
    )
    .orderByRaw('unread DESC, last_message_at DESC NULLS LAST, c.name');
  if (actor.role === 'manager') q.where('c.manager_id', actor.managerId ?? -1);
  return q;
}
