import { expect } from 'chai';
import { createSoapAdapter, importChanges } from '../../../connectors/soap/index.ts';
import type { Simulator } from '../../../sim/index.ts';
import type { Runtime } from '../../../src/infra/runtime.ts';
import { backendOf, runChanges, runFullSync, soapSourceRow } from '../../../src/sources/soap-source.ts';
import { openSyncRun } from '../../../src/sync/index.ts';
import { testRuntime, truncate } from '../../support/runtime.ts';
import { mirrorCounts, mirrorFingerprint, simSource } from '../../support/sim-source.ts';

describe('connectors/soap: full sync and change feed against the simulator', () => {
  let rt: Runtime;
  let sim: Simulator;
  let sourceId: number;
  const row = () => soapSourceRow(rt, 'sim');

  before(async () => {
    rt = await testRuntime();
    await truncate(rt, 'sources');
    ({ sim, sourceId } = await simSource(rt));
    await runFullSync(rt, await row());
  });
  after(() => sim.stop());
  afterEach(() => sim.faults.clear());

  it('full sync makes the mirror equal to the simulator (counts)', async () => {
    expect(await mirrorCounts(rt, sourceId)).to.deep.equal(sim.state.counts());
  });

  it('full sync carries the values: prices, stock, decimal commas, heads, contracts, partner warehouses, managers', async () => {
    const d = sim.state.data;
    const offer = d.offers.find((o) => o.id.includes('#')) ?? d.offers[1]!;
    const p = await rt.db('offers as o').join('products as p', 'p.id', 'o.product_id').where('o.external_id', offer.id)
      .first('o.name', 'o.characteristics', 'p.name as product', 'p.sku', 'p.unit', 'p.properties');
    const product = sim.state.product(offer.productId)!;
    expect(p).to.deep.include({ name: offer.name, product: product.name, sku: product.sku, unit: product.unit, characteristics: offer.characteristics, properties: product.properties });

    const prices = await rt.db('prices as x').join('offers as o', 'o.id', 'x.offer_id').join('price_types as t', 't.id', 'x.price_type_id')
      .where('o.external_id', offer.id).orderBy('t.external_id').select('t.external_id as pt', 'x.value');
    expect(prices.map((r) => [r.pt, Number(r.value).toFixed(2)])).to.deep.equal(sim.state.pricesOf(offer).map((x) => [x.priceTypeId, x.value]));

    const stock = await rt.db('stock as s').join('offers as o', 'o.id', 's.offer_id').join('warehouses as w', 'w.id', 's.warehouse_id')
      .where('o.external_id', offer.id).orderBy('w.external_id').select('w.external_id as wh', 's.quantity');
    expect(stock.map((r) => [r.wh, String(Number(r.quantity))])).to.deep.equal(sim.state.stockOf(offer).map((x) => [x.warehouseId, x.quantity]));

    const linked = d.counterparties.find((c) => c.headId)!;
    const cp = await rt.db('counterparties').where({ source_id: sourceId, external_id: linked.id }).first();
    expect(cp).to.include({ head_external_id: linked.headId, inn: linked.inn, manager_external_id: linked.managerId });
    // The service writes "336867,00": the decimal modifier makes it exact.
    const indebted = d.counterparties.find((c) => c.debt !== '0.00')!;
    const cp2 = await rt.db('counterparties').where({ source_id: sourceId, external_id: indebted.id }).first();
    expect(cp2!.debt).to.equal(indebted.debt);
    expect(cp2!.credit_limit).to.equal(indebted.creditLimit);

    const contract = d.contracts.find((c) => c.prices.size > 0)!;
    const ct = await rt.db('contracts as c').join('price_types as t', 't.id', 'c.price_type_id').where('c.external_id', contract.id)
      .first('c.id', 'c.discount_pct', 't.external_id as pt', 'c.valid_to', 'c.number');
    expect(ct.pt).to.equal(contract.priceTypeId);
    expect(Number(ct.discount_pct)).to.equal(Number(contract.discountPct));
    expect(ct.number).to.equal(contract.number);
    const [{ n }] = await rt.db('contract_prices').where({ contract_id: ct.id }).count({ n: '*' });
    expect(Number(n)).to.equal(contract.prices.size);

    const partner = d.warehouses.find((w) => w.kind === 'partner')!;
    const wh = await rt.db('warehouses').where({ source_id: sourceId, external_id: partner.id }).first();
    expect(wh!.kind).to.equal('partner');
    expect(Number(wh!.commission_pct)).to.equal(Number(partner.commissionPct));
    expect(wh!.delivery_days).to.equal(partner.deliveryDays);

    const m = await rt.db('managers').where({ source_id: sourceId, external_id: d.managers[0]!.id }).first();
    expect(m).to.include({ email: d.managers[0]!.email, phone: d.managers[0]!.phone, name: d.managers[0]!.name });
  });

  it('full sync carries documents with their lines, the printed form and the counterparty’s bank requisites', async () => {
    const d = sim.state.data;
    for (const [kind, simKinds] of [['invoice', ['Счет на оплату']], ['shipment', ['УПД', 'ТОРГ-12']], ['reconciliation', ['Акт сверки']]] as const) {
      const [{ n }] = await rt.db('documents').where({ source_id: sourceId, kind }).count({ n: '*' });
      expect(Number(n), kind).to.equal(d.documents.filter((x) => (simKinds as readonly string[]).includes(x.kind)).length).and.to.be.greaterThan(0);
    }
    const inv = d.documents.find((x) => x.kind === 'Счет на оплату' && x.lines.length > 1)!;
    const row = await rt.db('documents as x').join('counterparties as c', 'c.id', 'x.counterparty_id').where('x.external_id', inv.id)
      .first('x.*', 'c.external_id as cp');
    expect(row).to.deep.include({ cp: inv.counterpartyId, kind: 'invoice', number: inv.number, amount: inv.amount, vat_amount: inv.vatAmount, status: inv.status, currency: 'RUB', file_base64: null });
    expect(row.date.toISOString?.() ?? row.date).to.satisfy((v: string) => String(v).length > 0);
    expect(row.lines).to.deep.equal(inv.lines.map((l, i) => ({
      lineNo: i + 1, name: l.name, sku: l.sku, unit: l.unit, quantity: l.quantity, price: l.price, amount: l.amount, vatRate: '20', vatAmount: l.vatAmount,
    })));
    const act = d.documents.find((x) => x.kind === 'Акт сверки')!;
    const actRow = await rt.db('documents').where({ external_id: act.id }).first();
    expect(actRow!.file_name).to.equal(`${act.id}.pdf`);
    expect(Buffer.from(actRow!.file_base64!, 'base64').subarray(0, 5).toString()).to.equal('%PDF-');
    expect(actRow!.period_from).to.not.equal(null);
    const cp = d.counterparties[0]!;
    const cpRow = await rt.db('counterparties').where({ source_id: sourceId, external_id: cp.id }).first();
    expect(cpRow).to.include({ bank_name: cp.bankName, bank_bic: cp.bic, bank_account: cp.account, bank_corr_account: cp.corrAccount, legal_address: cp.legalAddress });
  });

  it('records the run and takes as_of from the system’s clock and the cursor from its feed', async () => {
    const src = await rt.db('sources').where({ id: sourceId }).first();
    expect(src!.cursor).to.equal(sim.state.cursor());
    expect(Date.now() - src!.as_of!.getTime()).to.be.lessThan(60_000);
    const run = await rt.db('sync_runs').where({ source_id: sourceId, kind: 'full' }).orderBy('id', 'desc').first();
    expect(run!.state).to.equal('succeeded');
    expect(run!.counts.prices.received).to.equal(sim.state.counts().prices);
  });

  it('a second full sync with nothing changed changes nothing', async () => {
    const out = await runFullSync(rt, await row());
    expect(out.result!.changed).to.equal(false);
  });

  it('changes in the simulator reach the mirror through the feed', async () => {
    const d = sim.state.data;
    const offer = d.offers[2]!;
    const [head, other] = d.counterparties.filter((c) => !c.headId);
    sim.state.setStock(offer.id, 'WH01', '123');
    sim.state.setPrice(offer.id, 'PT002', '4321.50');
    sim.state.linkCounterparty(other!.id, head!.id);
    sim.state.markProductDeleted(d.products[5]!.id);
    sim.state.addProduct({ id: 'NEW-42', name: 'Шуруповёрт новый', sku: 'NEW-42', prices: { PT001: '9999.00' }, stock: { WH01: '7' } });
    const out = await runChanges(rt, await row());
    expect(out.result).not.to.equal(null);
    const q = await rt.db('stock as s').join('offers as o', 'o.id', 's.offer_id').join('warehouses as w', 'w.id', 's.warehouse_id')
      .where({ 'o.external_id': offer.id, 'w.external_id': 'WH01' }).first('s.quantity');
    expect(Number(q.quantity)).to.equal(123);
    const pr = await rt.db('prices as x').join('offers as o', 'o.id', 'x.offer_id').join('price_types as t', 't.id', 'x.price_type_id')
      .where({ 'o.external_id': offer.id, 't.external_id': 'PT002' }).first('x.value');
    expect(pr.value).to.equal('4321.5000');
    expect((await rt.db('counterparties').where({ external_id: other!.id }).first())!.head_external_id).to.equal(head!.id);
    expect((await rt.db('products').where({ external_id: d.products[5]!.id }).first())!.deleted).to.equal(true);
    expect(await rt.db('products').where({ external_id: 'NEW-42', deleted: false }).first()).to.not.equal(undefined);
    expect((await rt.db('sources').where({ id: sourceId }).first())!.cursor).to.equal(sim.state.cursor());
    expect(await mirrorCounts(rt, sourceId)).to.deep.equal(sim.state.counts());
  });

  it('a document paid or issued in the system reaches the mirror through the feed, lines and all', async () => {
    const d = sim.state.data;
    const unpaid = d.documents.find((x) => x.status === 'Не оплачен')!;
    sim.state.setDocumentStatus(unpaid.id, 'Оплачен');
    sim.state.issueDocument({ ...unpaid, id: 'DOC-NEW-1', number: 'СЧ-НОВЫЙ', date: '2026-11-30', status: 'Не оплачен', lines: unpaid.lines.slice(0, 1), amount: unpaid.lines[0]!.amount, vatAmount: unpaid.lines[0]!.vatAmount });
    const out = await runChanges(rt, await row());
    expect(out.result!.counts.documents).to.include({ received: 2, inserted: 1, updated: 1 });
    expect((await rt.db('documents').where({ source_id: sourceId, external_id: unpaid.id }).first())!.status).to.equal('Оплачен');
    const issued = await rt.db('documents').where({ source_id: sourceId, external_id: 'DOC-NEW-1' }).first();
    expect(issued).to.include({ number: 'СЧ-НОВЫЙ', kind: 'invoice', amount: unpaid.lines[0]!.amount });
    expect(issued!.lines).to.have.length(1);
    expect(await mirrorCounts(rt, sourceId)).to.deep.equal(sim.state.counts());
  });

  it('full sync carries each counterparty’s settlements: debt, overdue part, limit, policy and the system’s "as of" (its last movement), exact', async () => {
    const d = sim.state.data;
    const rows = await rt.db('counterparty_credit as k').join('counterparties as c', 'c.id', 'k.counterparty_id').where('k.source_id', sourceId)
      .select('c.external_id as cp', 'k.debt', 'k.overdue', 'k.credit_limit', 'k.policy', 'k.currency', 'k.as_of');
    expect(rows).to.have.length(d.counterparties.filter((c) => !c.deleted).length);
    for (const c of d.counterparties) {
      const k = rows.find((x) => x.cp === c.id)!;
      expect(k, c.id).to.deep.include({ debt: c.debt, overdue: c.overdue, credit_limit: c.creditLimit, policy: c.creditPolicy === 'Запрещать' ? 'refuse' : 'warn', currency: 'RUB' });
      expect(k.as_of.toISOString()).to.equal(sim.state.settlementAsOf(c.id));
    }
    expect(rows.map((r) => r.policy)).to.include.members(['refuse', 'warn']);
    expect(rows.some((r) => r.overdue !== '0.00')).to.equal(true);
  });

  it('a payment posted in the system reaches the settlements through the feed, with a new "as of"', async () => {
    const cp = sim.state.data.counterparties[3]!;
    const before = await rt.db('counterparty_credit as k').join('counterparties as c', 'c.id', 'k.counterparty_id').where('c.external_id', cp.id).first('k.as_of');
    sim.state.setSettlement(cp.id, { debt: '123456.78', overdue: '0.01', creditLimit: '200000.00', policy: 'Предупреждать' });
    const out = await runChanges(rt, await row());
    expect(out.result!.counts.credit).to.include({ received: 1, updated: 1 });
    const k = await rt.db('counterparty_credit as k').join('counterparties as c', 'c.id', 'k.counterparty_id').where('c.external_id', cp.id)
      .first('k.debt', 'k.overdue', 'k.credit_limit', 'k.policy', 'k.as_of');
    expect(k).to.deep.include({ debt: '123456.78', overdue: '0.01', credit_limit: '200000.00', policy: 'warn' });
    expect(k!.as_of.getTime()).to.be.greaterThan(before!.as_of.getTime());
    expect(await mirrorCounts(rt, sourceId)).to.deep.equal(sim.state.counts());
  });

  it('an empty feed opens no run but moves as_of', async () => {
    const before = await rt.db('sync_runs').count({ n: '*' });
    const asOfBefore = (await rt.db('sources').where({ id: sourceId }).first())!.as_of;
    await new Promise((r) => setTimeout(r, 20));
    const out = await runChanges(rt, await row());
    expect(out.result).to.equal(null);
    expect(await rt.db('sync_runs').count({ n: '*' })).to.deep.equal(before);
    expect((await rt.db('sources').where({ id: sourceId }).first())!.as_of!.getTime()).to.be.greaterThan(asOfBefore!.getTime());
  });

  describe('faults leave the mirror untouched and say why', () => {
    const cases: [string, RegExp][] = [
      ['down', /unreachable/],
      ['http500', /HTTP 500/],
      ['soapFault', /SOAP fault soap:Server/],
      ['malformed', /malformed or truncated XML/],
      ['truncated', /malformed or truncated XML/],
    ];
    for (const [kind, reason] of cases) {
      it(`${kind} in the middle of a full sync`, async () => {
        sim.state.setStock(sim.state.data.offers[0]!.id, 'WH01', String(Math.floor(Math.random() * 1000)));
        const fp = await mirrorFingerprint(rt, sourceId);
        // Fail on the offers: groups, price types, warehouses and products are already staged when it breaks.
        sim.faults.set({ kind: kind as never, operations: ['GetOffers'], times: 1 });
        let err: Error | undefined;
        await runFullSync(rt, await row()).catch((e: Error) => (err = e));
        expect(err?.message).to.match(reason);
        expect(await mirrorFingerprint(rt, sourceId)).to.equal(fp);
        const run = await rt.db('sync_runs').where({ source_id: sourceId }).orderBy('id', 'desc').first();
        expect(run!.state).to.equal('failed');
        expect(run!.error).to.match(reason);
      });
    }

    it('timeout on the change feed', async () => {
      sim.state.setStock(sim.state.data.offers[1]!.id, 'WH01', '77');
      const fp = await mirrorFingerprint(rt, sourceId);
      sim.faults.set({ kind: 'timeout', operations: ['GetChanges'] });
      const r = await row();
      const backend = await backendOf(r);
      // A short timeout for the test: the same service, 200 ms.
      const s = backend.mapping.service;
      const adapter = createSoapAdapter({ endpoint: sim.url, namespace: s.namespace, soapActionPrefix: s.soapActionPrefix, username: 'exchange', password: 'sim-test-password', timeoutMs: 200 });
      let err: Error | undefined;
      await importChanges({ adapter, mapping: backend.mapping, since: r.cursor, openRun: (o) => openSyncRun(rt, { sourceId, kind: 'changes', ...o }) }).catch((e: Error) => (err = e));
      expect(err?.message).to.match(/no answer within 200 ms/);
      expect(await mirrorFingerprint(rt, sourceId)).to.equal(fp);
      const run = await rt.db('sync_runs').where({ source_id: sourceId }).orderBy('id', 'desc').first();
      expect(run).to.include({ state: 'failed', kind: 'changes' });
      sim.faults.clear();
      await runChanges(rt, await row());
      expect(await mirrorFingerprint(rt, sourceId)).not.to.equal(fp);
    });
  });
});
