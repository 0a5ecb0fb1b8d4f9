import { expect } from 'chai';
import type { Runtime } from '../../src/infra/runtime.ts';
import { applyBatch, changesStreamKey, ensureSource, openSyncRun, SyncError, SyncInputError } from '../../src/sync/index.ts';
import type { MirrorChangeEvent } from '../../src/sync/types.ts';
import { smallCatalog } from '../support/mirror-batch.ts';
import { testRuntime, truncate } from '../support/runtime.ts';

describe('sync core: applying batches to the mirror', () => {
  let rt: Runtime;
  let sourceId: number;
  const opts = (mode: 'full' | 'delta', extra = {}) => ({ sourceId, kind: 'test', mode, ...extra });

  /** The mirror as plain rows, for before/after comparisons. */
  async function snapshot() {
    const q = (sql: string) => rt.db.raw(sql).then((r) => r.rows);
    return {
      products: await q('SELECT external_id, sku, name, deleted, properties FROM products ORDER BY external_id'),
      offers: await q('SELECT o.external_id, p.external_id AS product, o.deleted FROM offers o JOIN products p ON p.id = o.product_id ORDER BY 1'),
      prices: await q(`SELECT o.external_id AS offer, t.external_id AS type, p.value, p.deleted FROM prices p JOIN offers o ON o.id = p.offer_id
                       JOIN price_types t ON t.id = p.price_type_id ORDER BY 1, 2`),
      stock: await q(`SELECT o.external_id AS offer, w.external_id AS wh, s.quantity, s.deleted FROM stock s JOIN offers o ON o.id = s.offer_id
                      JOIN warehouses w ON w.id = s.warehouse_id ORDER BY 1, 2`),
      updatedAt: await q('SELECT max(updated_at) AS t FROM products'),
    };
  }

  before(async () => {
    rt = await testRuntime();
  });
  beforeEach(async () => {
    await truncate(rt, 'sources');
    sourceId = await ensureSource(rt.db, { name: 'erp', kind: 'soap' });
    await rt.redis.del(changesStreamKey(rt.prefix));
  });

  it('a full batch fills the mirror, resolving references to internal ids', async () => {
    const res = await applyBatch(rt, opts('full'), smallCatalog());
    expect(res.changed).to.equal(true);
    expect(res.counts.products).to.include({ received: 2, inserted: 2, updated: 0, deleted: 0 });
    expect(res.counts.prices).to.include({ received: 3, inserted: 3 });
    expect(res.warnings).to.deep.equal([]);
    const s = await snapshot();
    expect(s.offers).to.deep.equal([
      { external_id: 'p1', product: 'p1', deleted: false },
      { external_id: 'p2', product: 'p2', deleted: false },
      { external_id: 'p2#blk', product: 'p2', deleted: false },
    ]);
    expect(s.prices.map((p: { value: string }) => p.value)).to.deep.equal(['12.5000', '11.0000', '20.0000']);
    expect(s.stock.find((x: { wh: string }) => x.wh === 'w-nsk').quantity).to.equal('5.500');
    const wh = await rt.db('warehouses').where({ external_id: 'w-nsk' }).first();
    expect(wh).to.include({ kind: 'partner', commission_pct: '7.500', delivery_days: 4 });
  });

  it('applying the same batch twice yields the same mirror and writes nothing the second time', async () => {
    await applyBatch(rt, opts('full'), smallCatalog());
    const before = await snapshot();
    const res = await applyBatch(rt, opts('full'), smallCatalog());
    expect(res.changed).to.equal(false);
    expect(res.counts.products).to.include({ inserted: 0, updated: 0, deleted: 0, unchanged: 2 });
    expect(res.counts.stock).to.include({ inserted: 0, updated: 0, deleted: 0, unchanged: 3 });
    expect(await snapshot()).to.deep.equal(before); // updated_at untouched too
  });

  it('a full batch marks what the source no longer has as deleted; a later batch undoes it', async () => {
    await applyBatch(rt, opts('full'), smallCatalog());
    const b = smallCatalog();
    b.products = b.products!.filter((p) => p.externalId !== 'p2');
    b.offers = b.offers!.filter((o) => o.externalId === 'p1');
    b.prices = b.prices!.filter((p) => p.offerExternalId === 'p1');
    b.stock = b.stock!.filter((p) => p.offerExternalId === 'p1');
    const res = await applyBatch(rt, opts('full'), b);
    expect(res.counts.products!.deleted).to.equal(1);
    expect(res.counts.offers!.deleted).to.equal(2);
    expect(res.counts.prices!.deleted).to.equal(1);
    expect(res.counts.stock!.deleted).to.equal(2);
    let s = await snapshot();
    expect(s.products.find((p: { external_id: string }) => p.external_id === 'p2').deleted).to.equal(true);
    expect(s.stock.filter((x: { deleted: boolean }) => x.deleted)).to.have.length(2);

    const again = await applyBatch(rt, opts('full'), smallCatalog());
    expect(again.counts.products).to.include({ updated: 1, deleted: 0 });
    s = await snapshot();
    expect(s.products.every((p: { deleted: boolean }) => !p.deleted)).to.equal(true);
    expect(s.stock.every((p: { deleted: boolean }) => !p.deleted)).to.equal(true);
  });

  it('a delta batch changes only what it carries and deletes only what it marks', async () => {
    await applyBatch(rt, opts('full'), smallCatalog());
    const res = await applyBatch(rt, opts('delta'), {
      prices: [{ offerExternalId: 'p1', priceTypeExternalId: 'pt-opt', value: '10.90' }],
      stock: [{ offerExternalId: 'p1', warehouseExternalId: 'w-msk', quantity: '0', deleted: true }],
      products: [{ externalId: 'p2', name: 'x', deleted: true }],
    });
    expect(res.counts.prices).to.include({ updated: 1, deleted: 0 });
    expect(res.counts.stock).to.include({ deleted: 1 });
    const s = await snapshot();
    expect(s.products.map((p: { deleted: boolean }) => p.deleted)).to.deep.equal([false, true]);
    expect(s.prices.find((p: { type: string; offer: string }) => p.offer === 'p1' && p.type === 'pt-opt').value).to.equal('10.9000');
    expect(s.prices).to.have.length(3);
    expect(s.stock.filter((x: { deleted: boolean }) => x.deleted)).to.have.length(1);
  });

  it('reports references to unknown rows and skips them, without failing the run', async () => {
    await applyBatch(rt, opts('full'), smallCatalog());
    const res = await applyBatch(rt, opts('delta'), {
      offers: [{ externalId: 'ghost#1', productExternalId: 'ghost' }],
      prices: [
        { offerExternalId: 'p1', priceTypeExternalId: 'pt-unknown', value: '1.00' },
        { offerExternalId: 'p1', priceTypeExternalId: 'pt-base', value: '13.00' },
      ],
      counterparties: [{ externalId: 'c1', name: 'ООО Ромашка', priceTypeExternalId: 'pt-nope' }],
    });
    expect(res.counts.offers).to.include({ received: 1, inserted: 0, unknownRefs: 1 });
    expect(res.counts.prices).to.include({ received: 2, updated: 1, unknownRefs: 1 });
    const byEntity = Object.fromEntries(res.warnings.map((w) => [w.entity, w]));
    expect(byEntity.offers!.message).to.match(/skipped: they refer to products/);
    expect(byEntity.offers!.sample).to.deep.equal(['product ghost (of ghost#1)']);
    expect(byEntity.prices!.sample).to.deep.equal(['pt-unknown']);
    expect(byEntity.counterparties!.message).to.match(/left empty/);
    expect(await rt.db('counterparties').where({ external_id: 'c1' }).first()).to.include({ price_type_id: null });
    const run = await rt.db('sync_runs').where({ id: res.runId }).first();
    expect(run!.state).to.equal('succeeded');
    expect(run!.warnings).to.have.length(3);
  });

  it('a run that fails midway leaves the mirror exactly as it was and records why', async () => {
    await applyBatch(rt, opts('full'), smallCatalog());
    const before = await snapshot();
    const sourceBefore = await rt.db('sources').where({ id: sourceId }).first();
    const run = await openSyncRun(rt, opts('full', { cursor: 'c-99' }));
    await run.add('products', [{ externalId: 'p3', name: 'Гайка М8' }]);
    await run.add('stock', [{ offerExternalId: 'p1', warehouseExternalId: 'w-msk', quantity: '1' }]);
    // A price violating the mirror's CHECK (negative) slips past no validator: it must fail in SQL.
    await rt.db.raw('ALTER TABLE prices ADD CONSTRAINT test_small CHECK (value < 1000)');
    try {
      await run.add('prices', [{ offerExternalId: 'p1', priceTypeExternalId: 'pt-base', value: '5000.00' }]);
      const err = await run.commit().then(() => null, (e) => e);
      expect(err).to.be.instanceOf(SyncError);
      expect(err.message).to.match(/failed while applying: .*test_small/);
    } finally {
      await rt.db.raw('ALTER TABLE prices DROP CONSTRAINT test_small');
    }
    expect(await snapshot()).to.deep.equal(before);
    expect(await rt.db('sources').where({ id: sourceId }).first()).to.deep.equal(sourceBefore);
    const row = await rt.db('sync_runs').where({ id: run.id }).first();
    expect(row!.state).to.equal('failed');
    expect(row!.error).to.match(/test_small/);
  });

  it('a bad record fails the run with a message naming entity, record and field', async () => {
    const run = await openSyncRun(rt, opts('delta'));
    await run.add('products', [{ externalId: 'p1', name: 'ok' }]);
    const err = await run.add('prices', [
      { offerExternalId: 'p1', priceTypeExternalId: 'pt', value: '1.00' },
      { offerExternalId: 'p1', priceTypeExternalId: 'pt', value: '12,50' },
    ]).then(() => null, (e) => e);
    expect(err).to.be.instanceOf(SyncInputError);
    expect(err.message).to.equal('prices[1].value: must be a non-negative decimal string like "1234.50", got "12,50"');
    expect(await rt.db('products').count('* as n').first()).to.deep.equal({ n: 0 });
    expect((await rt.db('sync_runs').where({ id: run.id }).first())!.error).to.match(/^bad record: prices\[1\]\.value/);
    const again = await run.commit().then(() => null, (e) => e);
    expect(again.message).to.match(/already finished/);
  });

  it('documents: applied with their lines, lines replaced with the document, gone from a full run = deleted; a bad kind or line fails the run', async () => {
    const cp = { externalId: 'cp1', name: 'Альфа', inn: '7701000001', bankBic: '044525225', bankAccount: '40702810400000000001' };
    const line = (name: string, amount: string) => ({ lineNo: 1, name, quantity: '2', price: amount, amount });
    const doc = { externalId: 'd1', counterpartyExternalId: 'cp1', kind: 'invoice' as const, number: 'СЧ-1', date: '2026-03-05', amount: '10.00', lines: [line('Болт', '4.00'), line('Гайка', '6.00')] };
    const first = await applyBatch(rt, opts('full'), { counterparties: [cp], documents: [doc, { ...doc, externalId: 'd2', number: 'СЧ-2' }] });
    expect(first.counts.documents).to.include({ received: 2, inserted: 2 });
    const read = (id: string) => rt.db('documents').where({ source_id: sourceId, external_id: id }).first();
    expect((await read('d1'))!.lines.map((l: { name: string }) => l.name)).to.deep.equal(['Болт', 'Гайка']);
    expect(await rt.db('counterparties').where({ external_id: 'cp1' }).first()).to.include({ bank_bic: '044525225', bank_account: '40702810400000000001' });
    const second = await applyBatch(rt, opts('full'), { counterparties: [cp], documents: [{ ...doc, lines: [line('Шайба', '10.00')] }] });
    expect(second.counts.documents).to.include({ updated: 1, deleted: 1 });
    expect((await read('d1'))!.lines.map((l: { name: string }) => l.name)).to.deep.equal(['Шайба']);
    expect((await read('d2'))!.deleted).to.equal(true);
    const bad = async (d: Record<string, unknown>) => applyBatch(rt, opts('delta'), { documents: [{ ...doc, ...d } as typeof doc] }).then(() => null, (e) => e as Error);
    expect((await bad({ kind: 'receipt' }))!.message).to.contain('documents[0].kind: must be one of invoice, shipment, reconciliation, got "receipt"');
    expect((await bad({ lines: [{ name: 'Болт', amount: '1,50' }] }))!.message).to.contain('documents[0].lines: must be a list of lines');
    expect((await bad({ date: '05.03.2026' }))!.message).to.contain('documents[0].date: must be a date YYYY-MM-DD');
    const badCp = await applyBatch(rt, opts('delta'), { counterparties: [{ ...cp, bankAccount: '4070' }] }).then(() => null, (e) => e as Error);
    expect(badCp!.message).to.contain('counterparties[0].bankAccount: must be a bank account of 20 digits');
  });

  it('arrivals: offer and warehouse resolved, an unknown offer skipped and named, gone from a full run = deleted; a negative quantity or bad date fails the run', async () => {
    const cat = smallCatalog();
    const arrival = { externalId: 'ЗП-1/1', offerExternalId: 'p1', warehouseExternalId: 'w-msk', quantity: '40', expectedDate: '2026-12-10', orderNumber: 'ЗП-1' };
    const first = await applyBatch(rt, opts('full'), { ...cat, arrivals: [arrival, { ...arrival, externalId: 'ЗП-1/2', offerExternalId: 'p2' }, { ...arrival, externalId: 'ЗП-1/3', offerExternalId: 'ghost' }] });
    expect(first.counts.arrivals).to.include({ received: 3, inserted: 2, unknownRefs: 1 });
    expect(first.warnings.find((x) => x.entity === 'arrivals')!.sample!.join()).to.contain('ghost');
    const read = () => rt.db('expected_arrivals as a').join('offers as o', 'o.id', 'a.offer_id').join('warehouses as w', 'w.id', 'a.warehouse_id')
      .where('a.source_id', sourceId).orderBy('a.external_id')
      .select('a.external_id', 'o.external_id as offer', 'w.external_id as wh', 'a.quantity', 'a.deleted', rt.db.raw(`to_char(a.expected_date, 'YYYY-MM-DD') AS date`));
    expect((await read())[0]).to.deep.equal({ external_id: 'ЗП-1/1', offer: 'p1', wh: 'w-msk', quantity: '40.000', deleted: false, date: '2026-12-10' });
    const second = await applyBatch(rt, opts('full'), { ...cat, arrivals: [{ ...arrival, quantity: '35.5', expectedDate: '2026-12-12' }] });
    expect(second.counts.arrivals).to.include({ updated: 1, deleted: 1 });
    expect((await read()).map((r) => [r.external_id, r.quantity, r.date, r.deleted])).to.deep.equal([['ЗП-1/1', '35.500', '2026-12-12', false], ['ЗП-1/2', '40.000', '2026-12-10', true]]);
    const bad = (d: Record<string, unknown>) => applyBatch(rt, opts('delta'), { arrivals: [{ ...arrival, ...d } as typeof arrival] }).then(() => null, (e) => e as Error);
    expect((await bad({ quantity: '-5' }))!.message).to.contain('arrivals[0].quantity: must be a non-negative decimal string with at most 3 decimals, got "-5"');
    expect((await bad({ expectedDate: '10.12.2026' }))!.message).to.contain('arrivals[0].expectedDate: must be a date YYYY-MM-DD');
  });

  it('the same key twice in one run keeps the last record', async () => {
    await applyBatch(rt, opts('full'), smallCatalog());
    const res = await applyBatch(rt, opts('delta'), {
      stock: [
        { offerExternalId: 'p1', warehouseExternalId: 'w-msk', quantity: '7' },
        { offerExternalId: 'p1', warehouseExternalId: 'w-msk', quantity: '8' },
      ],
    });
    expect(res.counts.stock).to.include({ received: 2, updated: 1 });
    const s = await snapshot();
    expect(s.stock.find((x: { offer: string; wh: string }) => x.offer === 'p1' && x.wh === 'w-msk').quantity).to.equal('8.000');
  });

  it('moves the source’s as_of and cursor with the data, in the same transaction', async () => {
    const asOf = new Date('2026-11-27T09:00:00Z');
    await applyBatch(rt, opts('delta', { asOf, cursor: 'feed-42' }), { products: [{ externalId: 'p1', name: 'a' }] });
    let src = await rt.db('sources').where({ id: sourceId }).first();
    expect(src!.cursor).to.equal('feed-42');
    expect(src!.as_of!.toISOString()).to.equal(asOf.toISOString());
    // An older snapshot arriving late does not move as_of backwards.
    await applyBatch(rt, opts('delta', { asOf: new Date('2026-11-27T08:00:00Z') }), { products: [{ externalId: 'p1', name: 'b' }] });
    src = await rt.db('sources').where({ id: sourceId }).first();
    expect(src!.as_of!.toISOString()).to.equal(asOf.toISOString());
    expect(src!.cursor).to.equal('feed-42');
  });

  it('publishes stock crossing zero and changed prices after commit', async () => {
    await applyBatch(rt, opts('full'), smallCatalog());
    await rt.redis.del(changesStreamKey(rt.prefix));
    const res = await applyBatch(rt, opts('delta'), {
      stock: [
        { offerExternalId: 'p2', warehouseExternalId: 'w-msk', quantity: '3' }, // 0 → 3: arrived
        { offerExternalId: 'p1', warehouseExternalId: 'w-msk', quantity: '90' }, // 100 → 90: no crossing
        { offerExternalId: 'p2', warehouseExternalId: 'w-nsk', quantity: '0' }, // 5.5 → 0: sold out
      ],
      prices: [{ offerExternalId: 'p1', priceTypeExternalId: 'pt-base', value: '12.60' }],
    });
    const entries = await rt.redis.xrange(changesStreamKey(rt.prefix), '-', '+');
    expect(entries).to.have.length(1);
    const ev: MirrorChangeEvent = JSON.parse(entries[0]![1][1]!);
    const ids = Object.fromEntries((await rt.db('offers').select('id', 'external_id')).map((o) => [o.external_id, o.id]));
    const whs = Object.fromEntries((await rt.db('warehouses').select('id', 'external_id')).map((o) => [o.external_id, o.id]));
    expect(ev.runId).to.equal(res.runId);
    expect(ev.stockCrossed).to.have.deep.members([
      [ids.p2, whs['w-msk'], '3.000'],
      [ids.p2, whs['w-nsk'], '0.000'],
    ]);
    expect(ev.stockChangedOffers).to.have.members([ids.p1, ids.p2]);
    expect(ev.priceChangedOffers).to.deep.equal([ids.p1]);
    expect(ev.truncated).to.equal(false);

    // Nothing changed → no event.
    await applyBatch(rt, opts('delta'), { prices: [{ offerExternalId: 'p1', priceTypeExternalId: 'pt-base', value: '12.60' }] });
    expect(await rt.redis.xlen(changesStreamKey(rt.prefix))).to.equal(1);
  });

  it('a dry run reports what would change and writes nothing', async () => {
    await applyBatch(rt, opts('full'), smallCatalog());
    const before = await snapshot();
    const run = await openSyncRun(rt, opts('delta'));
    await run.add('products', [{ externalId: 'p1', name: 'Болт М8×40 оцинкованный', sku: 'BLT-M8' }, { externalId: 'p9', name: 'Шайба' }]);
    const res = await run.commit({ dryRun: true });
    expect(res.counts.products).to.include({ inserted: 1, updated: 1 });
    expect(await snapshot()).to.deep.equal(before);
  });

  it('shows progress of a running run', async () => {
    const run = await openSyncRun(rt, opts('full'));
    await run.progress({ done: 10, total: 10, message: 'products' });
    const row = await rt.db('sync_runs').where({ id: run.id }).first();
    expect(row).to.include({ state: 'running' });
    expect(row!.progress).to.deep.equal({ done: 10, total: 10, message: 'products' });
    await run.abort('stopped by test');
    expect((await rt.db('sync_runs').where({ id: run.id }).first())!.error).to.equal('stopped by test');
  });

  it('a first load with the same key twice keeps the last record and says consumers must re-scan', async () => {
    const b = smallCatalog();
    b.stock!.push({ offerExternalId: 'p1', warehouseExternalId: 'w-msk', quantity: '42' });
    const res = await applyBatch(rt, opts('full'), b);
    expect(res.counts.stock).to.include({ received: 4, inserted: 3 });
    const s = await snapshot();
    expect(s.stock.find((x: { offer: string; wh: string }) => x.offer === 'p1' && x.wh === 'w-msk').quantity).to.equal('42.000');
    const [[, [, raw]]] = (await rt.redis.xrange(changesStreamKey(rt.prefix), '-', '+')) as [string, string[]][];
    expect(JSON.parse(raw!).truncated).to.equal(true);
  });

  it('a first load with offers and their prices interleaved chunk by chunk resolves every price (the id map takes in the offers added since)', async () => {
    const run = await openSyncRun(rt, opts('full'));
    const b = smallCatalog();
    for (const e of ['groups', 'priceTypes', 'warehouses', 'products'] as const) if (b[e]) await run.add(e, b[e] as never);
    for (let page = 0; page < 3; page++) {
      const offers = [0, 1].map((i) => ({ externalId: `x${page}-${i}`, productExternalId: 'p1' }));
      await run.add('offers', offers);
      await run.add('prices', offers.map((o) => ({ offerExternalId: o.externalId, priceTypeExternalId: 'pt-base', value: `${page}.50` })));
    }
    const res = await run.commit();
    expect(res.counts.prices).to.include({ received: 6, inserted: 6, unknownRefs: 0 });
    expect(res.warnings).to.deep.equal([]);
    const n = await rt.db('prices as p').join('offers as o', 'o.id', 'p.offer_id').where('o.external_id', 'like', 'x%').count<{ n: string }[]>({ n: '*' });
    expect(Number(n[0]!.n)).to.equal(6);
  });

  it('a first load of prices while their price types are staged in the same run: known types go in directly, a type the run brings resolves at commit, an unknown one is named', async () => {
    const b = smallCatalog();
    await applyBatch(rt, opts('delta'), { groups: b.groups, priceTypes: b.priceTypes, warehouses: b.warehouses, products: b.products, offers: b.offers });
    const run = await openSyncRun(rt, opts('delta'));
    // the price types are there already: this run stages them, and brings one more
    await run.add('priceTypes', [...b.priceTypes!, { externalId: 'pt-new', name: 'Новая' }]);
    await run.add('prices', [
      ...b.prices!,
      { offerExternalId: 'p1', priceTypeExternalId: 'pt-new', value: '7.00' },
      { offerExternalId: 'p2', priceTypeExternalId: 'pt-missing', value: '8.00' },
    ]);
    const res = await run.commit();
    expect(res.counts.prices).to.include({ received: 5, inserted: 4, unknownRefs: 1 });
    expect(res.warnings.map((w) => [w.entity, w.sample])).to.deep.equal([['prices', ['pt-missing']]]);
    const s = await snapshot();
    expect(s.prices.map((p: { offer: string; type: string; value: string }) => `${p.offer}/${p.type}=${p.value}`)).to.have.members([
      ...b.prices!.map((p) => `${p.offerExternalId}/${p.priceTypeExternalId}=${Number(p.value).toFixed(4)}`),
      'p1/pt-new=7.0000',
    ]);
  });

  it('deleting a source removes its rows from the fact tables too', async () => {
    await applyBatch(rt, opts('full'), smallCatalog());
    const other = await ensureSource(rt.db, { name: 'other', kind: 'commerceml' });
    await applyBatch(rt, { sourceId: other, kind: 'test', mode: 'full' }, smallCatalog());
    await rt.db('sources').where({ id: sourceId }).delete();
    for (const t of ['prices', 'stock', 'offers', 'products']) {
      const rows = await rt.db(t).distinct('source_id');
      expect(rows.map((r) => r.source_id), t).to.deep.equal([other]);
    }
  });

  it('a first load reports unknown references the same way as later runs', async () => {
    const b = smallCatalog();
    b.offers!.push({ externalId: 'x#1', productExternalId: 'nope' });
    b.prices!.push({ offerExternalId: 'p1', priceTypeExternalId: 'pt-missing', value: '1.00' });
    b.counterparties = [{ externalId: 'c1', name: 'ООО Ромашка', priceTypeExternalId: 'pt-nope' }];
    const res = await applyBatch(rt, opts('full'), b);
    expect(res.counts.offers).to.include({ received: 4, inserted: 3, unknownRefs: 1 });
    expect(res.counts.prices).to.include({ received: 4, inserted: 3, unknownRefs: 1 });
    expect(res.counts.counterparties).to.include({ inserted: 1, unknownRefs: 1 });
    expect(res.warnings.map((w) => [w.entity, w.sample])).to.have.deep.members([
      ['offers', ['nope']],
      ['prices', ['pt-missing']],
      ['counterparties', ['pt-nope']],
    ]);
    expect(await rt.db('counterparties').where({ external_id: 'c1' }).first()).to.include({ price_type_id: null });
  });

  it('keeps INNs of 10 and 12 digits and refuses others', async () => {
    await applyBatch(rt, opts('delta'), {
      counterparties: [
        { externalId: 'c10', name: 'ООО Альфа', inn: '7701234567' },
        { externalId: 'c12', name: 'ИП Иванов', inn: '770123456789' },
      ],
    });
    expect((await rt.db('counterparties').orderBy('external_id').select('inn')).map((r) => r.inn)).to.deep.equal(['7701234567', '770123456789']);
    const err = await applyBatch(rt, opts('delta'), { counterparties: [{ externalId: 'c11', name: 'x', inn: '77012345678' }] }).then(() => null, (e) => e);
    expect(err.message).to.equal('counterparties[0].inn: must be an INN of 10 or 12 digits, got "77012345678"');
  });

  it('replaceByOffer: an offer carried by a delta run loses the warehouses and price types it no longer lists', async () => {
    await applyBatch(rt, opts('full'), smallCatalog());
    const run = await openSyncRun(rt, opts('delta'));
    await run.add('stock', [{ offerExternalId: 'p2', warehouseExternalId: 'w-nsk', quantity: '4' }]); // p2 no longer at w-msk
    await run.add('prices', [{ offerExternalId: 'p1', priceTypeExternalId: 'pt-base', value: '12.50' }]); // p1 lost pt-opt
    const res = await run.commit({ replaceByOffer: ['stock', 'prices'] });
    expect(res.counts.stock).to.include({ updated: 1, deleted: 1 });
    expect(res.counts.prices).to.include({ unchanged: 1, deleted: 1 });
    const s = await snapshot();
    type Row = { deleted: boolean; offer: string; wh: string; type: string };
    const live = (rows: Row[]) => rows.filter((r) => !r.deleted);
    expect(live(s.stock).map((r) => `${r.offer}@${r.wh}`)).to.deep.equal(['p1@w-msk', 'p2@w-nsk']);
    expect(live(s.prices).map((r) => `${r.offer}:${r.type}`)).to.deep.equal(['p1:pt-base', 'p2:pt-base']);
  });
});
