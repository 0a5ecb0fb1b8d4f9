// Demo sign-ins for `npm start`: an admin, a manager and a buyer (the company's owner) of the
// client with the most legal entities, and two employees of that company — an accountant and a
// viewer, and a purchaser whose order over the limit waits for the owner's approval — so a newcomer can try the cabinet, the roles, the manager's desk and the console at once.
// Demo-only: the passwords are printed on the start page.
import { log } from '../infra/log.ts';
import type { Runtime } from '../infra/runtime.ts';
import { createUser, hashPassword } from '../store/accounts/users.ts';
import type { CompanyRole } from '../store/company/access.ts';
import { getSetting, setSetting } from '../store/settings/settings.ts';
import { DEMO_PURCHASER_LIMIT, ensureDemoApproval } from './approvals.ts';
import { ensureDemoQuote } from './quotes.ts';

/** The demo store's own requisites for its invoices (made up, with valid-looking numbers); an admin's own stay. */
const DEMO_SELLER = {
  name: 'ООО «Торговый дом Контрагент»', inn: '7705000005', kpp: '770501001', address: '101000, г. Москва, ул. Складская, д. 1',
  bankName: 'ПАО Сбербанк', bic: '044525225', account: '40702810400000000001', corrAccount: '30101810400000000225', vatRate: '20',
  director: 'Иванов И. И.', accountant: 'Петрова А. А.',
};

export interface DemoAccount {
  role: 'admin' | 'manager' | 'buyer';
  /** A buyer's role in the company (owner when not given). */
  companyRole?: CompanyRole;
  email: string;
  password: string;
  note: string;
}

const PASSWORD = 'demo-password';

export async function ensureDemoAccounts(rt: Runtime): Promise<DemoAccount[]> {
  const client = await rt.db('clients as c')
    .join('client_counterparties as cc', 'cc.client_id', 'c.id')
    .groupBy('c.id', 'c.name', 'c.manager_id')
    .orderByRaw('count(*) DESC, c.id')
    .first('c.id', 'c.name', 'c.manager_id', rt.db.raw('count(*)::int AS n'));
  const accounts: DemoAccount[] = [{ role: 'admin', email: 'admin@demo.local', password: PASSWORD, note: 'staff console' }];
  if (client) {
    accounts.push({ role: 'buyer', email: 'buyer@demo.local', password: PASSWORD, note: `${client.name}: ${client.n} legal entities, владелец кабинета` });
    accounts.push({ role: 'buyer', companyRole: 'accountant', email: 'accountant@demo.local', password: PASSWORD, note: `${client.name}: бухгалтер — документы, без заказов` });
    accounts.push({ role: 'buyer', companyRole: 'viewer', email: 'viewer@demo.local', password: PASSWORD, note: `${client.name}: наблюдатель — только просмотр` });
    accounts.push({ role: 'buyer', companyRole: 'buyer', email: 'purchaser@demo.local', password: PASSWORD, note: `${client.name}: закупщик, лимит ${DEMO_PURCHASER_LIMIT.replace('.00', '')} ₽ на заказ — его заказ ждёт согласования` });
    if (client.manager_id) accounts.push({ role: 'manager', email: 'manager@demo.local', password: PASSWORD, note: `manager of ${client.name}` });
  }
  for (const a of accounts) {
    const existing = await rt.db('users').whereRaw('lower(email) = ?', [a.email]).first('id', 'demo', 'disabled_at');
    if (existing && !existing.demo) throw new Error(`the user ${a.email} exists and is not the demo's: the demo does not take it over`);
    if (existing?.disabled_at) {
      // A start without --demo retired it (src/app/roles/production.ts); the demo brings it back.
      await rt.db('users').where({ id: existing.id }).update({ disabled_at: null, password_hash: await hashPassword(a.password), failed_logins: 0, locked_until: null });
    }
    const companyRole = a.companyRole ?? 'owner';
    if (existing) {
      // The demo's users get their company roles back at every start (an owner may have changed them on /company).
      if (a.role === 'buyer') await rt.db('users').where({ id: existing.id }).update({ company_role: companyRole });
      continue;
    }
    const id = await createUser(rt.db, { email: a.email, role: a.role, clientId: a.role === 'buyer' ? client!.id : null, password: a.password, name: `Demo ${a.companyRole ?? a.role}` });
    await rt.db('users').where({ id }).update({ demo: true, manager_id: a.role === 'manager' ? client!.manager_id : null, company_role: companyRole });
  }
  if (!(await getSetting(rt.db, 'invoices.seller'))) await setSetting(rt.db, 'invoices.seller', DEMO_SELLER);
  await ensureDemoQuote(rt);
  await ensureDemoApproval(rt);
  log.info({ accounts: accounts.map((a) => `${a.email} / ${a.password}`) }, 'demo sign-ins');
  return accounts;
}
