// A small world for news and messaging tests: one source, two price types, two clients each
// with a head counterparty, managers from the accounting system, buyers and staff users.
import type { Runtime } from '../../src/infra/runtime.ts';
import type { Actor } from '../../src/store/messages/messages.ts';
import { truncate } from './runtime.ts';

export interface World {
  sourceId: number;
  priceTypes: { wholesale: number; dealer: number };
  managers: { ivanov: number; petrova: number };
  counterparties: { alpha: number; alphaBranch: number; beta: number };
  contracts: { alphaDealer: number };
  clients: { alpha: number; beta: number };
  users: { alphaBuyer: Actor; betaBuyer: Actor; ivanov: Actor; petrova: Actor; admin: Actor };
}

export async function makeWorld(rt: Runtime): Promise<World> {
  await truncate(rt, 'sources', 'clients', 'users', 'news', 'messages', 'message_threads');
  const db = rt.db;
  const [s] = await db('sources').insert({ name: 'acc', kind: 'soap' }).returning('id');
  const sourceId = s.id as number;
  const pt = await db('price_types')
    .insert([
      { source_id: sourceId, external_id: 'pt-w', name: 'Wholesale', is_base: true },
      { source_id: sourceId, external_id: 'pt-d', name: 'Dealer' },
    ])
    .returning('id');
  const m = await db('managers')
    .insert([
      { source_id: sourceId, external_id: 'm-1', name: 'Ivan Ivanov', email: 'ivanov@seller.test', phone: '+7 900 000-00-01', messengers: { telegram: '@ivanov' }, working_hours: 'Mon–Fri 9–18' },
      { source_id: sourceId, external_id: 'm-2', name: 'Olga Petrova', email: 'petrova@seller.test' },
    ])
    .returning('id');
  const cp = await db('counterparties')
    .insert([
      { source_id: sourceId, external_id: 'cp-a', name: 'Alpha LLC', manager_external_id: 'm-1', price_type_id: pt[0].id },
      { source_id: sourceId, external_id: 'cp-a2', name: 'Alpha Branch', head_external_id: 'cp-a', price_type_id: pt[0].id },
      { source_id: sourceId, external_id: 'cp-b', name: 'Beta JSC', manager_external_id: 'm-2', price_type_id: pt[0].id },
    ])
    .returning('id');
  const [k] = await db('contracts')
    .insert({ source_id: sourceId, external_id: 'k-a2', counterparty_id: cp[1].id, name: 'Dealer contract', price_type_id: pt[1].id })
    .returning('id');
  const cl = await db('clients')
    .insert([
      { name: 'Alpha', head_counterparty_id: cp[0].id, manager_id: m[0].id },
      { name: 'Beta', head_counterparty_id: cp[2].id, manager_id: m[1].id },
    ])
    .returning('id');
  await db('client_counterparties').insert([
    { client_id: cl[0].id, counterparty_id: cp[0].id },
    { client_id: cl[0].id, counterparty_id: cp[1].id },
    { client_id: cl[1].id, counterparty_id: cp[2].id },
  ]);
  const u = await db('users')
    .insert([
      { email: 'buyer@alpha.test', name: 'Anna Alpha', role: 'buyer', client_id: cl[0].id },
      { email: 'buyer@beta.test', name: 'Boris Beta', role: 'buyer', client_id: cl[1].id },
      { email: 'ivanov@seller.test', name: 'Ivan Ivanov', role: 'manager', manager_id: m[0].id },
      { email: 'petrova@seller.test', name: 'Olga Petrova', role: 'manager', manager_id: m[1].id },
      { email: 'admin@seller.test', name: 'Admin', role: 'admin' },
    ])
    .returning('id');
  const actor = (i: number, role: Actor['role'], clientId: number | null, managerId: number | null): Actor => ({ userId: u[i].id, role, clientId, managerId });
  return {
    sourceId,
    priceTypes: { wholesale: pt[0].id, dealer: pt[1].id },
    managers: { ivanov: m[0].id, petrova: m[1].id },
    counterparties: { alpha: cp[0].id, alphaBranch: cp[1].id, beta: cp[2].id },
    contracts: { alphaDealer: k.id },
    clients: { alpha: cl[0].id, beta: cl[1].id },
    users: {
      alphaBuyer: actor(0, 'buyer', cl[0].id, null),
      betaBuyer: actor(1, 'buyer', cl[1].id, null),
      ivanov: actor(2, 'manager', null, m[0].id),
      petrova: actor(3, 'manager', null, m[1].id),
      admin: actor(4, 'admin', null, null),
    },
  };
}
