import { expect } from 'chai';
import type { Runtime } from '../../src/infra/runtime.ts';
import { seedClients } from '../../src/store/accounts/clients.ts';
import { createUser } from '../../src/store/accounts/users.ts';
import type { OutgoingMail } from '../../src/store/shared/mail-port.ts';
import { outboxLetters } from '../support/mail-outbox.ts';
import { createApp } from '../../src/web/app.ts';
import { PASSWORD, type StoreFixture, storeFixture } from '../support/mirror-fixtures.ts';
import { deleteKeys } from '../support/redis-cleanup.ts';
import { testRuntime, truncate } from '../support/runtime.ts';
import { listen, WebClient } from '../support/web-client.ts';

const main = (s: string) => s.slice(s.indexOf('<main>'), s.indexOf('</main>'));
const form = (o: Record<string, string> = {}) => ({ inn: '7707083893', kpp: '775001001', contactName: 'Анна Петрова', email: 'anna@branch.example', phone: '+7 900 123-45-67', ...o });

describe('web/register: registration by request, staff approval by INN + KPP, anonymous access', () => {
  let rt: Runtime;
  let srv: Awaited<ReturnType<typeof listen>>;
  let fx: StoreFixture;
  let ids: { head: number; branch: number; client: number; mine: number; other: number };
  const sent: OutgoingMail[] = [];

  before(async () => {
    rt = await testRuntime();
    srv = await listen(createApp(rt, [], { mail: { send: async (m) => void sent.push(m) } }));
  });
  after(() => srv.close());
  beforeEach(async () => {
    await truncate(rt, 'sources', 'users', 'clients', 'sessions', 'orders', 'outbox', 'reservations', 'registration_requests', 'mail_outbox');
    await deleteKeys(rt.redisUrl, `${rt.prefix}:register`);
    sent.length = 0;
    fx = await storeFixture(rt.db);
    // One company, two legal entities sharing an INN (head office and a branch), a manager for it and another one.
    const s = { source_id: fx.sourceId };
    const m = await rt.db('managers').insert([{ ...s, external_id: 'm-1', name: 'Иван' }, { ...s, external_id: 'm-2', name: 'Ольга' }]).returning('id');
    const cp = await rt.db('counterparties')
      .insert([
        { ...s, external_id: 'cp-s1', name: 'Сбер головной', inn: '7707083893', kpp: '773601001', manager_external_id: 'm-1' },
        { ...s, external_id: 'cp-s2', name: 'Сбер филиал', inn: '7707083893', kpp: '775001001', head_external_id: 'cp-s1' },
      ])
      .returning('id');
    await seedClients(rt.db);
    const client = (await rt.db('clients').where({ head_counterparty_id: cp[0].id }).first('id'))!.id;
    await rt.db('clients').where({ id: client }).update({ manager_id: m[0].id });
    const mine = await createUser(rt.db, { email: 'ivan@seller.test', role: 'manager', password: PASSWORD });
    const other = await createUser(rt.db, { email: 'olga@seller.test', role: 'manager', password: PASSWORD });
    await rt.db('users').where({ id: mine }).update({ manager_id: m[0].id });
    await rt.db('users').where({ id: other }).update({ manager_id: m[1].id });
    ids = { head: cp[0].id, branch: cp[1].id, client, mine, other };
  });

  const apply = async (c: WebClient, o: Record<string, string> = {}) => {
    await c.get('/register');
    return c.post('/register', form(o));
  };
  const staff = async (email: string) => {
    const c = new WebClient(srv.base);
    await c.login(email, PASSWORD);
    await c.get('/console/registrations');
    return c;
  };
  const requestId = async () => (await rt.db('registration_requests').orderBy('id', 'desc').first('id'))!.id as number;

  it('anonymous visitors see only the start, registration and sign-in pages; the rest sends them to sign in', async () => {
    const c = new WebClient(srv.base);
    for (const path of ['/', '/register', '/login', '/password/forgot']) expect((await c.get(path)).status, path).to.equal(200);
    expect((await c.get('/')).text).to.contain('href="/register"');
    for (const path of ['/catalog', '/product/1', '/cart', '/orders', '/documents', '/reservations', '/waitlist', '/news', '/messages', '/manager',
      '/console', '/console/registrations', '/admin/clients', '/pricelist.csv']) {
      const r = await c.get(path);
      expect([r.status, r.res.headers.get('location')], path).to.deep.equal([303, `/login?next=${encodeURIComponent(path)}`]);
    }
    expect((await c.post('/register', form(), { csrf: null })).status).to.equal(403); // CSRF as every form
  });

  it('checks the form (INN checksum, KPP, e-mail, phone), 422 naming each field; a good one is stored once', async () => {
    const c = new WebClient(srv.base);
    const bad = await apply(c, { inn: '7707083894', email: 'nope', phone: '12' });
    expect(bad.status).to.equal(422);
    expect(main(bad.text)).to.contain('ИНН 7707083894 не проходит проверку контрольных цифр').and.contain('не похож на адрес электронной почты')
      .and.contain('Укажите телефон').and.contain('value="Анна Петрова"');
    const noKpp = await c.post('/register', form({ kpp: '' }));
    expect([noKpp.status, main(noKpp.text).includes('Укажите КПП организации')]).to.deep.equal([422, true]);
    const ok = await c.post('/register', form());
    expect(ok.status).to.equal(200);
    expect(main(ok.text)).to.match(/Заявка № \d+ принята/);
    expect(await rt.db('registration_requests').select('inn', 'kpp', 'contact_name', 'email', 'phone', 'state')).to.deep.equal([
      { inn: '7707083893', kpp: '775001001', contact_name: 'Анна Петрова', email: 'anna@branch.example', phone: '+7 900 123-45-67', state: 'pending' },
    ]);
    const again = await c.post('/register', form());
    expect([again.status, main(again.text).includes('уже подана')]).to.deep.equal([409, true]);
  });

  it('rate-limits the form like sign-in: the 6th application from one address in an hour is a 429', async () => {
    const c = new WebClient(srv.base);
    await c.get('/register');
    for (let i = 0; i < 5; i++) expect((await c.post('/register', form({ email: `a${i}@x.example` }))).status).to.equal(200);
    const sixth = await c.post('/register', form({ email: 'a9@x.example' }));
    expect(sixth.status).to.equal(429);
    expect(main(sixth.text)).to.contain('Слишком много заявок');
    expect(Number((await rt.db('registration_requests').count({ n: '*' }).first())!.n)).to.equal(5);
  });

  it('the client’s manager approves: linked by INN + KPP (the branch), invited with a one-time link that signs in for that entity', async () => {
    await apply(new WebClient(srv.base));
    const id = await requestId();
    // the client's manager is told (not the other manager, not the admin), written with the request to the mail outbox
    const told = await outboxLetters(rt.db);
    expect(told.map((m) => [m.to, m.subject])).to.deep.equal([['ivan@seller.test', `Заявка на подключение № ${id}: ИНН 7707083893`]]);
    expect(told[0]!.text).to.contain('Контакт: Анна Петрова, anna@branch.example, +7 900 123-45-67').and.contain('Контрагент: Сбер филиал (кабинет «Сбер головной»)').and.contain('/console/registrations');
    expect(sent, 'nothing went straight to the queue').to.have.length(0);
    // another manager neither sees nor decides it
    const olga = await staff('olga@seller.test');
    expect(main((await olga.get('/console/registrations')).text)).to.not.contain('anna@branch.example');
    expect((await olga.post(`/console/registrations/${id}/approve`, {})).status).to.equal(404); // not confirmed to exist
    expect((await olga.post(`/console/registrations/${id}/reject`, { reply: 'нет' })).status).to.equal(404);
    expect((await rt.db('registration_requests').where({ id }).first())!.state).to.equal('pending');
    // a buyer may not
    const buyer = new WebClient(srv.base);
    await buyer.login(fx.emails.a, PASSWORD);
    expect((await buyer.get('/console/registrations')).status).to.equal(403);

    const ivan = await staff('ivan@seller.test');
    const list = main((await ivan.get('/console/registrations')).text);
    expect(list).to.contain('anna@branch.example').and.contain('Сбер филиал (КПП 775001001) — клиент Сбер головной');
    const r = await ivan.post(`/console/registrations/${id}/approve`, {});
    expect(r.status).to.equal(303);
    expect((await ivan.get('/console/registrations')).text).to.contain(`Заявка № ${id} одобрена, приглашение отправлено на anna@branch.example.`);
    const user = await rt.db('users').where({ email: 'anna@branch.example' }).first('id', 'role', 'client_id', 'current_counterparty_id', 'name');
    expect(user).to.deep.include({ role: 'buyer', client_id: ids.client, current_counterparty_id: ids.branch, name: 'Анна Петрова' });
    expect(await rt.db('registration_requests').where({ id }).first('state', 'counterparty_id', 'client_id', 'user_id', 'decided_by')).to.deep.equal({
      state: 'approved', counterparty_id: ids.branch, client_id: ids.client, user_id: user!.id, decided_by: ids.mine,
    });
    // the one-time link goes straight out (never stored in the outbox)
    expect(sent).to.have.length(1);
    expect(await outboxLetters(rt.db, 'registration-approved-%')).to.deep.equal([]);
    expect(sent[0]).to.deep.include({ to: 'anna@branch.example', subject: 'Counterpart: заявка одобрена — приглашение в личный кабинет' });
    const token = sent[0]!.text.match(/\/password\/set\/([\w-]+)/)![1]!;
    // the invitation is the admin's invitation: the same password page, then signed in for the branch
    const anna = new WebClient(srv.base);
    await anna.get(`/password/set/${token}`);
    expect((await anna.post(`/password/set/${token}`, { password: 'a new long password', password2: 'a new long password' })).status).to.equal(303);
    expect((await anna.get('/catalog')).text).to.match(/<option value="\d+" selected>Сбер филиал/);
    // decided once
    await ivan.post(`/console/registrations/${id}/reject`, { reply: 'поздно' });
    expect((await ivan.get('/console/registrations')).text).to.contain(`Заявка № ${id} уже одобрена.`);
  });

  it('the role on approval: owner for a cabinet without one; into a cabinet with an owner a buyer of the matched entity only, unless staff choose', async () => {
    const ivan = await staff('ivan@seller.test');
    const approveNext = async (email: string, body: Record<string, string>) => {
      await apply(new WebClient(srv.base), { email });
      const id = await requestId();
      return { id, r: await ivan.post(`/console/registrations/${id}/approve`, body) };
    };
    const user = (email: string) => rt.db('users').where({ email }).first('id', 'company_role', 'all_counterparties');
    const grants = async (email: string) => rt.db('user_counterparties').where({ user_id: (await user(email))!.id }).pluck('counterparty_id');
    // a cabinet nobody uses yet: the page offers owner, the first contact becomes the owner
    await apply(new WebClient(srv.base), { email: 'first@branch.example' });
    expect((await ivan.get('/console/registrations')).text).to.match(/<option value="owner" selected>владелец<\/option>/);
    await ivan.post(`/console/registrations/${await requestId()}/approve`, {});
    expect(await user('first@branch.example')).to.deep.include({ company_role: 'owner', all_counterparties: true });
    // now the cabinet has an owner: a stranger knowing the INN + KPP is a buyer of the branch, not an owner
    await apply(new WebClient(srv.base), { email: 'second@branch.example' });
    const page = (await ivan.get('/console/registrations')).text;
    expect(page).to.match(/<option value="buyer" selected>закупщик<\/option>/);
    await ivan.post(`/console/registrations/${await requestId()}/approve`, {});
    expect(await user('second@branch.example')).to.deep.include({ company_role: 'buyer', all_counterparties: false });
    expect((await grants('second@branch.example')).map(Number)).to.deep.equal([ids.branch]);
    expect((await ivan.get('/console/registrations')).text).to.contain('Роль: закупщик; юрлицо: Сбер филиал');
    // staff choose: a viewer; a bad role approves nothing
    const bad = await approveNext('third@branch.example', { companyRole: 'root' });
    expect(bad.r.status).to.equal(303);
    expect((await rt.db('registration_requests').where({ id: bad.id }).first('state'))!.state).to.equal('pending');
    expect(await user('third@branch.example')).to.equal(undefined);
    await ivan.post(`/console/registrations/${bad.id}/approve`, { companyRole: 'viewer' });
    expect(await user('third@branch.example')).to.deep.include({ company_role: 'viewer', all_counterparties: false });
  });

  it('an admin rejects with a reply the applicant gets by e-mail; without a matching counterparty approval is refused', async () => {
    await apply(new WebClient(srv.base), { inn: '7736207543', kpp: '770401001' }); // no such counterparty in the mirror
    const id = await requestId();
    // nobody's client: the admins are told
    const told = await outboxLetters(rt.db);
    expect(told.map((m) => m.to)).to.deep.equal([fx.emails.admin]);
    expect(told[0]!.text).to.contain('в учётной системе нет контрагента с этими ИНН и КПП');
    const admin = await staff(fx.emails.admin);
    expect(main((await admin.get('/console/registrations')).text)).to.contain('не найден — одобрить нельзя');
    await admin.post(`/console/registrations/${id}/approve`, {});
    expect((await admin.get('/console/registrations')).text).to.contain('В учётной системе нет контрагента с ИНН 7736207543 и КПП 770401001');
    await admin.post(`/console/registrations/${id}/reject`, { reply: '' });
    expect((await admin.get('/console/registrations')).text).to.contain('Напишите заявителю, почему заявка отклонена');
    await admin.post(`/console/registrations/${id}/reject`, { reply: 'Компания не является нашим клиентом.' });
    expect((await admin.get('/console/registrations')).text).to.contain(`Заявка № ${id} отклонена, ответ отправлен на anna@branch.example.`);
    // the reply is written with the rejection to the mail outbox
    const reply = await outboxLetters(rt.db, 'registration-rejected-%');
    expect(reply.map((m) => [m.key, m.to, m.subject])).to.deep.equal([[`registration-rejected-${id}`, 'anna@branch.example', 'Counterpart: ответ на заявку о регистрации']]);
    expect(reply[0]!.text).to.contain('Компания не является нашим клиентом.');
    expect(sent).to.have.length(0);
    expect(await rt.db('users').where({ email: 'anna@branch.example' }).first()).to.equal(undefined);
  });
});
