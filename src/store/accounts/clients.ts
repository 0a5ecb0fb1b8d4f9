// Clients (cabinets) seeded from the accounting system's head-counterparty links: every head
// counterparty (a counterparty without a head, or the head others point to) gets one client;
// the head and the counterparties pointing to it are linked with origin 'sync'. Links an admin
// made (origin 'admin') are never touched, and a counterparty an admin linked to one client is
// not sync-linked to another. Idempotent: run it after every sync.
import type { Db } from '../../infra/db/knex.ts';
import { DomainError, type Message } from '../../infra/domain-error.ts';

export interface SeedResult {
  clientsCreated: number;
  linksAdded: number;
  linksRemoved: number;
}

// counterparty → its head (itself when it has none or the head is unknown/deleted).
const HEADS = `
  SELECT c.id AS cp_id, coalesce(h.id, c.id) AS head_id
    FROM counterparties c
    LEFT JOIN counterparties h ON h.source_id = c.source_id AND h.external_id = c.head_external_id AND NOT h.deleted
   WHERE NOT c.deleted`;

export async function seedClients(db: Db): Promise<SeedResult> {
  return db.transaction(async (trx) => {
    // Serialise concurrent seeds (two syncs finishing together).
    await trx.raw(`SELECT pg_advisory_xact_lock(hashtext('counterpart:seed-clients'))`);
    const created = await trx.raw(
      `INSERT INTO clients (name, head_counterparty_id, manager_id)
       SELECT hc.name, hc.id, m.id
         FROM (SELECT DISTINCT head_id FROM (${HEADS}) x) heads
         JOIN counterparties hc ON hc.id = heads.head_id
         LEFT JOIN managers m ON m.source_id = hc.source_id AND m.external_id = hc.manager_external_id AND NOT m.deleted
       ON CONFLICT (head_counterparty_id) DO UPDATE SET manager_id = EXCLUDED.manager_id
        WHERE NOT clients.manager_assigned AND clients.manager_id IS DISTINCT FROM EXCLUDED.manager_id
       RETURNING (xmax = 0) AS inserted`,
    );
    const added = await trx.raw(
      `INSERT INTO client_counterparties (client_id, counterparty_id, origin)
       SELECT cl.id, h.cp_id, 'sync' FROM (${HEADS}) h JOIN clients cl ON cl.head_counterparty_id = h.head_id
        WHERE NOT coalesce(cl.settings->'excludedCounterparties', '[]'::jsonb) @> to_jsonb(h.cp_id)
          -- a counterparty an admin linked to another client stays with that client only
          AND NOT EXISTS (SELECT 1 FROM client_counterparties o WHERE o.counterparty_id = h.cp_id AND o.origin = 'admin' AND o.client_id <> cl.id)
       ON CONFLICT (client_id, counterparty_id) DO NOTHING`,
    );
    const removed = await trx.raw(
      `DELETE FROM client_counterparties cc
        WHERE cc.origin = 'sync'
          AND NOT EXISTS (SELECT 1 FROM (${HEADS}) h JOIN clients cl ON cl.head_counterparty_id = h.head_id
                           WHERE cl.id = cc.client_id AND h.cp_id = cc.counterparty_id)`,
    );
    return {
      clientsCreated: (created.rows as { inserted: boolean }[]).filter((r) => r.inserted).length,
      linksAdded: added.rowCount ?? 0,
      linksRemoved: removed.rowCount ?? 0,
    };
  });
}

/** A client by numeric id or exact name (for the CLI). */
export async function findClient(db: Db, idOrName: string): Promise<{ id: number; name: string } | null> {
  const q = db('clients').select('id', 'name');
  if (/^\d+$/.test(idOrName)) q.where({ id: Number(idOrName) });
  else q.where({ name: idOrName });
  const rows = await q.limit(2);
  return rows.length === 1 ? rows[0] : null;
}

/**
 * Which counterparty an admin means: the store's id, the accounting system's external id, or
 * the INN — with the KPP when several legal entities (branches) share that INN.
 */
export type CounterpartyRef = { id: number } | { externalId: string } | { inn: string; kpp?: string };

