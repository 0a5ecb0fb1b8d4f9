import { expect } from 'chai';
import { seedClients } from '../../src/store/accounts/clients.ts';
import { useWorld } from '../support/world.ts';

describe('web/admin clients: editing which legal entities a cabinet acts for', () => {
  const w = useWorld();

  it('links by INN and unlinks; an unlinked sync link stays unlinked after the next seed', async () => {
    const admin = await w.signIn('admin');
    expect((await admin.get('/admin/clients')).text).to.contain('Alpha LLC').and.contain('Beta JSC');
    await admin.get(`/admin/clients/${w.fx.clients.b}`);
    const link = await admin.post(`/admin/clients/${w.fx.clients.b}/link`, { counterparty: '7701000002' });
    expect(link.status).to.equal(303);
    let page = await admin.get(`/admin/clients/${w.fx.clients.b}`);
    expect(page.text).to.contain('Alpha North LLC is linked.');
    expect(page.text).to.match(/Alpha North LLC<\/td><td>7701000002<\/td><td>admin/);
    await admin.post(`/admin/clients/${w.fx.clients.a}/unlink`, { counterpartyId: String(w.fx.cp.aChild) });
    await seedClients(w.rt.db);
    expect(await w.rt.db('client_counterparties').where({ counterparty_id: w.fx.cp.aChild }).select('client_id')).to.deep.equal([{ client_id: w.fx.clients.b }]);
    await admin.post(`/admin/clients/${w.fx.clients.a}/link`, { counterparty: String(w.fx.cp.aChild) });
    await seedClients(w.rt.db);
    expect(await w.rt.db('client_counterparties').where({ counterparty_id: w.fx.cp.aChild }).orderBy('client_id').select('client_id')).to.have.length(2);
    page = await admin.get(`/admin/clients/${w.fx.clients.a}`);
    await admin.post(`/admin/clients/${w.fx.clients.a}/link`, { counterparty: 'nope' });
    expect((await admin.get(`/admin/clients/${w.fx.clients.a}`)).text).to.contain('No single counterparty matches &quot;nope&quot;');
    expect((await admin.get('/admin/clients/999999')).status).to.equal(404);
  });

  it('is for admins only', async () => {
    const buyer = await w.signIn('a');
    expect((await buyer.get('/admin/clients')).status).to.equal(403);
    expect((await buyer.post(`/admin/clients/${w.fx.clients.a}/link`, { counterparty: '7801000001' })).status).to.equal(403);
    expect(await w.rt.db('client_counterparties').where({ client_id: w.fx.clients.a }).count('* as n').first()).to.deep.equal({ n: 2 });
  });
});
