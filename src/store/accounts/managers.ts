// A client's personal manager: from the accounting system (the head counterparty's main
// manager) unless an admin assigned one (clients.manager_assigned), which sync never overrides.
import type { Db } from '../../infra/db/knex.ts';
import { DomainError } from '../../infra/domain-error.ts';

export interface ManagerCard {
  id: number;
  name: string;
  email: string | null;
  phone: string | null;
  photo_url: string | null;
  messengers: Record<string, string>;
  working_hours: string | null;
}

// The manager the accounting system names for a client: its head counterparty's, else the
// first linked counterparty's that names one (same source, not deleted).
const FROM_ACCOUNTING = `
  SELECT m.id FROM counterparties cp
    JOIN managers m ON m.source_id = cp.source_id AND m.external_id = cp.manager_external_id AND NOT m.deleted
   WHERE cp.manager_external_id IS NOT NULL AND NOT cp.deleted
     AND (cp.id = c.head_counterparty_id
          OR cp.id IN (SELECT counterparty_id FROM client_counterparties cc WHERE cc.client_id = c.id))
   ORDER BY (cp.id = c.head_counterparty_id) DESC NULLS LAST, cp.id
   LIMIT 1`;

/**
 * Re-derives manager_id of clients whose manager was not set by an admin. Cheap enough to run
 * after each sync; returns how many clients changed.
 */
export async function refreshClientManagers(db: Db, clientId?: number): Promise<number> {
  const { rowCount } = await db.raw(
    `UPDATE clients c SET manager_id = (${FROM_ACCOUNTING})
      WHERE NOT c.manager_assigned ${clientId ? 'AND c.id = ?' : ''}
        AND c.manager_id IS DISTINCT FROM (${FROM_ACCOUNTING})`,
    clientId ? [clientId] : [],
  );
  return rowCount ?? 0;
}

/**
 * An admin sets a client's manager (kept across syncs); null hands the choice back to the
 * accounting system. Messages stay with the client, so the history survives reassignment.
 */
export async function assignManager(db: Db, clientId: number, managerId: number | null): Promise<void> {
  await db.transaction(async (trx) => {
    const client = await trx('clients').where({ id: clientId }).forUpdate().first('id');
    if (!client) throw new DomainError('not_found', { key: 'storeRefusals.console.noClient', params: { id: clientId } });
    if (managerId === null) {
      await trx('clients').where({ id: clientId }).update({ manager_assigned: false });
      await refreshClientManagers(trx, clientId);
      return;
    }
    const m = await trx('managers').where({ id: managerId, deleted: false }).first('id');
    if (!m) throw new DomainError('invalid', { key: 'storeRefusals.console.noManager', params: { id: managerId } });
    await trx('clients').where({ id: clientId }).update({ manager_id: managerId, manager_assigned: true });
  });
}

/** The card the cabinet shows; undefined when the client has no manager yet. */
export async function managerCard(db: Db, clientId: number): Promise<ManagerCard | undefined> {
  return db('clients as c')
    .join('managers as m', 'm.id', 'c.manager_id')
    .where('c.id', clientId)
    .first('m.id', 'm.name', 'm.email', 'm.phone', 'm.photo_url', 'm.messengers', 'm.working_hours');
}

/** Managers an admin can choose from. */
export async function listManagers(db: Db): Promise<{ id: number; name: string; email: string | null }[]> {
  return db('managers').where({ deleted: false }).orderBy('name').select('id', 'name', 'email');
}

/** Safe messenger links for a card: only known kinds, only https / tg: / whatsapp URLs built by us. */
export function messengerLinks(messengers: Record<string, string> | null | undefined): { label: string; href: string }[] {
  const out: { label: string; href: string }[] = [];
  for (const [kind, raw] of Object.entries(messengers ?? {})) {
    const v = String(raw).trim();
    if (!v) continue;
    const k = kind.toLowerCase();
    if (k === 'telegram') out.push({ label: 'Telegram', href: `https://t.me/${encodeURIComponent(v.replace(/^@|^https:\/\/t\.me\//, ''))}` });
    else if (k === 'whatsapp') out.push({ label: 'WhatsApp', href: `https://wa.me/${v.replace(/\D/g, '')}` });
    else if (/^https:\/\//i.test(v)) out.push({ label: kind, href: v });
  }
  return out;
}
