import { expect } from 'chai';
import { DomainError } from '../../../src/infra/domain-error.ts';
import type { Runtime } from '../../../src/infra/runtime.ts';
import { loadViewer } from '../../../src/store/accounts/viewer.ts';
import {
  assertMayOrder, assertUserMayOrder, type CompanyActor, COMPANY_ROLES, mayManageCompany, mayOrder, maySeeDocuments, maySeeOrderInvoices,
} from '../../../src/store/company/access.ts';
import { documentCounterparties, invoiceCounterparties } from '../../../src/store/documents/access.ts';
import { createOrder } from '../../../src/store/orders/create.ts';
import { reserve } from '../../../src/store/reservations/reservations.ts';
import { type StoreFixture, storeFixture } from '../../support/mirror-fixtures.ts';
import { testRuntime, truncate } from '../../support/runtime.ts';
import { refusal } from '../../support/refusal.ts';

const buyer = (companyRole: CompanyActor['companyRole']): CompanyActor => ({ role: 'buyer', companyRole });

describe('store/company/access: what each company role may do', () => {
  it('owner and buyer order; accountant and viewer do not; staff are never refused', () => {
    expect(COMPANY_ROLES.filter((r) => mayOrder(buyer(r)))).to.deep.equal(['owner', 'buyer']);
    expect(mayOrder({ role: 'manager', companyRole: 'viewer' })).to.equal(true);
    expect(mayOrder({ role: 'admin', companyRole: 'accountant' })).to.equal(true);
  });

  it('documents: owner, accountant and viewer (who reads); the order invoice also the buyer; the company page only the owner (and staff)', () => {
    expect(COMPANY_ROLES.filter((r) => maySeeDocuments(buyer(r)))).to.deep.equal(['owner', 'accountant', 'viewer']);
    expect(COMPANY_ROLES.filter((r) => maySeeOrderInvoices(buyer(r)))).to.deep.equal(['owner', 'buyer', 'accountant', 'viewer']);
    expect(COMPANY_ROLES.filter((r) => mayManageCompany(buyer(r)))).to.deep.equal(['owner']);
    expect(mayManageCompany({ role: 'manager', companyRole: 'viewer' })).to.equal(true);
  });

  it('the refusal is a 403 named company.role_cannot_order, in Russian, naming the role', () => {
    const err = (() => {
      try {
        assertMayOrder(buyer('accountant'));
      } catch (e) {
        return e as DomainError;
      }
    })();
    expect(err).to.be.instanceOf(DomainError);
    expect(err!.type).to.equal('forbidden');
    expect(err!.code).to.equal('company.role_cannot_order');
    expect(err!.userMessage).to.equal('Ваша роль в компании (бухгалтер) не позволяет оформлять заказы и резервы. Обратитесь к владельцу кабинета.');
    expect(() => assertMayOrder(buyer('viewer'))).to.throw('(наблюдатель)');
    expect(() => assertMayOrder(buyer('buyer'))).not.to.throw();
  });
});

