// What a manager sees about one client: its legal entities, recent orders and reservations.
import type { Db } from '../../infra/db/knex.ts';

export interface ClientOverview {
  id: number;
  name: string;
  manager_name: string | null;
  manager_assigned: boolean;
  counterparties: { id: number; name: string; inn: string | null; debt: string; credit_limit: string | null }[];
  orders: { id: number; number: string; status: string; status_text: string; total: string; currency: string; created_at: Date; counterparty: string }[];
  reservations: { id: number; product: string; sku: string | null; warehouse: string; quantity: string; state: string; expires_at: Date }[];
}

export async function clientOverview(db: Db, clientId: number, limit = 10): Promise<ClientOverview | undefined> {
  const client = await db('clients as c')
    .leftJoin('managers as m', 'm.id', 'c.manager_id')
    .where('c.id', clientId)
    .first('c.id', 'c.name', 'c.manager_assigned', 'm.name as manager_name');
  if (!client) return undefined;
  const [counterparties, orders, reservations] = await Promise.all([
    db('client_counterparties as cc')
      .join('counterparties as cp', 'cp.id', 'cc.counterparty_id')
      .where('cc.client_id', clientId)
      .orderBy('cp.name')
      .select('cp.id', 'cp.name', 'cp.inn', 'cp.debt', 'cp.credit_limit'),
    db('orders as o')
      .join('counterparties as cp', 'cp.id', 'o.counterparty_id')
      .where('o.client_id', clientId)
      .orderBy('o.created_at', 'desc')
      .limit(limit)
      .select('o.id', 'o.number', 'o.status', 'o.status_text', 'o.total', 'o.currency', 'o.created_at', 'cp.name as counterparty'),
    db('reservations as r')
      .join('offers as of', 'of.id', 'r.offer_id')
      .join('products as p', 'p.id', 'of.product_id')
      .join('warehouses as w', 'w.id', 'r.warehouse_id')
      .where('r.client_id', clientId)
      .orderByRaw(`(r.state = 'active') DESC, r.created_at DESC`)
      .limit(limit)
      .select('r.id', 'p.name as product', 'p.sku', 'w.name as warehouse', 'r.quantity', 'r.state', 'r.expires_at'),
  ]);
  return { ...client, counterparties, orders, reservations };
}