export interface LinkCandidate {
  id: number;
  externalId: string;
  name: string;
  inn: string | null;
  kpp: string | null;
}

const INN = /^\d{10}(\d{2})?$/;
// KPP: 4 digits (tax office), 2 digits or capital letters (reason), 3 digits.
const KPP = /^\d{4}[\dA-Z]{2}\d{3}$/;

const linkRefused = (type: 'invalid' | 'not_found' | 'conflict', code: string, message: Message, details?: unknown) =>
  new DomainError(type, message, { code: `link.${code}`, details });

/**
 * The admin forms' input as a reference: an INN (with an optional KPP), else an external id
 * (which also matches the store's own id when it is a number).
 */
export function parseCounterpartyRef(text: unknown, kpp?: unknown): CounterpartyRef {
  const t = typeof text === 'string' ? text.trim() : '';
  const k = typeof kpp === 'string' ? kpp.trim().toUpperCase() : '';
  if (!t) throw linkRefused('invalid', 'no_ref', { key: 'storeRefusals.link.noRef' });
  if (k && !KPP.test(k)) throw linkRefused('invalid', 'bad_kpp', { key: 'storeRefusals.link.badKpp', params: { kpp: k } });
  if (INN.test(t)) return k ? { inn: t, kpp: k } : { inn: t };
  if (k) throw linkRefused('invalid', 'kpp_without_inn', { key: 'storeRefusals.link.kppWithoutInn' });
  return { externalId: t.slice(0, 200) };
}

/** A refusal naming the reference as given: `storeRefusals.link.<what>.<id|ext|inn|innKpp>`. */
const naming = (what: string, ref: CounterpartyRef, params: Record<string, unknown> = {}): Message => {
  const form = 'id' in ref ? 'id' : 'externalId' in ref ? 'ext' : ref.kpp ? 'innKpp' : 'inn';
  return { key: `storeRefusals.link.${what}.${form}`, params: { ...ref, ...params } };
};

/**
 * Admin edit: link a counterparty to a client by hand (kept across seeds). Refuses, as a
 * DomainError with a `link.*` code: no such counterparty; one marked deleted; an INN several
 * legal entities share without the KPP that picks one ('link.ambiguous_inn', the candidates in
 * `details`); a counterparty already linked to another client (unlink it there first).
 */
