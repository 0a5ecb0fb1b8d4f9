import { expect } from 'chai';
import type { Runtime } from '../../../src/infra/runtime.ts';
import { linkCounterparty, seedClients } from '../../../src/store/accounts/clients.ts';
import { loadViewer } from '../../../src/store/accounts/viewer.ts';
import { storeFixture } from '../../support/mirror-fixtures.ts';
import { testRuntime, truncate } from '../../support/runtime.ts';

describe('store/clients: seeding cabinets from head-counterparty links', () => {
  let rt: Runtime;
  before(async () => {
    rt = await testRuntime();
  });
  beforeEach(() => truncate(rt, 'sources', 'users', 'clients'));

  it('creates one client per head with its children, idempotently', async () => {
    const fx = await storeFixture(rt.db);
    const links = await rt.db('client_counterparties').orderBy(['client_id', 'counterparty_id']).select('client_id', 'counterparty_id', 'origin');
    expect(links).to.deep.equal([
      { client_id: fx.clients.a, counterparty_id: fx.cp.aHead, origin: 'sync' },
      { client_id: fx.clients.a, counterparty_id: fx.cp.aChild, origin: 'sync' },
      { client_id: fx.clients.b, counterparty_id: fx.cp.bHead, origin: 'sync' },
    ]);
    expect(await seedClients(rt.db)).to.deep.equal({ clientsCreated: 0, linksAdded: 0, linksRemoved: 0 });
  });

  it('moves a counterparty whose head changed, keeps admin links, drops deleted ones', async () => {
    const fx = await storeFixture(rt.db);
    await linkCounterparty(rt.db, fx.clients.b, fx.cp.aChild);
    await rt.db('counterparties').where({ id: fx.cp.aChild }).update({ head_external_id: 'cp-b' });
    let r = await seedClients(rt.db);
    expect(r.linksRemoved).to.equal(1);
    expect(await rt.db('client_counterparties').where({ counterparty_id: fx.cp.aChild }).select('client_id', 'origin')).to.deep.equal([
      { client_id: fx.clients.b, origin: 'admin' },
    ]);
    await rt.db('counterparties').where({ id: fx.cp.aHead }).update({ deleted: true });
    r = await seedClients(rt.db);
    const viewer = await loadViewer(rt.db, fx.users.a);
    expect(viewer!.counterpartyIds).to.deep.equal([]);
    expect(viewer!.counterpartyId).to.equal(null);
  });

  it('builds the viewer: counterparties, default contract, current switch', async () => {
    const fx = await storeFixture(rt.db);
    const v = (await loadViewer(rt.db, fx.users.a))!;
    expect(v.counterpartyIds.sort()).to.deep.equal([fx.cp.aHead, fx.cp.aChild].sort());
    expect(v.counterpartyId).to.equal(fx.cp.aHead); // "Alpha LLC" sorts first
    expect(v.contractId).to.equal(fx.contracts.aMain); // the default contract
    expect(v.contracts.map((k) => k.id)).to.deep.equal([fx.contracts.aMain, fx.contracts.aSecond]);
    await rt.db('users').where({ id: fx.users.a }).update({ current_counterparty_id: fx.cp.bHead });
    expect((await loadViewer(rt.db, fx.users.a))!.counterpartyId).to.equal(fx.cp.aHead); // never another client's
  });
});
