// Demo sign-ins for `npm start`: an admin, a manager and a buyer (the company's owner) of the
// client with the most legal entities, and two employees of that company — an accountant and a
// viewer, and a purchaser whose order over the limit waits for the owner's approval — so a newcomer can try the cabinet, the roles, the manager's desk and the console at once.
// Demo-only: the passwords are printed on the start page.
import { key } from '../infra/i18n/index.ts';
import { formats, storeCurrency } from '../infra/intl.ts';
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
  /** What the account shows: a catalog key (home.demo.notes.*) and its values, said in the page's language. */
  note: { key: string; values?: Record<string, unknown> };
}

const PASSWORD = 'demo-password';

export async function ensureDemoAccounts(rt: Runtime): Promise<DemoAccount[]> {
  const client = await rt.db('clients as c')
    .join('client_counterparties as cc', 'cc.client_id', 'c.id')
    .groupBy('c.id', 'c.name', 'c.manager_id')
    .orderByRaw('count(*) DESC, c.id')
    .first('c.id', 'c.name', 'c.manager_id', rt.db.raw('count(*)::int AS n'));
  const accounts: DemoAccount[] = [{ role: 'admin', email: 'admin@demo.local', password: PASSWORD, note: { key: key('home.demo.notes.admin') } }];
  if (client) {
    accounts.push({ role: 'buyer', email: 'buyer@demo.local', password: PASSWORD, note: { key: key('home.demo.notes.owner'), values: { client: client.name, count: client.n } } });
    accounts.push({ role: 'buyer', companyRole: 'accountant', email: 'accountant@demo.local', password: PASSWORD, note: { key: key('home.demo.notes.accountant'), values: { client: client.name } } });
    accounts.push({ role: 'buyer', companyRole: 'viewer', email: 'viewer@demo.local', password: PASSWORD, note: { key: key('home.demo.notes.viewer'), values: { client: client.name } } });
    accounts.push({ role: 'buyer', companyRole: 'buyer', email: 'purchaser@demo.local', password: PASSWORD, note: { key: key('home.demo.notes.purchaser'), values: { client: client.name, limit: formats().money(DEMO_PURCHASER_LIMIT, storeCurrency()) } } });
    if (client.manager_id) accounts.push({ role: 'manager', email: 'manager@demo.local', password: PASSWORD, note: { key: key('home.demo.notes.manager'), values: { client: client.name } } });
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
