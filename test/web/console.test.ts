import { expect } from 'chai';
import { recentExchanges } from '../../connectors/commerceml/index.ts';
import { queueBoard } from '../../src/app/roles/console-services.ts';
import { getQueue } from '../../src/infra/queue/connection.ts';
import type { Runtime } from '../../src/infra/runtime.ts';
import { DEFAULT_RESERVATION_PERIOD_HOURS, reservationSettings } from '../../src/store/reservations/settings.ts';
import { getSetting } from '../../src/store/settings/settings.ts';
import type { OutgoingMail } from '../../src/store/shared/mail-port.ts';
import { createApp } from '../../src/web/app.ts';
import { deleteKeys } from '../support/redis-cleanup.ts';
import { testRuntime, truncate } from '../support/runtime.ts';
import { PASSWORD, type StaffFixture, staffFixture } from '../support/staff-fixtures.ts';
import { listen, WebClient } from '../support/web-client.ts';

const PAGES = ['/console', '/console/sources', '/console/sources/runs', '/console/news', '/console/news/new', '/console/clients', '/console/settings', '/console/queues', '/console/queues/api/queues', '/console/anything'];
const ADMIN_ONLY = ['/console/clients', '/console/settings', '/console/queues', '/console/queues/api/queues'];

describe('web/console: staff console', () => {
  let rt: Runtime;
  let srv: Awaited<ReturnType<typeof listen>>;
  let fx: StaffFixture;
  const sent: OutgoingMail[] = [];
  let savedSettings: { key: string; value: unknown }[] = [];
  const as = async (email: string) => {
    const c = new WebClient(srv.base);
    await c.login(email, PASSWORD);
    return c;
  };

  before(async () => {
    rt = await testRuntime();
    const services = {
      checkMapping: async (id: number, o: { dryRun: boolean }) => ({ ok: !o.dryRun, lines: [`source ${id}: mapping <ok>`, o.dryRun ? 'prices: 3 unknown offers' : 'all entities mapped'] }),
      exchanges: (id: number) => recentExchanges(rt.db, id),
      queueBoard: queueBoard(rt),
    };
    srv = await listen(createApp(rt, [], { mail: { send: async (m) => void sent.push(m) }, console: services }));
    savedSettings = await rt.db('settings').select('key', 'value');
  });
  after(async () => {
    await srv.close();
    // other suites read settings (the reservation period): leave them as found
    await truncate(rt, 'settings');
    for (const r of savedSettings) await rt.db('settings').insert({ key: r.key, value: JSON.stringify(r.value) });
  });
  beforeEach(async () => {
    await truncate(rt, 'sources', 'users', 'clients', 'sessions', 'news');
    await rt.db('settings').whereIn('key', ['reservations.period_hours', 'warehouses.commission_overrides', 'news.audiences']).delete();
    await deleteKeys(rt.redisUrl, `${rt.prefix}:login`);
    sent.length = 0;
    fx = await staffFixture(rt.db);
  });

  it('refuses every console page to buyers (403) and sends anonymous visitors to sign in', async () => {
    const buyer = await as(fx.emails.a);
    for (const p of PAGES) {
      const r = await buyer.get(p);
      expect(r.status, p).to.equal(403);
      expect(r.text, p).not.to.contain('Запустить полную синхронизацию');
    }
    const post = await buyer.post(`/console/sources/${fx.sourceId}/run`, { mode: 'full' });
    expect(post.status).to.equal(403);
    const anon = new WebClient(srv.base);
    for (const p of PAGES) expect((await anon.get(p)).status, p).to.equal(303);
  });

  it('shows managers their part and admins everything', async () => {
    const manager = await as(fx.staffEmails.ivanov);
    for (const p of PAGES) {
      const r = await manager.get(p);
      const expected = p === '/console' ? 303 : p === '/console/anything' ? 404 : ADMIN_ONLY.includes(p) ? 403 : 200;
      expect(r.status, p).to.equal(expected);
    }
    expect((await manager.get('/console/sources')).text).not.to.contain('Запустить полную синхронизацию');
    const admin = await as(fx.emails.admin);
    for (const p of ['/console/sources', '/console/news', '/console/clients', '/console/settings', '/console/queues']) expect((await admin.get(p)).status, p).to.equal(200);
    expect((await admin.get('/console/queues')).text).to.match(/<base href="\/console\/queues\//);
    const api = await admin.get('/console/queues/api/queues');
    expect(JSON.parse(api.text).queues.map((q: { name: string }) => q.name)).to.include.members(['sync.full', 'sync.changes', 'mail.send']);
  });

  it('answers 404 for the queue board in a process that wires none (the web builds no BullMQ board itself)', async () => {
    const bare = await listen(createApp(rt));
    try {
      const admin = new WebClient(bare.base);
      await admin.login(fx.emails.admin, PASSWORD);
      expect((await admin.get('/console/queues')).status).to.equal(404);
      expect((await admin.get('/console/queues/api/queues')).status).to.equal(404);
    } finally {
      await bare.close();
    }
  });

  it('lists sources with the progress of a running sync, and queues "run full / changes now"', async () => {
    const [run] = await rt.db('sync_runs').insert({ source_id: fx.sourceId, kind: 'full', mode: 'full', progress: { done: 30, total: 120, message: 'prices' } }).returning('id');
    await rt.db('sync_runs').insert({ source_id: fx.sourceId, kind: 'changes', mode: 'delta', state: 'failed', error: 'SOAP fault: timeout', started_at: new Date(Date.now() - 60_000) });
    const admin = await as(fx.emails.admin);
    const page = await admin.get('/console/sources');
    expect(page.text).to.contain('data-pct="25"').and.contain('30 / 120 prices').and.contain('SOAP fault: timeout');
    expect(page.text).to.contain('hx-trigger="every 1s"');
    await rt.db('sync_runs').where({ id: run.id }).update({ progress: { done: 90, total: 120 } });
    expect((await admin.get('/console/sources/runs', { 'hx-request': 'true' })).text).to.contain('data-pct="75"');

    const queues = [getQueue(rt, 'sync.full'), getQueue(rt, 'sync.changes')];
    for (const q of queues) await q.obliterate({ force: true });
    expect((await admin.post(`/console/sources/${fx.sourceId}/run`, { mode: 'full' })).status).to.equal(303);
    await admin.post(`/console/sources/${fx.sourceId}/run`, { mode: 'full' }); // deduplicated while waiting
    await admin.post(`/console/sources/${fx.sourceId}/run`, { mode: 'changes' });
    const jobs = (await Promise.all(queues.map((q) => q.getJobs(['waiting', 'delayed', 'prioritized'])))).flat();
    expect(jobs.map((j) => [j.name, j.data]).sort()).to.deep.equal([
      ['sync.changes', { source: 'main' }],
      ['sync.full', { source: 'main' }],
    ]);
    for (const q of queues) await q.obliterate({ force: true });
  });

  it('validates and dry-runs a mapping through the wired service, escaping the report', async () => {
    const admin = await as(fx.emails.admin);
    await admin.get('/console/sources');
    const v = await admin.post(`/console/sources/${fx.sourceId}/mapping`, { action: 'validate' }, { headers: { 'hx-request': 'true' } });
    expect(v.text).to.contain('Проверка: всё в порядке').and.contain(`source ${fx.sourceId}: mapping &lt;ok&gt;`);
    const d = await admin.post(`/console/sources/${fx.sourceId}/mapping`, { action: 'dry-run' });
    expect(d.text).to.contain('Пробный прогон: найдены проблемы').and.contain('prices: 3 unknown offers');
  });

  it('marks an exchange, its file and its sync run whose catalog data was all dropped', async () => {
    const [cml] = await rt.db('sources').insert({ name: 'cml', kind: 'commerceml', title: '1C exchange' }).returning('id');
    const [bad, good] = await rt.db('commerceml_sessions')
      .insert([
        { source_id: cml.id, type: 'catalog', token: 'c'.repeat(48), sessid: 's3', state: 'completed', created_at: new Date(Date.now() - 3_600_000) },
        { source_id: cml.id, type: 'catalog', token: 'd'.repeat(48), sessid: 's4' },
      ])
      .returning('id');
    const [run] = await rt.db('sync_runs')
      .insert({ source_id: cml.id, kind: 'commerceml', mode: 'delta', state: 'succeeded', finished_at: new Date(),
        warnings: JSON.stringify([{ entity: 'catalog', message: 'offers.xml: nothing of its catalog data was applied — offers 14 dropped', count: 1, dropped: true }]) })
      .returning('id');
    const [fine] = await rt.db('sync_runs').insert({ source_id: cml.id, kind: 'commerceml', mode: 'delta', state: 'succeeded', finished_at: new Date() }).returning('id');
    await rt.db('commerceml_imports').insert([
      { session_id: bad.id, filename: 'offers.xml', state: 'done', message: 'warning: offers.xml: nothing…', dropped: 'offers 14 dropped (they refer to products the mirror does not have)', sync_run_id: run.id },
      { session_id: good.id, filename: 'import.xml', state: 'done', message: '12 products', data_applied: true },
    ]);
    const admin = await as(fx.emails.admin);
    const page = await admin.get('/console/sources');
    const c = page.text.split('data-source="cml"')[1]!.split('</section>')[0]!;
    const row = (attr: string) => c.split(attr)[1]!.split('</tr>')[0]!;
    expect(row(`data-exchange="${bad.id}"`)).to.contain('⚠ данные не применены').and.contain('title="offers 14 dropped (they refer to products the mirror does not have)"');
    expect(row(`data-exchange="${good.id}"`)).not.to.contain('данные не применены');
    expect(c).to.match(new RegExp(`class="run state-succeeded dropped" data-run="${run.id}"`));
    expect(row(`data-run="${run.id}"`)).to.contain('⚠ данные не применены');
    expect(row(`data-run="${fine.id}"`)).not.to.contain('данные не применены');
  });

  it('offers per source kind only what works: SOAP runs and mapping checks; CommerceML its exchanges, refusing posted actions', async () => {
    const [cml] = await rt.db('sources').insert({ name: 'cml', kind: 'commerceml', title: '1C exchange' }).returning('id');
    const [older, newer] = await rt.db('commerceml_sessions')
      .insert([
        { source_id: cml.id, type: 'catalog', token: 'a'.repeat(48), sessid: 's1', state: 'completed', created_at: new Date(Date.now() - 3_600_000), completed_at: new Date() },
        { source_id: cml.id, type: 'sale', token: 'b'.repeat(48), sessid: 's2' },
      ])
      .returning('id');
    await rt.db('commerceml_imports').insert([
      { session_id: older.id, filename: 'import.xml', state: 'done', message: '12 products' },
      { session_id: older.id, filename: 'offers.xml', state: 'failed', message: 'bad <price>' },
    ]);
    const admin = await as(fx.emails.admin);
    const page = await admin.get('/console/sources');
    const section = (name: string) => page.text.split(`data-source="${name}"`)[1]!.split('</section>')[0]!;
    expect(section('main')).to.contain('Запустить полную синхронизацию').and.contain('Запустить синхронизацию изменений').and.contain('Проверить сопоставление').and.contain('Пробный прогон');
    const c = section('cml');
    expect(c).not.to.contain('Запустить полную синхронизацию').and.not.contain('Запустить синхронизацию изменений').and.not.contain('Проверить сопоставление').and.not.contain(`/console/sources/${cml.id}/`);
    expect(c).to.contain('1С сама начинает каждый обмен');
    // newest exchange first, each with its files and their outcome (escaped)
    expect(c.indexOf(`data-exchange="${newer.id}"`)).to.be.greaterThan(-1).and.lessThan(c.indexOf(`data-exchange="${older.id}"`));
    expect(c).to.contain('import.xml').and.contain('12 products').and.contain('bad &lt;price&gt;').and.contain('нет файлов');
    expect((await admin.get('/console/sources/runs', { 'hx-request': 'true' })).text).to.contain(`data-exchange="${older.id}"`);

    const queues = [getQueue(rt, 'sync.full'), getQueue(rt, 'sync.changes')];
    for (const q of queues) await q.obliterate({ force: true });
    for (const mode of ['full', 'changes']) {
      const r = await admin.post(`/console/sources/${cml.id}/run`, { mode });
      expect(r.status, mode).to.equal(409);
      expect(r.text).to.contain('— CommerceML: обмены начинает 1С, поэтому магазин не может');
    }
    for (const action of ['validate', 'dry-run']) {
      const r = await admin.post(`/console/sources/${cml.id}/mapping`, { action }, { headers: { 'hx-request': 'true' } });
      expect(r.status, action).to.equal(409);
      expect(r.text).to.contain('поэтому магазин не может проверить его сопоставление');
    }
    for (const q of queues) expect(await q.getJobCounts('waiting', 'delayed', 'prioritized'), q.name).to.deep.equal({ waiting: 0, delayed: 0, prioritized: 0 });
    expect((await admin.post(`/console/sources/${fx.sourceId}/run`, { mode: 'changes' })).status).to.equal(303);
    for (const q of queues) await q.obliterate({ force: true });
  });

  it('writes news for an audience and refuses bad input with 422, saving nothing', async () => {
    const manager = await as(fx.staffEmails.ivanov);
    await manager.get('/console/news/new');
    const bad = await manager.post('/console/news', { kind: 'news', title: 'x', audience_mode: 'some', price_type_ids: 'abc' });
    expect(bad.status).to.equal(422);
    expect(bad.text).to.contain('«abc» — это не id');
    const ok = await manager.post('/console/news', { kind: 'sale', title: 'Dealer sale', body_md: '**-20%**', audience_mode: 'some', price_type_ids: String(fx.priceTypes.dealer), publish_at: '2026-01-01T10:00' });
    expect(ok.status).to.equal(303);
    const [n] = await rt.db('news').select('*');
    expect(n).to.include({ kind: 'sale', title: 'Dealer sale', author_user_id: fx.staff.ivanov });
    expect(n.audience).to.deep.equal({ priceTypeIds: [fx.priceTypes.dealer], counterpartyIds: [], clientIds: [] });
    expect(new Date(n.publish_at).toISOString()).to.equal('2026-01-01T07:00:00.000Z');
  });

  it('invites a user by an e-mailed one-time link, links counterparties, disables users, sets the manager', async () => {
    const admin = await as(fx.emails.admin);
    await admin.get(`/console/clients/${fx.clients.b}`);
    const inv = await admin.post(`/console/clients/${fx.clients.b}/invite`, { email: 'new@beta.test', name: 'Nina', companyRole: 'viewer' });
    expect(inv.status).to.equal(303);
    expect(sent).to.have.length(1);
    const link = /\/password\/set\/(\S+)/.exec(sent[0]!.text)!;
    expect(sent[0]!.to).to.equal('new@beta.test');
    expect((await new WebClient(srv.base).get(link[0])).status).to.equal(200);

    await admin.post(`/console/clients/${fx.clients.a}/unlink`, { counterparty_id: String(fx.cp.aChild) });
    await admin.post(`/console/clients/${fx.clients.b}/link`, { counterparty: '7701000002' }); // Alpha North by INN
    expect(await rt.db('client_counterparties').where({ client_id: fx.clients.b, counterparty_id: fx.cp.aChild }).first()).to.include({ origin: 'admin' });
    const bad = await admin.post(`/console/clients/${fx.clients.b}/link`, { counterparty: '0000' });
    expect(bad.status).to.equal(303);
    expect((await admin.get(`/console/clients/${fx.clients.b}`)).text).to.contain('Нет контрагента с внешним кодом или id «0000».');
    await admin.post(`/console/clients/${fx.clients.b}/unlink`, { counterparty_id: String(fx.cp.aChild) });
    expect(await rt.db('client_counterparties').where({ client_id: fx.clients.b, counterparty_id: fx.cp.aChild }).first()).to.equal(undefined);

    const buyerB = await as(fx.emails.b);
    await admin.post(`/console/users/${fx.users.b}/disable`, { disabled: 'true', client_id: String(fx.clients.b) });
    expect((await buyerB.get('/messages')).status).to.equal(303); // signed out
    expect((await rt.db('users').where({ id: fx.users.b }).first())!.disabled_at).to.not.equal(null);

    await admin.post(`/console/clients/${fx.clients.b}/manager`, { manager_id: String(fx.managers.ivanov) });
    expect(await rt.db('clients').where({ id: fx.clients.b }).first()).to.include({ manager_id: fx.managers.ivanov, manager_assigned: true });
    await admin.post(`/console/clients/${fx.clients.b}/manager`, { manager_id: 'auto' });
    expect(await rt.db('clients').where({ id: fx.clients.b }).first()).to.include({ manager_id: fx.managers.petrova, manager_assigned: false });
  });

  it('an admin’s invitation carries the company role the admin chose (owner preselected only for a cabinet without one); a bad role invites nobody', async () => {
    const admin = await as(fx.emails.admin);
    const page = await admin.get(`/console/clients/${fx.clients.b}`);
    // client B has its owner (buyer@beta.test): "buyer" is preselected, and the users list names roles
    expect(page.text).to.match(/<option value="buyer" selected>закупщик<\/option>/).and.contain('<td>владелец</td>');
    expect((await admin.post(`/console/clients/${fx.clients.b}/invite`, { email: 'acc@beta.test', name: 'Ада', companyRole: 'accountant' })).status).to.equal(303);
    expect(await rt.db('users').where({ email: 'acc@beta.test' }).first('company_role', 'client_id', 'all_counterparties', 'order_limit')).to.deep.equal({
      company_role: 'accountant', client_id: fx.clients.b, all_counterparties: true, order_limit: null,
    });
    expect(sent.map((m) => m.to)).to.deep.equal(['acc@beta.test']);
    const bad = await admin.post(`/console/clients/${fx.clients.b}/invite`, { email: 'x@beta.test', companyRole: 'root' });
    expect(bad.status).to.equal(303);
    expect(await rt.db('users').where({ email: 'x@beta.test' }).first()).to.equal(undefined);
    expect((await admin.get(`/console/clients/${fx.clients.b}`)).text).to.contain('<td>бухгалтер</td>');
    // a cabinet whose owners are all disabled: "owner" is preselected
    await rt.db('users').where({ client_id: fx.clients.b, company_role: 'owner' }).update({ disabled_at: rt.db.fn.now() });
    expect((await admin.get(`/console/clients/${fx.clients.b}`)).text).to.match(/<option value="owner" selected>владелец<\/option>/);
    // the invited accountant signs in and cannot order
    const token = /\/password\/set\/(\S+)/.exec(sent[0]!.text)![1]!;
    const acc = new WebClient(srv.base);
    await acc.get(`/password/set/${token}`);
    expect((await acc.post(`/password/set/${token}`, { password: 'a-long-password-1', password2: 'a-long-password-1' })).status).to.equal(303);
    expect((await acc.post('/cart/add', { offerId: String(fx.offers[0]), qty: '1' })).status).to.equal(403);
  });

  it('saves settings, and a bad value saves nothing', async () => {
    const admin = await as(fx.emails.admin);
    await admin.get('/console/settings');
    const good = await admin.post('/console/settings', {
      period: '48',
      [`commission_${fx.warehouses.partner}`]: '12,5',
      audiences: `- name: Dealers\n  audience: { priceTypeIds: [${fx.priceTypes.dealer}] }\n`,
    });
    expect(good.status).to.equal(303);
    expect(await getSetting(rt.db, 'reservations.period_hours')).to.equal(48);
    expect(await getSetting(rt.db, 'warehouses.commission_overrides')).to.deep.equal({ [String(fx.warehouses.partner)]: '12.5' });
    const bad = await admin.post('/console/settings', { period: '24', audiences: '- name: X\n  audience: { priceTypeIds: [] }' });
    expect(bad.status).to.equal(422);
    expect(bad.text).to.contain('Аудитории новостей');
    expect(await getSetting(rt.db, 'reservations.period_hours')).to.equal(48);
  });

  it('saves the seller’s requisites for invoices (YAML); a bad one names the field and saves nothing; empty clears them', async () => {
    const admin = await as(fx.emails.admin);
    await admin.get('/console/settings');
    const seller = "name: ООО «Ромашка»\ninn: '7701234567'\nkpp: '770101001'\naddress: г. Москва\nbankName: ПАО Сбербанк\nbic: '044525225'\naccount: '40702810000000000001'\ncorrAccount: '30101810400000000225'\n";
    expect((await admin.post('/console/settings', { period: '24', seller })).status).to.equal(303);
    expect(await getSetting(rt.db, 'invoices.seller')).to.include({ name: 'ООО «Ромашка»', inn: '7701234567', vatRate: '20' });
    expect((await admin.get('/console/settings')).text).to.contain('ООО «Ромашка»');
    const bad = await admin.post('/console/settings', { period: '36', seller: seller.replace("bic: '044525225'", "bic: '0445'") });
    expect(bad.status).to.equal(422);
    expect(bad.text).to.contain('Реквизиты продавца (bic): BIC: 9 digits.');
    expect(await getSetting(rt.db, 'reservations.period_hours')).to.equal(24);
    const notYaml = await admin.post('/console/settings', { period: '24', seller: 'name: [' });
    expect(notYaml.status).to.equal(422);
    expect(notYaml.text).to.contain('Реквизиты продавца: это не YAML');
    expect((await admin.post('/console/settings', { period: '24' })).status).to.equal(303);
    expect(await getSetting(rt.db, 'invoices.seller')).to.not.equal(null);
    expect((await admin.post('/console/settings', { period: '24', seller: '' })).status).to.equal(303);
    expect(await getSetting(rt.db, 'invoices.seller')).to.equal(null);
  });

  it('both reservation-period screens refuse the same bad values with the same message and accept the same good ones', async () => {
    const admin = await as(fx.emails.admin);
    await admin.get('/console/settings');
    const screens = [
      { name: 'console', send: (period: string) => admin.post('/console/settings', { period }) },
      { name: 'admin', send: (period: string) => admin.post('/admin/settings/reservations', { periodHours: period, extensionAllowed: 'on', maxExtensions: '1', warningLeadMinutes: '120' }) },
    ];
    const bad: [string, string][] = [
      ['0', 'Срок резерва — не меньше 1 часа.'],
      ['-3', 'Срок резерва — целое число часов.'],
      ['1.5', 'Срок резерва — целое число часов.'],
      ['abc', 'Срок резерва — целое число часов.'],
      ['', 'Срок резерва — целое число часов.'],
      ['1441', 'Срок резерва — не больше 60 дней (1440 ч).'],
    ];
    for (const screen of screens) {
      await rt.db('settings').insert({ key: 'reservations.period_hours', value: JSON.stringify(7) }).onConflict('key').merge();
      for (const [value, message] of bad) {
        const res = await screen.send(value);
        expect(res.status, `${screen.name} ${value}`).to.equal(422);
        expect(res.text, `${screen.name} ${value}`).to.contain(message);
        expect(await getSetting(rt.db, 'reservations.period_hours'), `${screen.name} ${value}`).to.equal(7);
      }
      for (const value of ['1', ' 48 ', '1440']) {
        const res = await screen.send(value);
        expect(res.status, `${screen.name} ${value}`).to.equal(303);
        expect(await getSetting(rt.db, 'reservations.period_hours'), `${screen.name} ${value}`).to.equal(Number(value));
        expect(await reservationSettings(rt.db)).to.include({ periodHours: Number(value) });
      }
    }
    // nobody set a period: both screens show the one default
    await rt.db('settings').where({ key: 'reservations.period_hours' }).delete();
    expect((await admin.get('/console/settings')).text).to.contain(`name="period" value="${DEFAULT_RESERVATION_PERIOD_HOURS}"`);
    expect((await admin.get('/admin/settings/reservations')).text).to.contain(`name="periodHours" value="${DEFAULT_RESERVATION_PERIOD_HOURS}"`);
  });
});