export async function linkCounterparty(db: Db, clientId: number, ref: CounterpartyRef): Promise<{ id: number; name: string }> {
  return db.transaction(async (trx) => {
    // The seed's lock: a seed running meanwhile cannot link the same counterparty elsewhere.
    await trx.raw(`SELECT pg_advisory_xact_lock(hashtext('counterpart:seed-clients'))`);
    const client = await trx('clients').where({ id: clientId }).first('id');
    if (!client) throw linkRefused('not_found', 'no_client', { key: 'storeRefusals.link.noClient' });

    const q = trx('counterparties').select('id', 'external_id', 'name', 'inn', 'kpp', 'deleted').orderBy(['kpp', 'name', 'id']).limit(50);
    if ('id' in ref) q.where({ id: ref.id });
    else if ('inn' in ref) {
      q.where({ inn: ref.inn });
      if (ref.kpp) q.where({ kpp: ref.kpp });
    } else q.where((w) => (/^\d{1,15}$/.test(ref.externalId) ? w.where({ external_id: ref.externalId }).orWhere({ id: Number(ref.externalId) }) : w.where({ external_id: ref.externalId })));
    const rows: { id: number; external_id: string; name: string; inn: string | null; kpp: string | null; deleted: boolean }[] = await q;

    const live = rows.filter((r) => !r.deleted);
    if (!rows.length) throw linkRefused('not_found', 'not_found', naming('notFound', ref));
    if (!live.length) {
      throw linkRefused('conflict', 'deleted', { key: 'storeRefusals.link.deleted', params: { name: rows[0]!.name } });
    }
    if (live.length > 1) {
      const candidates: LinkCandidate[] = live.map((r) => ({ id: r.id, externalId: r.external_id, name: r.name, inn: r.inn, kpp: r.kpp }));
      if ('inn' in ref && !ref.kpp) {
        const list = candidates.map((c) => `${c.name} (${c.kpp ?? '—'})`).join(', ');
        throw linkRefused('conflict', 'ambiguous_inn', { key: 'storeRefusals.link.ambiguousInn', params: { inn: ref.inn, n: live.length, list } }, { inn: ref.inn, candidates });
      }
      // the same key in two sources (or an external id that is also another row's id)
      const list = candidates.map((c) => `${c.name} (${c.externalId})`).join(', ');
      throw linkRefused('conflict', 'ambiguous', naming('ambiguous', ref, { n: live.length, list }), { candidates });
    }
    const cp = live[0]!;

    const other = await trx('client_counterparties as cc')
      .join('clients as cl', 'cl.id', 'cc.client_id')
      .where('cc.counterparty_id', cp.id)
      .whereNot('cc.client_id', clientId)
      .first('cl.id', 'cl.name');
    if (other) {
      throw linkRefused('conflict', 'other_client', { key: 'storeRefusals.link.otherClient', params: { name: cp.name, client: other.name } }, { clientId: other.id, clientName: other.name });
    }

    await trx.raw(
      `INSERT INTO client_counterparties (client_id, counterparty_id, origin) VALUES (?, ?, 'admin')
       ON CONFLICT (client_id, counterparty_id) DO UPDATE SET origin = 'admin'`,
      [clientId, cp.id],
    );
    await trx.raw(
      `UPDATE clients SET settings = jsonb_set(settings, '{excludedCounterparties}',
         coalesce((SELECT jsonb_agg(e) FROM jsonb_array_elements(settings->'excludedCounterparties') e WHERE e <> to_jsonb(?::bigint)), '[]'))
        WHERE id = ? AND settings->'excludedCounterparties' IS NOT NULL`,
      [cp.id, clientId],
    );
    return { id: cp.id, name: cp.name };
  });
}

/** Admin edit: unlink; a sync link stays removed (remembered in clients.settings) until relinked. */
export async function unlinkCounterparty(db: Db, clientId: number, counterpartyId: number): Promise<void> {
  await db.transaction(async (trx) => {
    await trx('client_counterparties').where({ client_id: clientId, counterparty_id: counterpartyId }).delete();
    await trx.raw(
      `UPDATE clients SET settings = jsonb_set(settings, '{excludedCounterparties}',
         coalesce(settings->'excludedCounterparties', '[]'::jsonb) || to_jsonb(?::bigint))
        WHERE id = ? AND NOT coalesce(settings->'excludedCounterparties', '[]'::jsonb) @> to_jsonb(?::bigint)`,
      [counterpartyId, clientId, counterpartyId],
    );
  });
}

export interface ClientSummary {
  id: number;
  name: string;
  counterparties: { id: number; name: string; inn: string | null; origin: string }[];
  users: { id: number; email: string; role: string }[];
}

export async function listClients(db: Db, search: string, limit = 100): Promise<{ id: number; name: string; n: number }[]> {
  const q = db('clients as c')
    .leftJoin('client_counterparties as cc', 'cc.client_id', 'c.id')
    .groupBy('c.id')
    .orderBy('c.name')
    .limit(limit)
    .select('c.id', 'c.name', db.raw('count(cc.counterparty_id)::int AS n'));
  if (search) q.whereILike('c.name', `%${search.replace(/[\\%_]/g, (ch) => `\\${ch}`)}%`);
  return q;
}

export async function clientSummary(db: Db, id: number): Promise<ClientSummary | null> {
  const c = await db('clients').where({ id }).first('id', 'name');
  if (!c) return null;
  const counterparties = await db('client_counterparties as cc')
    .join('counterparties as cp', 'cp.id', 'cc.counterparty_id')
    .where('cc.client_id', id)
    .orderBy('cp.name')
    .select('cp.id', 'cp.name', 'cp.inn', 'cc.origin');
  const users = await db('users').where({ client_id: id }).orderBy('email').select('id', 'email', 'role');
  return { ...c, counterparties, users };
}
