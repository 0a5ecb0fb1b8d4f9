// /company (the owner) and /manager/clients/:id/company (staff): list, invite by e-mail with a
// set-password link, change role / entities / limits, revoke (the session ends at once),
// restore; another client's, another employee's and another role's ids.
import { expect } from 'chai';
import { createUser } from '../../src/store/accounts/users.ts';
import type { OutgoingMail } from '../../src/store/shared/mail-port.ts';
import { createApp } from '../../src/web/app.ts';
import { PASSWORD } from '../support/mirror-fixtures.ts';
import { WebClient } from '../support/web-client.ts';
import { useWorld } from '../support/world.ts';

describe('web/company: employees, roles, legal entities, limits, invitations', () => {
  const sent: OutgoingMail[] = [];
  const w = useWorld({ staff: true, app: (rt) => createApp(rt, [], { mail: { send: async (m) => void sent.push(m) } }) });
  beforeEach(() => {
    sent.length = 0;
  });

  const invite = (c: WebClient, form: Record<string, string | string[]>, base = '/company') => {
    const body = new URLSearchParams();
    for (const [k, v] of Object.entries(form)) for (const x of ([] as string[]).concat(v)) body.append(k, x);
    body.set('_csrf', c.csrf);
    return fetch(`${c.base}${base}/invite`, {
      method: 'POST', redirect: 'manual', body,
      headers: { cookie: [...c.cookies].map(([k, v]) => `${k}=${v}`).join('; '), 'content-type': 'application/x-www-form-urlencoded' },
    }).then(async (r) => ({ status: r.status, location: r.headers.get('location'), text: await r.text() }));
  };
  const user = (email: string) => w.rt.db('users').whereRaw('lower(email) = ?', [email]).first();

  it('the owner invites an accountant for one entity with limits; the link sets a password; the employee sees only that entity', async () => {
    const owner = await w.signIn('a');
    const page = await owner.get('/company');
    expect(page.status).to.equal(200);
    expect(page.text).to.contain('Сотрудники компании').and.to.contain('buyer@alpha.test').and.to.contain('владелец');
    expect((await owner.get('/catalog')).text).to.contain('href="/company"');

    const r = await invite(owner, {
      email: 'Anna@Alpha.test', name: 'Анна Бухгалтер', companyRole: 'accountant', scope: 'listed',
      counterpartyIds: [String(w.fx.cp.aChild)], orderLimit: '150 000,5', monthlyLimit: '1000000',
    });
    expect([r.status, r.location]).to.deep.equal([303, '/company']);
    const row = (await user('anna@alpha.test'))!;
    expect(row).to.include({ role: 'buyer', company_role: 'accountant', all_counterparties: false, order_limit: '150000.50', monthly_limit: '1000000.00', password_hash: null });
    expect(Number(row.client_id)).to.equal(w.fx.clients.a);
    expect(Number(row.invited_by)).to.equal(w.fx.users.a);
    expect((await w.rt.db('user_counterparties').where({ user_id: row.id }).select('counterparty_id')).map((x) => Number(x.counterparty_id))).to.deep.equal([w.fx.cp.aChild]);
    const list = await owner.get('/company');
    expect(list.text).to.contain('Приглашение отправлено на Anna@Alpha.test.').and.to.contain('приглашён, пароль не задан').and.to.contain('150\u00a0000,50');

    expect(sent).to.have.length(1);
    expect(sent[0]!.to).to.equal('Anna@Alpha.test');
    expect(sent[0]!.subject).to.equal('Приглашение в кабинет компании Alpha LLC');
    expect(sent[0]!.text).to.contain('(роль: бухгалтер)');
    const link = sent[0]!.text.match(/https?:\/\/\S+(\/password\/set\/\S+)/)![1]!;
    const anna = new WebClient(w.base);
    const form = await anna.get(link);
    expect(form.status).to.equal(200);
    const set = await anna.post(link, { password: 'new password 1', password2: 'new password 1' });
    expect(set.status).to.equal(303);
    const catalog = await anna.get('/catalog');
    expect(catalog.status).to.equal(200);
    expect(catalog.text).to.contain('Alpha North LLC · 7701000002').and.not.to.contain('7701000001');
    expect(catalog.text).not.to.contain('action="/cart/add"');
    expect((await anna.get('/documents')).status).to.equal(200);
    expect((await anna.get('/company')).status).to.equal(403);
  });

  it('changes take effect on the next request; revoking ends the session at once; restoring gives access back', async () => {
    const emp = await createUser(w.rt.db, { email: 'emp@alpha.test', role: 'buyer', clientId: w.fx.clients.a, password: PASSWORD });
    await w.rt.db('users').where({ id: emp }).update({ company_role: 'buyer' });
    const owner = await w.signIn('a');
    const employee = await w.signIn('emp@alpha.test');
    expect((await employee.post('/cart/add', { offerId: String(w.fx.offers[2]), qty: '1' }, { headers: { 'hx-request': 'true' } })).status).to.equal(200);

    await owner.get('/company');
    const change = await owner.post(`/company/employees/${emp}`, { companyRole: 'viewer', scope: 'all', orderLimit: '', monthlyLimit: '' });
    expect(change.status).to.equal(303);
    expect(await user('emp@alpha.test')).to.include({ company_role: 'viewer', order_limit: null });
    const refused = await employee.post('/cart/add', { offerId: String(w.fx.offers[2]), qty: '1' });
    expect(refused.status).to.equal(403);
    expect(refused.text).to.contain('Ваша роль в компании (наблюдатель) не позволяет оформлять заказы и резервы.');

    await owner.get('/company');
    expect((await owner.post(`/company/employees/${emp}/revoke`, {})).status).to.equal(303);
    expect(Number((await w.rt.db('sessions').whereRaw(`sess->>'userId' = ?`, [String(emp)]).count<{ n: string }[]>('* as n'))[0]!.n)).to.equal(0);
    const after = await employee.get('/catalog');
    expect(after.status).to.equal(303);
    expect(after.res.headers.get('location')).to.match(/^\/login/);
    const again = new WebClient(w.base);
    await again.get('/login');
    expect((await again.post('/login', { email: 'emp@alpha.test', password: PASSWORD })).status).not.to.equal(303);
    expect((await owner.get('/company')).text).to.contain('доступ отозван');

    expect((await owner.post(`/company/employees/${emp}/restore`, {})).status).to.equal(303);
    await again.login('emp@alpha.test', PASSWORD);
    expect((await again.get('/orders')).status).to.equal(200);
  });

  it('another client’s employee, entity or a malformed id is a 404 and changes nothing', async () => {
    const owner = await w.signIn('a');
    await owner.get('/company');
    for (const path of [`/company/employees/${w.fx.users.b}`, `/company/employees/${w.fx.users.b}/revoke`, `/company/employees/${w.fx.users.b}/restore`, `/company/employees/${w.fx.users.b}/reinvite`, `/company/employees/${w.fx.staff.ivanov}`, '/company/employees/1e3', '/company/employees/99999999999999999999']) {
      const r = await owner.post(path, { companyRole: 'viewer', scope: 'all' });
      expect([path, r.status]).to.deep.equal([path, 404]);
    }
    expect(await user('buyer@beta.test')).to.include({ company_role: 'owner', disabled_at: null });
    // Granting an entity of another client, to a new or an existing employee.
    const r = await invite(owner, { email: 'x@alpha.test', companyRole: 'buyer', scope: 'listed', counterpartyIds: [String(w.fx.cp.bHead)] });
    expect(r.status).to.equal(404);
    expect(await user('x@alpha.test')).to.equal(undefined);
    const emp = await createUser(w.rt.db, { email: 'emp@alpha.test', role: 'buyer', clientId: w.fx.clients.a });
    const bad = await owner.post(`/company/employees/${emp}`, { companyRole: 'buyer', scope: 'listed', counterpartyIds: 'abc' });
    expect(bad.status).to.equal(404);
    expect(await w.rt.db('user_counterparties').where({ user_id: emp })).to.deep.equal([]);
  });

  it('only the owner (and staff) manage the company: a buyer, an accountant and a viewer get 403', async () => {
    for (const role of ['buyer', 'accountant', 'viewer'] as const) {
      const id = await createUser(w.rt.db, { email: `${role}-emp@alpha.test`, role: 'buyer', clientId: w.fx.clients.a, password: PASSWORD });
      await w.rt.db('users').where({ id }).update({ company_role: role });
      const c = await w.signIn(`${role}-emp@alpha.test`);
      const page = await c.get('/company');
      expect(page.status).to.equal(403);
      expect(page.text).to.contain('Сотрудниками компании управляет владелец кабинета.');
      expect((await c.get('/catalog')).text).not.to.contain('href="/company"');
      expect((await invite(c, { email: 'y@alpha.test', companyRole: 'owner', scope: 'all' })).status).to.equal(403);
      expect((await c.post(`/company/employees/${id}`, { companyRole: 'owner', scope: 'all' })).status).to.equal(403);
      expect((await c.post(`/company/employees/${w.fx.users.a}/revoke`, {})).status).to.equal(403);
    }
    expect(await user('y@alpha.test')).to.equal(undefined);
    expect(await user('buyer@alpha.test')).to.include({ disabled_at: null });
    expect(await user('viewer-emp@alpha.test')).to.include({ company_role: 'viewer' });
  });

  it('refusals are shown on the page: a bad limit, no entity ticked, an e-mail taken, the owner’s own role, revoking oneself, the last owner', async () => {
    const owner = await w.signIn('a');
    await owner.get('/company');
    const limit = await invite(owner, { email: 'l@alpha.test', companyRole: 'buyer', scope: 'all', orderLimit: '-5' });
    expect(limit.status).to.equal(422);
    expect(limit.text).to.contain('Лимит на заказ: укажите сумму в рублях').and.to.contain('value="l@alpha.test"');
    const none = await invite(owner, { email: 'n@alpha.test', companyRole: 'buyer', scope: 'listed' });
    expect(none.status).to.equal(422);
    expect(none.text).to.contain('Отметьте юрлица');
    const taken = await invite(owner, { email: 'BUYER@beta.test', companyRole: 'buyer', scope: 'all' });
    expect(taken.status).to.equal(409);
    expect(taken.text).to.contain('Пользователь с почтой BUYER@beta.test уже есть.');
    const role = await invite(owner, { email: 'r@alpha.test', companyRole: 'boss', scope: 'all' });
    expect(role.status).to.equal(422);
    expect(sent).to.have.length(0);

    const self = await owner.post(`/company/employees/${w.fx.users.a}`, { companyRole: 'viewer', scope: 'all' });
    expect(self.status).to.equal(409);
    expect(self.text).to.contain('Свою роль поменять нельзя');
    // The own limits can change (the role stays).
    expect((await owner.post(`/company/employees/${w.fx.users.a}`, { companyRole: 'owner', scope: 'all', orderLimit: '5000' })).status).to.equal(303);
    const revokeSelf = await owner.post(`/company/employees/${w.fx.users.a}/revoke`, {});
    expect(revokeSelf.status).to.equal(409);
    expect(await user('buyer@alpha.test')).to.include({ company_role: 'owner', disabled_at: null, order_limit: '5000.00' });

    // Staff cannot take the last owner away either.
    const ivanov = await w.signIn('ivanov');
    await ivanov.get(`/manager/clients/${w.fx.clients.a}/company`);
    const last = await ivanov.post(`/manager/clients/${w.fx.clients.a}/company/employees/${w.fx.users.a}`, { companyRole: 'buyer', scope: 'all' });
    expect(last.status).to.equal(409);
    expect(last.text).to.contain('хотя бы один владелец');
  });

  it('staff: the client’s manager and an admin see and edit the same page; another manager gets 404; a buyer 403', async () => {
    const base = `/manager/clients/${w.fx.clients.a}/company`;
    const ivanov = await w.signIn('ivanov');
    const page = await ivanov.get(base);
    expect(page.status).to.equal(200);
    expect(page.text).to.contain('buyer@alpha.test').and.not.to.contain('buyer@beta.test');
    const r = await invite(ivanov, { email: 'second@alpha.test', companyRole: 'owner', scope: 'all' }, base);
    expect([r.status, r.location]).to.deep.equal([303, base]);
    expect(sent[0]!.text).to.contain('Ivan Ivanov приглашает вас в кабинет компании Alpha LLC (роль: владелец)');
    const second = (await user('second@alpha.test'))!;
    expect(second).to.include({ company_role: 'owner', invited_by: null });
    // With a second owner, staff may make the first one a buyer.
    expect((await ivanov.post(`${base}/employees/${w.fx.users.a}`, { companyRole: 'buyer', scope: 'all' })).status).to.equal(303);
    expect(await user('buyer@alpha.test')).to.include({ company_role: 'buyer' });
    // A new link for an invitation not yet accepted; the first link stops working.
    const first = sent[0]!.text.match(/\/password\/set\/\S+/)![0];
    expect((await ivanov.post(`${base}/employees/${second.id}/reinvite`, {})).status).to.equal(303);
    expect(sent).to.have.length(2);
    expect((await new WebClient(w.base).get(first)).status).to.equal(410);
    expect((await new WebClient(w.base).get(sent[1]!.text.match(/\/password\/set\/\S+/)![0])).status).to.equal(200);

    const petrova = await w.signIn('petrova');
    expect((await petrova.get(base)).status).to.equal(404);
    await petrova.get(`/manager/clients/${w.fx.clients.b}/company`);
    expect((await petrova.post(`${base}/employees/${w.fx.users.a}/revoke`, {})).status).to.equal(404);
    expect((await petrova.get(`/manager/clients/${w.fx.clients.b}/company`)).status).to.equal(200);
    // The manager's page of client B cannot reach client A's employee.
    expect((await petrova.post(`/manager/clients/${w.fx.clients.b}/company/employees/${w.fx.users.a}/revoke`, {})).status).to.equal(404);
    expect(await user('buyer@alpha.test')).to.include({ disabled_at: null });

    const admin = await w.signIn('admin');
    expect((await admin.get(base)).status).to.equal(200);
    expect((await admin.get('/manager/clients/99999/company')).status).to.equal(404);
    const buyer = await w.signIn('b');
    expect((await buyer.get(base)).status).to.equal(403);
  });

  it('a form without the CSRF token is refused', async () => {
    const owner = await w.signIn('a');
    const r = await owner.post('/company/invite', { email: 'c@alpha.test', companyRole: 'buyer', scope: 'all' }, { csrf: null });
    expect(r.status).to.equal(403);
    expect(await user('c@alpha.test')).to.equal(undefined);
  });
});
