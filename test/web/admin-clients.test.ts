import { expect } from 'chai';
import type { Runtime } from '../../src/infra/runtime.ts';
import { seedClients } from '../../src/store/accounts/clients.ts';
import { createApp } from '../../src/web/app.ts';
import { PASSWORD, type StoreFixture, storeFixture } from '../support/mirror-fixtures.ts';
import { testRuntime, truncate } from '../support/runtime.ts';
import { listen, WebClient } from '../support/web-client.ts';

describe('web/admin clients: editing which legal entities a cabinet acts for', () => {
  let rt: Runtime;
  let srv: Awaited<ReturnType<typeof listen>>;
  let fx: StoreFixture;
  before(async () => {
    rt = await testRuntime();
    srv = await listen(createApp(rt));
  });
  after(() => srv.close());
  beforeEach(async () => {
    await truncate(rt, 'sources', 'users', 'clients', 'sessions');
    fx = await storeFixture(rt.db);
  });

  it('links by INN and unlinks; an unlinked sync link stays unlinked after the next seed', async () => {
    const admin = new WebClient(srv.base);
    await admin.login(fx.emails.admin, PASSWORD);
    expect((await admin.get('/admin/clients')).text).to.contain('Alpha LLC').and.contain('Beta JSC');
    await admin.get(`/admin/clients/${fx.clients.a}`);
    await admin.post(`/admin/clients/${fx.clients.a}/unlink`, { counterpartyId: String(fx.cp.aChild) });
    await seedClients(rt.db);
    expect(await rt.db('client_counterparties').where({ counterparty_id: fx.cp.aChild }).select('client_id')).to.deep.equal([]);
    await admin.get(`/admin/clients/${fx.clients.b}`);
    const link = await admin.post(`/admin/clients/${fx.clients.b}/link`, { counterparty: '7701000002' });
    expect(link.status).to.equal(303);
    expect(link.location).to.equal(`/admin/clients/${fx.clients.b}`);
    const page = await admin.get(`/admin/clients/${fx.clients.b}`);
    expect(page.text).to.contain('Alpha North LLC привязан к клиенту.');
    expect(page.text).to.match(/Alpha North LLC<\/td><td>7701000002<\/td><td>администратор/);
    await seedClients(rt.db);
    expect(await rt.db('client_counterparties').where({ counterparty_id: fx.cp.aChild }).select('client_id', 'origin')).to.deep.equal([{ client_id: fx.clients.b, origin: 'admin' }]);
    await admin.post(`/admin/clients/${fx.clients.a}/link`, { counterparty: 'nope' });
    expect((await admin.get(`/admin/clients/${fx.clients.a}`)).text).to.contain('Нет контрагента с внешним кодом или id «nope».');
    expect((await admin.get('/admin/clients/999999')).status).to.equal(404);
    expect((await admin.post('/admin/clients/999999/link', { counterparty: '7701000002' })).status).to.equal(404);
  });

  describe('the same refusals on the admin and the console page, plain and boosted (htmx)', () => {
    const HTMX = { 'hx-request': 'true', 'hx-boosted': 'true' };
    let admin: WebClient;
    beforeEach(async () => {
      admin = new WebClient(srv.base);
      await admin.login(fx.emails.admin, PASSWORD);
      // two branches of one legal entity: one INN, two KPPs, not linked to any client yet
      await rt.db('counterparties').insert([
        { source_id: fx.sourceId, external_id: 'cp-d1', name: 'Delta Moscow', inn: '7701000050', kpp: '770101001' },
        { source_id: fx.sourceId, external_id: 'cp-d2', name: 'Delta St Petersburg', inn: '7701000050', kpp: '780101001' },
      ]);
    });
    const linkedTo = async (clientId: number) =>
      rt.db('client_counterparties as cc').join('counterparties as cp', 'cp.id', 'cc.counterparty_id').where('cc.client_id', clientId).orderBy('cp.name').pluck('cp.name');

    for (const base of ['/admin/clients', '/console/clients']) {
      for (const headers of [{}, HTMX]) {
        it(`${base}${headers === HTMX ? ' (htmx)' : ''}: an ambiguous INN lists both KPPs, INN + KPP links that branch, another client's is refused`, async () => {
          const send = async (form: Record<string, string>) => {
            const res = await admin.post(`${base}/${fx.clients.b}/link`, form, { headers });
            expect(res.status).to.equal(303);
            expect(res.location).to.equal(`${base}/${fx.clients.b}`);
            return (await admin.get(`${base}/${fx.clients.b}`, headers)).text;
          };
          await admin.get(`${base}/${fx.clients.b}`);
          let page = await send({ counterparty: '7701000050' });
          expect(page).to.contain('ИНН 7701000050 у 2 юрлиц: Delta Moscow (770101001), Delta St Petersburg (780101001). Укажите КПП нужного.');
          expect(await linkedTo(fx.clients.b)).to.deep.equal(['Beta JSC']);

          page = await send({ counterparty: '7701000050', kpp: '780101001' });
          expect(page).to.contain('Delta St Petersburg привязан к клиенту.');
          expect(await linkedTo(fx.clients.b)).to.deep.equal(['Beta JSC', 'Delta St Petersburg']);

          page = await send({ counterparty: '7701000002' });
          expect(page).to.contain('Alpha North LLC уже привязан к клиенту Alpha LLC; сначала отвяжите его там.');
          expect(await linkedTo(fx.clients.b)).to.deep.equal(['Beta JSC', 'Delta St Petersburg']);
        });
      }
    }
  });

  it('is for admins only', async () => {
    const buyer = new WebClient(srv.base);
    await buyer.login(fx.emails.a, PASSWORD);
    expect((await buyer.get('/admin/clients')).status).to.equal(403);
    expect((await buyer.post(`/admin/clients/${fx.clients.a}/link`, { counterparty: '7801000001' })).status).to.equal(403);
    expect(await rt.db('client_counterparties').where({ client_id: fx.clients.a }).count('* as n').first()).to.deep.equal({ n: 2 });
  });
});
