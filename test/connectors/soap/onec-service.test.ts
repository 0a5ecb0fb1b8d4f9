import path from 'node:path';
import { expect } from 'chai';
import { loadMapping } from '../../../connectors/soap/index.ts';
import { provideSecret } from '../../../src/infra/config.ts';
import type { Runtime } from '../../../src/infra/runtime.ts';
import { runChanges, runFullSync, soapSourceRow } from '../../../src/sources/soap-source.ts';
import { ensureSource } from '../../../src/sync/index.ts';
import { ONEC_LOGIN, ONEC_PASSWORD, type OnecService, startOnecService } from '../../support/onec-service.ts';
import { testRuntime } from '../../support/runtime.ts';

const MAPPING = path.resolve('test/connectors/soap/fixtures/ut-site.yaml');

// The promise of the SOAP connector: a new system is a new mapping. This service is shaped as 1C
// publishes one (not the simulator) and is read with a mapping file only.
describe('soap: a 1C-published web service read with a mapping only', () => {
  let rt: Runtime;
  let svc: OnecService;
  let sourceId: number;
  let full: Awaited<ReturnType<typeof runFullSync>>;
  before(async () => {
    rt = await testRuntime();
    svc = await startOnecService();
    provideSecret('UT_SITE_USER', ONEC_LOGIN);
    provideSecret('UT_SITE_PASSWORD', ONEC_PASSWORD);
    sourceId = await ensureSource(rt.db, { name: 'ut11', kind: 'soap', title: 'УТ 11', settings: { mapping: MAPPING, endpoint: svc.url } });
    await rt.db('sources').where({ id: sourceId }).update({ settings: JSON.stringify({ mapping: MAPPING, endpoint: svc.url }) });
    full = await runFullSync(rt, await soapSourceRow(rt, 'ut11'));
  });
  /** Each feed test starts from its own cursor, so none depends on the one before it. */
  const changesFrom = async (cursor: string) => {
    await rt.db('sources').where({ id: sourceId }).update({ cursor });
    return runChanges(rt, await soapSourceRow(rt, 'ut11'));
  };
  after(() => svc.stop());

  const price = async (offer: string) =>
    (await rt.db('prices as p').join('offers as o', 'o.id', 'p.offer_id').where({ 'o.source_id': sourceId, 'o.external_id': offer }).first('p.value'))?.value;
  const stock = async (offer: string, warehouse: string) =>
    (await rt.db('stock as s').join('offers as o', 'o.id', 's.offer_id').join('warehouses as w', 'w.id', 's.warehouse_id')
      .where({ 'o.source_id': sourceId, 'o.external_id': offer, 'w.external_id': warehouse, 's.deleted': false }).first('s.quantity'))?.quantity;

  it('validates: Russian element and operation names are paths, decode/timeZone/totalPages/lookup lists are accepted', async () => {
    const loaded = await loadMapping(MAPPING);
    expect(loaded.mapping.service.timeZone).to.equal('Europe/Moscow');
    expect(loaded.mapping.changes?.decode).to.deep.equal({ from: 'return', as: 'json' });
  });

  it('syncs in full: every page by the page count, "20%", "1 234,50", names for ids, local time, empty dates', async () => {
    expect(full.result?.counts.products?.inserted).to.equal(5);
    // three pages, the second one short: the page count, not the page size, ends the paging
    expect(svc.calls.filter((c) => c.operation === 'GetGoods').map((c) => c.args.НомерСтраницы)).to.deep.equal(['1', '2', '3']);
    expect((await rt.db('products').where({ source_id: sourceId, external_id: 'Т-1' }).first('vat_rate'))?.vat_rate).to.equal('20.00');
    expect((await rt.db('warehouses').where({ source_id: sourceId, external_id: 'С-9' }).first('kind', 'commission_pct'))).to.deep.equal({ kind: 'partner', commission_pct: '5.000' });
    expect(await price('Т-1')).to.equal('1234.5000');
    expect(await price('Т-5')).to.equal('12000.0000');
    expect(await stock('Т-1', 'С-9')).to.equal('4.000'); // given by the warehouse's name
    expect(await stock('Т-2', 'С-1')).to.equal('1500.000');
    const contract = await rt.db('contracts').where({ source_id: sourceId, external_id: 'Д-1' }).first('valid_from', 'valid_to');
    expect(contract?.valid_to).to.equal(null); // 1C's empty date
    expect(contract?.valid_from).to.be.instanceOf(Date);
    expect(full.asOf?.toISOString()).to.equal('2024-05-01T09:00:00.000Z'); // 12:00 in Moscow
    expect(full.cursor).to.equal('5');
  });

  it('syncs changes from a JSON feed inside `return`: numbers keep their digits, two calls while hasMore', async () => {
    const out = await changesFrom('5');
    expect(out.cursor).to.equal('7');
    expect(await price('Т-1')).to.equal('12345678901234.5678'); // a float would give …234.568
    expect(await stock('Т-1', 'С-9')).to.equal('7.000');
    expect(await price('Т-6')).to.equal('1.0500');
    expect(await stock('Т-6', 'С-2')).to.equal('300.000');
    const src = await rt.db('sources').where({ id: sourceId }).first('as_of', 'cursor');
    expect(src?.as_of?.toISOString()).to.equal('2024-05-01T09:30:00.000Z');
    expect(src?.cursor).to.equal('7');
  });

  it('bad JSON in the feed fails the run naming the operation and the position; the mirror and cursor stay', async () => {
    const before = await price('Т-1');
    svc.breakFeed('{"cursor": "8", "goods": [{"Ид": "Т-1"');
    let err: unknown;
    await changesFrom('7').catch((e: unknown) => (err = e));
    expect(String(err)).to.match(/GetChanges: decode\.from "return" is not valid JSON: .*position \d+/);
    expect((await rt.db('sources').where({ id: sourceId }).first('cursor'))?.cursor).to.equal('7');
    expect(await price('Т-1')).to.equal(before);
  });

  it('a warehouse neither id nor name matches is an error naming the value', async () => {
    svc.breakFeed(JSON.stringify({ cursor: '9', hasMore: false, goods: [{ Ид: 'Т-2', Наименование: 'Гайка М8', Остатки: { Остаток: [{ Склад: 'Склад на Луне', Количество: 1 }] } }] }));
    let err: unknown;
    await changesFrom('8').catch((e: unknown) => (err = e));
    expect(String(err)).to.contain('no warehouses with externalId or name "Склад на Луне"');
  });
});
