import { expect } from 'chai';
import type { Runtime } from '../../../src/infra/runtime.ts';
import { DomainError, messageIn } from '../../../src/infra/domain-error.ts';
import { linkCounterparty, parseCounterpartyRef, seedClients, unlinkCounterparty } from '../../../src/store/accounts/clients.ts';
import { loadViewer } from '../../../src/store/accounts/viewer.ts';
import { storeFixture } from '../../support/mirror-fixtures.ts';
import { testRuntime, truncate } from '../../support/runtime.ts';

describe('store/clients: seeding cabinets from head-counterparty links', () => {
  let rt: Runtime;
  before(async () => {
    rt = await testRuntime();
  });
  beforeEach(() => truncate(rt, 'sources', 'users', 'clients'));
  const linksOf = (counterpartyId: number) => rt.db('client_counterparties').where({ counterparty_id: counterpartyId }).orderBy('client_id').select('client_id', 'origin');

  it('creates one client per head with its children, idempotently', async () => {
    const fx = await storeFixture(rt.db);
    const links = await rt.db('client_counterparties').select('client_id', 'counterparty_id', 'origin');
    // which client gets the lower id is the seed's business, not this test's
    expect(links).to.have.deep.members([
      { client_id: fx.clients.a, counterparty_id: fx.cp.aHead, origin: 'sync' },
      { client_id: fx.clients.a, counterparty_id: fx.cp.aChild, origin: 'sync' },
      { client_id: fx.clients.b, counterparty_id: fx.cp.bHead, origin: 'sync' },
    ]);
    expect(await seedClients(rt.db)).to.deep.equal({ clientsCreated: 0, linksAdded: 0, linksRemoved: 0 });
  });

  it('moves a counterparty whose head changed, keeps admin links, drops deleted ones', async () => {
    const fx = await storeFixture(rt.db);
    await rt.db('counterparties').where({ id: fx.cp.aChild }).update({ head_external_id: 'cp-b' });
    let r = await seedClients(rt.db);
    expect(r).to.include({ linksRemoved: 1, linksAdded: 1 });
    expect(await linksOf(fx.cp.aChild)).to.deep.equal([{ client_id: fx.clients.b, origin: 'sync' }]);
    // the admin moves it back to A; the accounting system then gives it a new head
    await unlinkCounterparty(rt.db, fx.clients.b, fx.cp.aChild);
    await linkCounterparty(rt.db, fx.clients.a, { id: fx.cp.aChild });
    await rt.db('counterparties').insert({ source_id: fx.sourceId, external_id: 'cp-g', name: 'Gamma LLC', inn: '7701000090' });
    await rt.db('counterparties').where({ id: fx.cp.aChild }).update({ head_external_id: 'cp-g' });
    r = await seedClients(rt.db);
    expect(r.clientsCreated).to.equal(1);
    expect(await linksOf(fx.cp.aChild)).to.deep.equal([{ client_id: fx.clients.a, origin: 'admin' }]); // not also Gamma's
    await rt.db('counterparties').where({ id: fx.cp.aHead }).update({ deleted: true });
    r = await seedClients(rt.db);
    const viewer = await loadViewer(rt.db, fx.users.a);
    expect(viewer!.counterpartyIds).to.deep.equal([fx.cp.aChild]);
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

describe('store/clients: an admin links a counterparty to a client', () => {
  let rt: Runtime;
  let fx: Awaited<ReturnType<typeof storeFixture>>;
  before(async () => {
    rt = await testRuntime();
  });
  beforeEach(async () => {
    await truncate(rt, 'sources', 'users', 'clients');
    fx = await storeFixture(rt.db);
  });

  /** Two branches of one legal entity (one INN, two KPPs), not linked to any client yet. */
  const branches = async () => {
    const [moscow] = await rt.db('counterparties').insert({ source_id: fx.sourceId, external_id: 'cp-d1', name: 'Delta Moscow', inn: '7701000050', kpp: '770101001' }).returning('id');
    const [spb] = await rt.db('counterparties').insert({ source_id: fx.sourceId, external_id: 'cp-d2', name: 'Delta St Petersburg', inn: '7701000050', kpp: '780101001' }).returning('id');
    return { moscow: moscow.id as number, spb: spb.id as number };
  };
  const refusalOf = async (p: Promise<unknown>): Promise<DomainError> => {
    const err = await p.then(
      () => null,
      (e: unknown) => e,
    );
    expect(err).to.be.instanceOf(DomainError);
    return err as DomainError;
  };
  const linked = (clientId: number) => rt.db('client_counterparties').where({ client_id: clientId }).orderBy('counterparty_id').pluck('counterparty_id');

  it('refuses an INN two branches share without a KPP, listing both; INN + KPP links the right branch', async () => {
    const d = await branches();
    const before = await linked(fx.clients.b);
    const err = await refusalOf(linkCounterparty(rt.db, fx.clients.b, parseCounterpartyRef('7701000050')));
    expect(err).to.include({ type: 'conflict', code: 'link.ambiguous_inn' });
    expect(err.userMessage).to.contain('Delta Moscow (770101001)').and.contain('Delta St Petersburg (780101001)').and.contain('Укажите КПП нужного');
    expect(err.details).to.deep.equal({
      inn: '7701000050',
      candidates: [
        { id: d.moscow, externalId: 'cp-d1', name: 'Delta Moscow', inn: '7701000050', kpp: '770101001' },
        { id: d.spb, externalId: 'cp-d2', name: 'Delta St Petersburg', inn: '7701000050', kpp: '780101001' },
      ],
    });
    expect(await linked(fx.clients.b)).to.deep.equal(before); // nothing linked

    expect(await linkCounterparty(rt.db, fx.clients.b, parseCounterpartyRef(' 7701000050 ', '780101001'))).to.deep.equal({ id: d.spb, name: 'Delta St Petersburg' });
    expect(await linked(fx.clients.b)).to.deep.equal([...before, d.spb].sort((x, y) => x - y));
    expect(await rt.db('client_counterparties').where({ counterparty_id: d.moscow }).first()).to.equal(undefined);
  });

  it("refuses another client's counterparty, a deleted one, an unknown one and malformed input", async () => {
    const d = await branches();
    const other = await refusalOf(linkCounterparty(rt.db, fx.clients.b, { id: fx.cp.aChild }));
    expect(other).to.include({ type: 'conflict', code: 'link.other_client' });
    expect(other.userMessage).to.equal('Alpha North LLC уже привязан к клиенту Alpha LLC; сначала отвяжите его там.');
    expect(messageIn('en', other.text!)).to.equal('Alpha North LLC is already linked to the client Alpha LLC; unlink it there first.');
    expect(await linksOf(fx.cp.aChild)).to.deep.equal([{ client_id: fx.clients.a, origin: 'sync' }]);

    await rt.db('counterparties').where({ id: d.moscow }).update({ deleted: true });
    const deleted = await refusalOf(linkCounterparty(rt.db, fx.clients.b, parseCounterpartyRef('7701000050', '770101001')));
    expect(deleted).to.include({ type: 'conflict', code: 'link.deleted' });
    // with one branch deleted the INN alone is no longer ambiguous: the live branch is linked
    expect(await linkCounterparty(rt.db, fx.clients.b, parseCounterpartyRef('7701000050'))).to.include({ id: d.spb });
    expect(await linksOf(d.moscow)).to.deep.equal([]);

    expect(await refusalOf(linkCounterparty(rt.db, fx.clients.b, parseCounterpartyRef('nope')))).to.include({ type: 'not_found', code: 'link.not_found' });
    expect(await refusalOf(linkCounterparty(rt.db, 999999, { id: d.spb }))).to.include({ code: 'link.no_client' });
    expect(() => parseCounterpartyRef('cp-d1', '770101001')).to.throw(DomainError, 'КПП указывают вместе с ИНН');
    expect(() => parseCounterpartyRef('7701000050', '77')).to.throw(DomainError, '— не КПП');
    expect(() => parseCounterpartyRef('  ')).to.throw(DomainError, 'Укажите ИНН, внешний код или id контрагента');
  });

  it('links by external id or id; relinking its own is idempotent and makes the link an admin one', async () => {
    const d = await branches();
    await linkCounterparty(rt.db, fx.clients.b, parseCounterpartyRef('cp-d1'));
    await linkCounterparty(rt.db, fx.clients.b, parseCounterpartyRef(String(d.moscow)));
    await linkCounterparty(rt.db, fx.clients.a, parseCounterpartyRef('7701000002')); // its own, by sync
    expect(await linksOf(d.moscow)).to.deep.equal([{ client_id: fx.clients.b, origin: 'admin' }]);
    expect(await linksOf(fx.cp.aChild)).to.deep.equal([{ client_id: fx.clients.a, origin: 'admin' }]);
  });

  const linksOf = (counterpartyId: number) => rt.db('client_counterparties').where({ counterparty_id: counterpartyId }).orderBy('client_id').select('client_id', 'origin');
});