describe('store/company/access: checked against the database in createOrder, reserve and the viewer', () => {
  let rt: Runtime;
  let fx: StoreFixture;
  let employee: number;

  before(async () => {
    rt = await testRuntime();
  });
  beforeEach(async () => {
    await truncate(rt, 'sources', 'users', 'clients', 'sessions', 'orders', 'outbox', 'reservations');
    fx = await storeFixture(rt.db);
    const [u] = await rt.db('users').insert({ email: 'emp@alpha.test', role: 'buyer', client_id: fx.clients.a, company_role: 'buyer' }).returning('id');
    employee = u.id;
  });

  const order = (userId: number, counterpartyId: number, key: string) =>
    createOrder(rt.db, {
      origin: { kind: 'checkout', checkoutKey: key },
      userId,
      clientId: fx.clients.a,
      counterpartyId,
      contractId: 'default',
      lines: [{ offerId: fx.offers[2]!, warehouseId: fx.warehouses.main, quantity: '1' }],
      comment: '',
    });

  it('createOrder refuses an accountant and a viewer (403) and writes nothing', async () => {
    for (const role of ['accountant', 'viewer'] as const) {
      await rt.db('users').where({ id: employee }).update({ company_role: role });
      const err = await refusal(order(employee, fx.cp.aHead, `key-${role}-1`));
      expect(err.code).to.equal('company.role_cannot_order');
    }
    expect(Number((await rt.db('orders').count<{ n: string }[]>('* as n'))[0]!.n)).to.equal(0);
    await rt.db('users').where({ id: employee }).update({ company_role: 'buyer' });
    expect((await order(employee, fx.cp.aHead, 'key-buyer-1')).repeated).to.equal(false);
  });

  it('an employee limited to some entities: the viewer lists only those, createOrder and reserve refuse the others with a 404', async () => {
    await rt.db('users').where({ id: employee }).update({ all_counterparties: false });
    await rt.db('user_counterparties').insert({ user_id: employee, counterparty_id: fx.cp.aChild });
    const v = (await loadViewer(rt.db, employee))!;
    expect(v.counterpartyIds).to.deep.equal([fx.cp.aChild]);
    expect(v.counterpartyId).to.equal(fx.cp.aChild);
    expect(v.contracts.map((k) => k.counterpartyId)).to.deep.equal([fx.cp.aChild]);

    const err = await refusal(order(employee, fx.cp.aHead, 'key-entity-1'));
    expect([err.type, err.code]).to.deep.equal(['not_found', 'company.no_entity']);
    const r = await refusal(reserve(rt, { userId: employee, clientId: fx.clients.a, counterpartyId: fx.cp.aHead }, { offerId: fx.offers[2]!, warehouseId: fx.warehouses.main, quantity: '1' }));
    expect(r.type).to.equal('not_found');
    expect(Number((await rt.db('reservations').count<{ n: string }[]>('* as n'))[0]!.n)).to.equal(0);
    // The granted entity works.
    expect((await order(employee, fx.cp.aChild, 'key-entity-2')).repeated).to.equal(false);
  });

  it('a grant on another client’s entity gives nothing: only the own client’s links count', async () => {
    await rt.db('users').where({ id: employee }).update({ all_counterparties: false });
    await rt.db('user_counterparties').insert({ user_id: employee, counterparty_id: fx.cp.bHead });
    expect((await loadViewer(rt.db, employee))!.counterpartyIds).to.deep.equal([]);
    const err = await refusal(assertUserMayOrder(rt.db, employee, fx.cp.bHead));
    expect(err.type).to.equal('not_found');
  });

  it('an owner acts for every entity whatever the grants say; a disabled user for none', async () => {
    await rt.db('users').where({ id: employee }).update({ company_role: 'owner', all_counterparties: false });
    expect((await loadViewer(rt.db, employee))!.counterpartyIds.sort()).to.deep.equal([fx.cp.aHead, fx.cp.aChild].sort());
    await assertUserMayOrder(rt.db, employee, fx.cp.aHead);
    await rt.db('users').where({ id: employee }).update({ disabled_at: new Date() });
    expect((await refusal(assertUserMayOrder(rt.db, employee, fx.cp.aHead))).type).to.equal('not_found');
  });

  it('reserve refuses a viewer with the role message', async () => {
    await rt.db('users').where({ id: employee }).update({ company_role: 'viewer' });
    const err = await refusal(reserve(rt, { userId: employee, clientId: fx.clients.a, counterpartyId: fx.cp.aHead }, { offerId: fx.offers[2]!, warehouseId: fx.warehouses.main, quantity: '1' }));
    expect(err.code).to.equal('company.role_cannot_order');
  });

  it('documents: an accountant and a viewer see its entities’ documents, a buyer only order invoices', async () => {
    for (const [role, docs, invoices] of [['owner', 2, 2], ['accountant', 2, 2], ['buyer', 0, 2], ['viewer', 2, 2]] as const) {
      await rt.db('users').where({ id: employee }).update({ company_role: role });
      const v = (await loadViewer(rt.db, employee))!;
      expect([role, documentCounterparties(v).length, invoiceCounterparties(v).length]).to.deep.equal([role, docs, invoices]);
    }
  });
});
