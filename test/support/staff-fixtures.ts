// storeFixture plus what news, messaging and the console need: two managers from the
// accounting system (Alpha's and Beta's), a signed-in-able staff user for each.
import type { Db } from '../../src/infra/db/knex.ts';
import { refreshClientManagers } from '../../src/store/accounts/managers.ts';
import { createUser } from '../../src/store/accounts/users.ts';
import { PASSWORD, type StoreFixture, storeFixture } from './mirror-fixtures.ts';

export { PASSWORD };

export interface StaffFixture extends StoreFixture {
  managers: { ivanov: number; petrova: number };
  staff: { ivanov: number; petrova: number };
  staffEmails: { ivanov: string; petrova: string };
}

export async function staffFixture(db: Db): Promise<StaffFixture> {
  const fx = await storeFixture(db);
  const [iv, pe] = await db('managers')
    .insert([
      { source_id: fx.sourceId, external_id: 'm-1', name: 'Ivan Ivanov', email: 'ivanov@seller.test', phone: '+7 900 000-00-01', messengers: { telegram: '@ivanov' }, working_hours: 'Mon–Fri 9:00–18:00' },
      { source_id: fx.sourceId, external_id: 'm-2', name: 'Olga Petrova', email: 'petrova@seller.test' },
    ])
    .returning('id');
  await db('counterparties').where({ id: fx.cp.aHead }).update({ manager_external_id: 'm-1' });
  await db('counterparties').where({ id: fx.cp.bHead }).update({ manager_external_id: 'm-2' });
  await refreshClientManagers(db);
  const staffEmails = { ivanov: 'ivanov@seller.test', petrova: 'petrova@seller.test' };
  const ivanov = await createUser(db, { email: staffEmails.ivanov, role: 'manager', name: 'Ivan Ivanov', password: PASSWORD });
  const petrova = await createUser(db, { email: staffEmails.petrova, role: 'manager', name: 'Olga Petrova', password: PASSWORD });
  await db('users').where({ id: ivanov }).update({ manager_id: iv.id });
  await db('users').where({ id: petrova }).update({ manager_id: pe.id });
  return { ...fx, managers: { ivanov: iv.id, petrova: pe.id }, staff: { ivanov, petrova }, staffEmails };
}
