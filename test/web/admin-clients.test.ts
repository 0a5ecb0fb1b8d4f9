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
    await admin.get(`/admin/clients/${fx.clients.b}`);
    const link = await admin.post(`/admin/clients/${fx.clients.b}/link`, { counterparty: '7701000002' });
    expect(link.status).to.equal(303);
    let page = await admin.get(`/admin/clients/${fx.clients.b}`);
    expect(page.text).to.contain('Alpha North LLC is linked.');
    expect(page.text).to.match(/Alpha North LLC<\/td><td>7701000002<\/td><td>admin/);
    await admin.post(`/admin/clients/${fx.clients.a}/unlink`, { counterpartyId: String(fx.cp.aChild) });
    await seedClients(rt.db);
    expect(await rt.db('client_counterparties').where({ counterparty_id: fx.cp.aChild }).select('client_id')).to.deep.equal([{ client_id: fx.clients.b }]);
    await admin.post(`/admin/clients/${fx.clients.a}/link`, { counterparty: String(fx.cp.aChild) });
    await seedClients(rt.db);
    expect(await rt.db('client_counterparties').where({ counterparty_id: fx.cp.aChild }).orderBy('client_id').select('client_id')).to.have.length(2);
    page = await admin.get(`/admin/clients/${fx.clients.a}`);
    await admin.post(`/admin/clients/${fx.clients.a}/link`, { counterparty: 'nope' });
    expect((await admin.get(`/admin/clients/${fx.clients.a}`)).text).to.contain('No single counterparty matches &quot;nope&quot;');
    expect((await admin.get('/admin/clients/999999')).status).to.equal(404);
  });

  it('is for admins only', async () => {
    const buyer = new WebClient(srv.base);
    await buyer.login(fx.emails.a, PASSWORD);
    expect((await buyer.get('/admin/clients')).status).to.equal(403);
    expect((await buyer.post(`/admin/clients/${fx.clients.a}/link`, { counterparty: '7801000001' })).status).to.equal(403);
    expect(await rt.db('client_counterparties').where({ client_id: fx.clients.a }).count('* as n').first()).to.deep.equal({ n: 2 });
  });
});
