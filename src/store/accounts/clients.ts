// Clients (cabinets) seeded from the accounting system's head-counterparty links: every head
// counterparty (a counterparty without a head, or the head others point to) gets one client;
// the head and the counterparties pointing to it are linked with origin 'sync'. Links an admin
// made (origin 'admin') are never touched. Idempotent: run it after every sync.
import type { Db } from '../../infra/db/knex.ts';

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

/** Admin edit: link a counterparty to a client by hand (kept across seeds). */
export async function linkCounterparty(db: Db, clientId: number, counterpartyId: number): Promise<void> {
  await db.transaction(async (trx) => {
    await trx.raw(
      `INSERT INTO client_counterparties (client_id, counterparty_id, origin) VALUES (?, ?, 'admin')
       ON CONFLICT (client_id, counterparty_id) DO UPDATE SET origin = 'admin'`,
      [clientId, counterpartyId],
    );
    await trx.raw(
      `UPDATE clients SET settings = jsonb_set(settings, '{excludedCounterparties}',
         coalesce((SELECT jsonb_agg(e) FROM jsonb_array_elements(settings->'excludedCounterparties') e WHERE e <> to_jsonb(?::bigint)), '[]'))
        WHERE id = ? AND settings->'excludedCounterparties' IS NOT NULL`,
      [counterpartyId, clientId],
    );
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

/** A counterparty by INN or internal id (for the admin form). */
export async function findCounterparty(db: Db, ref: string): Promise<{ id: number; name: string } | null> {
  const t = ref.trim();
  const q = db('counterparties').where({ deleted: false }).select('id', 'name').limit(2);
  if (/^\d{10}(\d{2})?$/.test(t)) q.where({ inn: t });
  else if (/^\d{1,9}$/.test(t)) q.where({ id: Number(t) });
  else q.where({ external_id: t });
  const rows = await q;
  return rows.length === 1 ? rows[0] : null;
}
