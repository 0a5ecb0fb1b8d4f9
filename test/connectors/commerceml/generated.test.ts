// Generated packages through the protocol: every version 2.03–3.1 (zipped or not, UTF-8 or
// windows-1251; the zipped ones with their pictures — 30 picture uploads one by one are
// simulator.test.ts's), full vs delta, split packages sharing one classifier, deactivate (without
// pictures: they are about rows, not files).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import { generatePackage, VERSIONS } from '../../../sim/commerceml/generator.ts';
import { type Exchange, exchange } from './harness.ts';

describe('CommerceML exchange: generated packages, full vs delta', () => {
  let ex: Exchange;
  let dir: string;
  before(async () => {
    ex = await exchange();
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cml-gen-'));
  });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));
  beforeEach(() => ex.reset());

  for (const [i, v] of VERSIONS.entries()) {
    const zip = i % 2 === 0;
    const encoding = v === '2.03' || v === '2.07' ? 'windows-1251' : i % 2 ? 'utf-8' : 'utf-8-bom';
    it(`${v} (${zip ? 'zipped' : 'plain files'}, ${encoding}): products, characteristics, prices and stock land`, async () => {
      const pkg = await generatePackage(path.join(dir, v), { products: 30, version: v, encoding, characteristicsEvery: 10, warehouses: 2, priceTypes: 3, pictures: zip });
      await ex.setSettings({ zip });
      const r = await ex.client({ version: v }).pushCatalog(pkg.files);
      expect(r.failed, r.failed?.lines.join('\n')).to.equal(undefined);
      expect(await ex.count('products')).to.equal(30);
      expect(await ex.count('offers')).to.equal(pkg.counts.offers);
      expect(await ex.count('prices')).to.equal(pkg.counts.prices);
      expect(await ex.count('stock')).to.equal(pkg.counts.stock);
      const p = await ex.rt.db('products').where({ source_id: ex.sourceId }).orderBy('external_id').first();
      expect(p!.name).to.equal('Товар 1 «Ёлка» №0');
      expect(p!.properties['Свойство 1']).to.equal('Значение 1');
      const ch = await ex.rt.db('offers').where({ source_id: ex.sourceId }).whereLike('external_id', '%#%').first();
      expect(ch!.characteristics).to.have.property('Размер');
    });
  }

  for (const [v, what, table] of [
    ['2.05', '<Статус>Удален</Статус> on offers', 'offers'],
    ['2.07', 'Статус="Удален" on products', 'products'],
    ['2.10', 'ПометкаУдаления=true on products and offers', 'products'],
  ] as const) {
    it(`deletion marks in a delta package: ${v} ${what}; a later mark false brings them back`, async () => {
      const base = await generatePackage(path.join(dir, `del-${v}-a`), { products: 10, version: v, pictures: false });
      expect((await ex.client().pushCatalog(base.files)).failed).to.equal(undefined);
      const marks = await generatePackage(path.join(dir, `del-${v}-b`), { products: 10, version: v, full: false, deleted: new Set([1, 2]), pictures: false });
      const r = await ex.client().pushCatalog(marks.files);
      expect(r.failed, r.failed?.lines.join('\n')).to.equal(undefined);
      expect(await ex.count(table, { deleted: true })).to.equal(2);
      expect(await ex.count(table, { deleted: false })).to.equal(8);
      await ex.client().pushCatalog(base.files);
      expect(await ex.count(table, { deleted: true })).to.equal(0);
    });
  }

  it('full package deletes (at deactivate) what it no longer carries; a delta package deletes nothing', async () => {
    const full20 = await generatePackage(path.join(dir, 'f20'), { products: 20, version: '2.10', pictures: false });
    expect((await ex.client().pushCatalog(full20.files)).failed).to.equal(undefined);
    expect(await ex.count('products', { deleted: false })).to.equal(20);

    const full10 = await generatePackage(path.join(dir, 'f10'), { products: 10, version: '2.10', pictures: false });
    const r = await ex.client().pushCatalog(full10.files);
    expect(r.answers.deactivate!.lines[0]).to.match(/item\(s\) not in the full package marked deleted/);
    expect(await ex.count('products', { deleted: false })).to.equal(10);
    expect(await ex.count('products', { deleted: true })).to.equal(10);
    expect(await ex.count('offers', { deleted: true })).to.equal(10);
    expect(await ex.count('price_types', { deleted: false })).to.equal(2);

    const delta = await generatePackage(path.join(dir, 'd5'), { products: 5, version: '2.10', full: false, priceBump: 1, pictures: false });
    const d = await ex.client().pushCatalog(delta.files);
    expect(d.answers.deactivate!.lines[0]).to.match(/nothing deactivated: no full package/);
    expect(await ex.count('products', { deleted: false })).to.equal(10);

    // the deleted ten come back with the next full package (soft delete)
    expect((await ex.client().pushCatalog(full20.files)).failed).to.equal(undefined);
    expect(await ex.count('products', { deleted: false })).to.equal(20);
  });

  it('a full offers package states each offer’s whole stock and prices: dropped warehouses and price types go', async () => {
    const three = await generatePackage(path.join(dir, 'w3'), { products: 10, version: '2.10', warehouses: 3, priceTypes: 3, pictures: false });
    expect((await ex.client().pushCatalog(three.files)).failed).to.equal(undefined);
    expect(await ex.count('stock', { deleted: false })).to.equal(three.counts.stock);
    const two = await generatePackage(path.join(dir, 'w2'), { products: 10, version: '2.10', warehouses: 2, priceTypes: 2, pictures: false });
    expect(two.counts.stock).to.be.below(three.counts.stock);
    const r = await ex.client().pushCatalog(two.files);
    expect(r.failed, r.failed?.lines.join('\n')).to.equal(undefined);
    expect(await ex.count('stock', { deleted: false })).to.equal(two.counts.stock);
    expect(await ex.count('prices', { deleted: false })).to.equal(two.counts.prices);
  });

  it('split full package (import0_1 with the classifier, import0_2 without) is one catalog: nothing of part 1 deleted', async () => {
    const a = await generatePackage(path.join(dir, 's1'), { products: 8, version: '2.07', part: 1, pictures: false });
    const b = await generatePackage(path.join(dir, 's2'), { products: 8, version: '2.07', part: 2, start: 8, classifier: false, pictures: false });
    const r = await ex.client().pushCatalog([...a.files, ...b.files]);
    expect(r.failed, r.failed?.lines.join('\n')).to.equal(undefined);
    expect(await ex.count('products', { deleted: false })).to.equal(16);
    expect(await ex.count('offers', { deleted: false })).to.equal(16);
    // part 2 had no classifier: its property names come from part 1's
    const last = await ex.rt.db('products').where({ source_id: ex.sourceId }).orderBy('external_id', 'desc').first();
    expect(last!.name).to.equal('Товар 16 «Ёлка» №15');
    expect(last!.properties['Свойство 2']).to.be.a('string');
  });

  it('a failed file in a full session blocks deactivation (no mass deletion on partial data)', async () => {
    const full = await generatePackage(path.join(dir, 'x20'), { products: 20, version: '2.10', pictures: false });
    await ex.client().pushCatalog(full.files);
    const small = await generatePackage(path.join(dir, 'x5'), { products: 5, version: '2.10', pictures: false });
    const c = ex.client();
    await c.checkauth('catalog');
    await c.init('catalog');
    for (const f of small.files) await c.upload('catalog', f);
    await c.upload('catalog', { name: 'offers___broken.xml', data: Buffer.from('<КоммерческаяИнформация><ПакетПредложений СодержитТолькоИзменения="false"><Предложения>') });
    expect((await c.importFile('catalog', small.files[0]!.name)).status).to.equal('success');
    expect((await c.importFile('catalog', 'offers___broken.xml')).status).to.equal('failure');
    const d = await c.call('catalog', 'deactivate');
    expect(d.lines[0]).to.match(/nothing deactivated: a file of this session did not import/);
    expect(await ex.count('products', { deleted: false })).to.equal(20);
  });
});
