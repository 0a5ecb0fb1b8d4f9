// The catalog side of the exchange, through HTTP with the test playing 1C.
import fs from 'node:fs';
import { expect } from 'chai';
import { zipFiles, type UploadFile } from '../../../sim/commerceml/client.ts';
import { type Exchange, exchange } from './harness.ts';
import { SAMPLE, samplePath } from './samples.ts';

const file = (rel: string): UploadFile => ({ name: rel.split('/').pop()!, data: samplePath(rel) });

describe('CommerceML exchange: catalog protocol over HTTP', () => {
  let ex: Exchange;
  before(async () => {
    ex = await exchange();
  });
  beforeEach(() => ex.reset());

  it('checkauth answers success, cookie name, value, sessid= and timestamp=', async () => {
    const c = ex.client();
    const a = await c.checkauth('catalog');
    expect(a.httpStatus).to.equal(200);
    expect(a.status).to.equal('success');
    expect(a.lines[0]).to.equal('CPEXCH');
    expect(a.lines[1]).to.match(/^[0-9a-f]{48}$/);
    expect(a.lines[2]).to.match(/^sessid=[0-9a-f]{32}$/);
    expect(a.lines[3]).to.match(/^timestamp=\d{10}$/);
    const init = await c.init('catalog');
    expect(init.raw.toString()).to.match(/^zip=yes\nfile_limit=\d+$/);
  });

  it('wrong credentials, no credentials and a missing session → failure with a reason', async () => {
    const wrong = await ex.client({ password: 'nope' }).checkauth('catalog');
    expect([wrong.status, wrong.lines[0]]).to.deep.equal(['failure', 'wrong login or password']);
    const unknown = await ex.client({ login: 'someone' }).checkauth('catalog');
    expect(unknown.status).to.equal('failure');
    const c = ex.client();
    const noSession = await c.call('catalog', 'init');
    expect(noSession.status).to.equal('failure');
    expect(noSession.lines[0]).to.match(/no exchange session/);
    const noAuth = await fetch(`${ex.url}?type=catalog&mode=checkauth`);
    expect((await noAuth.text()).split('\n')).to.deep.equal(['failure', 'no credentials: send HTTP Basic authorization (login and password of the exchange node)']);
    const badType = await c.call('nonsense' as 'catalog', 'init');
    expect(badType.status).to.equal('failure');
  });

  it('#12 + #13 (2.07 split package), uploaded unzipped in small chunks: 36 products, 8 offers of products not sent reported', async () => {
    await ex.setSettings({ zip: false });
    const c = ex.client({ maxChunk: 10_000 });
    const r = await c.pushCatalog([file(SAMPLE.dmImport), file(SAMPLE.dmOffers)]);
    expect(r.failed, r.failed?.lines.join('\n')).to.equal(undefined);
    // 36 products in the file; the one marked Статус="Удален" was never in the mirror, so it is not created
    expect(await ex.count('products')).to.equal(35);
    expect(await ex.count('products', { deleted: true })).to.equal(0);
    // 36 of the 44 offers name a product of #12; one of those products is the deleted one
    expect(await ex.count('offers')).to.equal(35);
    expect(await ex.count('warehouses')).to.equal(3);
    expect(await ex.count('stock')).to.equal(35 * 3);
    expect(await ex.count('prices')).to.equal(35);
    const offersAnswer = r.answers['offers0_1.xml']!;
    expect(offersAnswer.status).to.equal('success');
    expect(offersAnswer.lines.join('\n')).to.match(/warning: 9 offers record\(s\) skipped: they refer to products/);
    const p = await ex.rt.db('products').where({ source_id: ex.sourceId, deleted: false }).whereNotNull('barcode').first();
    expect(Object.keys(p!.properties).length).to.be.greaterThan(0);
    expect(c.polls).to.be.greaterThan(1);
  });

  it('#1 + #2 (official 2.04, zipped): characteristic products and their offers resolve; 4 price types × 2 offers', async () => {
    const r = await ex.client().pushCatalog([file(SAMPLE.offDocImport), file(SAMPLE.offDocOffers)]);
    expect(r.failed, r.failed?.lines.join('\n')).to.equal(undefined);
    expect(await ex.count('products')).to.equal(4);
    expect(await ex.count('offers')).to.equal(2);
    expect(await ex.count('price_types')).to.equal(4);
    expect(await ex.count('prices')).to.equal(8);
  });

  it('#17 + #18 (2.08, xmlns 210): 5 groups, 2 products, 2 characteristic offers of one product, 6 prices', async () => {
    const r = await ex.client().pushCatalog([file(SAMPLE.bpImport), file(SAMPLE.bpOffers)]);
    expect(r.failed, r.failed?.lines.join('\n')).to.equal(undefined);
    expect(await ex.count('product_groups')).to.equal(5);
    expect(await ex.count('products')).to.equal(2);
    expect(await ex.count('offers')).to.equal(2);
    expect(await ex.count('price_types')).to.equal(3);
    expect(await ex.count('prices')).to.equal(6);
    const offers = await ex.rt.db('offers').where({ source_id: ex.sourceId });
    expect(new Set(offers.map((o) => o.product_id)).size).to.equal(1);
    // "as of" is the files' ДатаФормирования (1C local time), not the moment of the import
    const src = await ex.rt.db('sources').where({ id: ex.sourceId }).first('as_of');
    expect(src!.as_of!.getFullYear()).to.be.lessThan(new Date().getFullYear());
  });

  it('#8–#11 (2.09 split into import/offers/prices/rests) with products from a companion file: 978 offers, prices, stock', async () => {
    // The products file of that exchange is not in the sample repo: derive one from the offer ids.
    const ids = [...fs.readFileSync(samplePath(SAMPLE.gbOffers), 'utf8').matchAll(/<Предложение>\s*<Ид>([^<]+)<\/Ид>/g)].map((m) => m[1]!.split('#')[0]!);
    const goods = `<?xml version="1.0" encoding="UTF-8"?><КоммерческаяИнформация xmlns="urn:1C.ru:commerceml_2" ВерсияСхемы="2.09"><Каталог СодержитТолькоИзменения="true"><Товары>${[...new Set(ids)].map((id, i) => `<Товар><Ид>${id}</Ид><Наименование>Товар ${i}</Наименование></Товар>`).join('')}</Товары></Каталог></КоммерческаяИнформация>`;
    const r = await ex.client().pushCatalog([
      file(SAMPLE.gbImport),
      { name: 'import___goods.xml', data: Buffer.from(goods) },
      file(SAMPLE.gbOffers),
      file(SAMPLE.gbPrices),
      file(SAMPLE.gbRests),
    ]);
    expect(r.failed, r.failed?.lines.join('\n')).to.equal(undefined);
    expect(await ex.count('product_groups')).to.equal(97);
    expect(await ex.count('price_types')).to.equal(1);
    expect(await ex.count('warehouses')).to.equal(1);
    expect(await ex.count('offers')).to.equal(978);
    expect(await ex.count('prices')).to.equal(978);
    expect(await ex.count('stock')).to.equal(978);
  });

  it('#8–#11 without the products: the offers file applied nothing → failure naming what was dropped; the exchange stops', async () => {
    const r = await ex.client().pushCatalog([file(SAMPLE.gbImport), file(SAMPLE.gbOffers), file(SAMPLE.gbPrices), file(SAMPLE.gbRests)]);
    const offers = file(SAMPLE.gbOffers).name;
    expect(r.failed).to.equal(r.answers[offers]);
    expect(r.failed!.status).to.equal('failure');
    expect(r.failed!.lines[0]).to.equal(
      `${offers}: nothing of its catalog data was applied — offers 978 dropped (they refer to products the mirror does not have)`,
    );
    expect(r.failed!.lines).to.include(`${offers} (CommerceML 2.09): offers 978 read, 0 applied (new 0, changed 0, deleted 0, unchanged 0), 978 skipped`);
    expect(r.failed!.lines.join('\n')).to.match(/warning: 978 offers record\(s\) skipped: they refer to products the mirror does not have \(e\.g\. 26b0dc1e-/);
    // the classifier file before it did apply, and the failed file blocks deactivation
    expect(await ex.count('product_groups')).to.equal(97);
    expect(await ex.count('offers')).to.equal(0);
    expect(r.answers[file(SAMPLE.gbPrices).name]).to.equal(undefined);
  });

  it('droppedData=warning (per source): the same file answers success with the drop as its first warning', async () => {
    await ex.setSettings({ droppedData: 'warning' });
    const r = await ex.client().pushCatalog([file(SAMPLE.gbImport), file(SAMPLE.gbOffers)]);
    expect(r.failed, r.failed?.lines.join('\n')).to.equal(undefined);
    const a = r.answers[file(SAMPLE.gbOffers).name]!;
    expect(a.lines[0]).to.match(/^warning: offers___7f30.*: nothing of its catalog data was applied — offers 978 dropped/);
    expect(await ex.count('offers')).to.equal(0);
  });

  it('#5 + #6 (3.1): 8 price types, 12 warehouses; rests name the classifier warehouses', async () => {
    // The goods/offers files of that exchange are not in the samples: derive the offers from the rests' ids.
    const ids = [...fs.readFileSync(samplePath(SAMPLE.bitrix6Rests), 'utf8').matchAll(/<Предложение>\s*<Ид>([^<]+)<\/Ид>/g)].map((m) => m[1]!);
    expect(ids).to.have.length(86);
    const products = [...new Set(ids.map((id) => id.split('#')[0]!))];
    const goods = `<?xml version="1.0" encoding="UTF-8"?><КоммерческаяИнформация ВерсияСхемы="3.1"><Каталог><Товары>${products.map((id) => `<Товар><Ид>${id}</Ид><Наименование>т</Наименование></Товар>`).join('')}</Товары></Каталог></КоммерческаяИнформация>`;
    const offers = `<?xml version="1.0" encoding="UTF-8"?><КоммерческаяИнформация ВерсияСхемы="3.1"><ПакетПредложений><Предложения>${ids.map((id) => `<Предложение><Ид>${id}</Ид><Наименование>в</Наименование></Предложение>`).join('')}</Предложения></ПакетПредложений></КоммерческаяИнформация>`;
    const r = await ex.client({ version: '3.1' }).pushCatalog([
      file(SAMPLE.bitrix6Import),
      { name: 'import___goods.xml', data: Buffer.from(goods) },
      { name: 'offers___goods.xml', data: Buffer.from(offers) },
      file(SAMPLE.bitrix6Rests),
    ]);
    expect(r.failed, r.failed?.lines.join('\n')).to.equal(undefined);
    expect(await ex.count('price_types')).to.equal(8);
    expect(await ex.count('warehouses')).to.equal(12);
    const rests = r.answers['rests.xml']!.lines.join('\n');
    expect(rests).to.match(/stock 1032 read, 1032 applied \(new 1032/);
    expect(await ex.count('stock')).to.equal(1032);
    expect(rests).not.to.match(/warehouses the mirror does not have/);
  });

  it('#19 (2.10 classifier), #15 (counterparties), #7 (UMI offers), #4 (UT 10.3 offers, deleted as <Статус>)', async () => {
    const r = await ex.client().pushCatalog([file(SAMPLE.tbImport), file(SAMPLE.acContractors)]);
    expect(r.failed, r.failed?.lines.join('\n')).to.equal(undefined);
    // 33 Группа elements, two of them repeat an id already in the tree
    expect(await ex.count('product_groups')).to.equal(31);
    expect(await ex.count('price_types')).to.equal(2);
    expect(await ex.count('warehouses')).to.equal(6);
    expect(await ex.count('counterparties')).to.equal(4);
    // #7's products are not in the samples: its offers and prices are dropped (named), its price types kept
    const umi = await ex.client().pushCatalog([file(SAMPLE.umiOffers)]);
    expect(umi.failed?.lines[0], umi.failed?.lines.join("\n")).to.match(/^offers\.xml: nothing of its catalog data was applied — offers 14 dropped \(they refer to products the mirror does not have\); prices 70 dropped \(they refer to offers the mirror does not have\); stock 14 dropped \(they refer to offers the mirror does not have\)$/);
    expect(await ex.count('price_types')).to.equal(2 + 5);
    // #4: products first (derived from the offer ids), then the offers with 6 deletion marks
    const ids = [...fs.readFileSync(samplePath(SAMPLE.ut101Offers), 'utf8').matchAll(/<Предложение>\s*<Ид>([^<]+)<\/Ид>/g)].map((m) => m[1]!.split('#')[0]!);
    const goods = `<?xml version="1.0" encoding="UTF-8"?><КоммерческаяИнформация ВерсияСхемы="2.05"><Каталог><Товары>${[...new Set(ids)].map((id) => `<Товар><Ид>${id}</Ид><Наименование>т</Наименование></Товар>`).join('')}</Товары></Каталог></КоммерческаяИнформация>`;
    const ut = await ex.client().pushCatalog([{ name: 'import.xml', data: Buffer.from(goods) }, file(SAMPLE.ut101Offers)]);
    expect(ut.failed, ut.failed?.lines.join('\n')).to.equal(undefined);
    const offerIds = (await ex.rt.db('offers').where({ source_id: ex.sourceId }).select('external_id', 'deleted'));
    // deleted offers that never existed are not created: 103 − 6 live offers
    expect(offerIds.filter((o) => !o.deleted)).to.have.length(97);
    expect(await ex.count('prices')).to.be.greaterThan(70);
  });

  it('checkauth removes sessions abandoned for a week; an import no worker takes is reported, not polled forever', async () => {
    const c = ex.client();
    await c.checkauth('catalog');
    await ex.rt.db('commerceml_sessions').update({ last_seen_at: new Date(Date.now() - 8 * 24 * 3600 * 1000) });
    await ex.client().checkauth('catalog');
    expect(await ex.rt.db('commerceml_sessions').count({ n: '*' })).to.deep.equal([{ n: 1 }]);
    const d = ex.client();
    await d.checkauth('catalog');
    await d.init('catalog');
    const [s] = await ex.rt.db('commerceml_sessions').orderBy('id', 'desc').limit(1);
    await ex.rt.db('commerceml_imports').insert({ session_id: s.id, filename: 'import.xml', created_at: new Date(Date.now() - 11 * 60_000) });
    const a = await d.call('catalog', 'import', { filename: 'import.xml' });
    expect(a.status).to.equal('failure');
    expect(a.lines[0]).to.match(/no worker has picked up the import/);
  });

  it('import before upload, unsafe names, and a second import of the same file', async () => {
    const c = ex.client();
    await c.checkauth('catalog');
    await c.init('catalog');
    const missing = await c.call('catalog', 'import', { filename: 'import.xml' });
    expect([missing.status, missing.lines[0]]).to.deep.equal(['failure', 'file import.xml was not uploaded in this session']);
    for (const bad of ['../evil.xml', '/etc/passwd', 'a/../../b.xml', 'x\u0000.xml']) {
      const a = await c.call('catalog', 'file', { filename: bad }, Buffer.from('<x/>'));
      expect(a.status, bad).to.equal('failure');
      expect(a.lines[0]).to.match(/unsafe or missing file name/);
    }
    const win = await c.call('catalog', 'file', { filename: 'C:\\v8_8789_c.xml' }, fs.readFileSync(samplePath(SAMPLE.bpImport)));
    expect(win.lines[0]).to.match(/^v8_8789_c\.xml:/);
    const pic = await c.call('catalog', 'file', { filename: 'import_files/ab/abcd.jpg' }, Buffer.from([1, 2, 3]));
    expect(pic.status).to.equal('success');
    expect((await c.importFile('catalog', 'v8_8789_c.xml')).status).to.equal('success');
    expect((await c.importFile('catalog', 'v8_8789_c.xml')).status).to.equal('success');
    expect(await ex.count('products')).to.equal(2);
  });

  it('zip: traversal entries and archives over the unpacked-size limit are refused, mirror unchanged', async () => {
    // yazl refuses "..": write a same-length name and patch it in, as a hostile archive has it
    const evil = (await zipFiles([{ name: 'aa/aa/evil.xml', data: Buffer.from('<x/>') }])) as Buffer;
    const name = Buffer.from(evil.toString('latin1').replaceAll('aa/aa/evil.xml', '../../evil.xml'), 'latin1');
    expect(name.includes(Buffer.from('../../evil.xml'))).to.equal(true);
    const c = ex.client();
    await c.checkauth('catalog');
    await c.init('catalog');
    await c.upload('catalog', { name: 'v8_1.zip', data: name });
    const a = await c.importFile('catalog', 'evil.xml');
    expect(a.status).to.equal('failure');
    expect(a.lines[0]).to.match(/unsafe name|invalid relative path/);

    await ex.setSettings({ limits: { maxUnzippedBytes: 1_000_000 } });
    const bomb = await zipFiles([{ name: 'import.xml', data: Buffer.alloc(20_000_000, 0x20) }]);
    const c2 = ex.client();
    await c2.checkauth('catalog');
    await c2.init('catalog');
    expect((bomb as Buffer).length).to.be.lessThan(100_000);
    await c2.upload('catalog', { name: 'v8_2.zip', data: bomb });
    const b = await c2.importFile('catalog', 'import.xml');
    expect(b.status).to.equal('failure');
    expect(b.lines[0]).to.match(/unpacks to more than 1000000 bytes/);
    expect(await ex.count('products')).to.equal(0);

    await ex.setSettings({ limits: { maxZipEntries: 2 } });
    const many = await zipFiles(['a', 'b', 'c'].map((n) => ({ name: `${n}.xml`, data: Buffer.from('<x/>') })));
    const c3 = ex.client();
    await c3.checkauth('catalog');
    await c3.init('catalog');
    await c3.upload('catalog', { name: 'v8_3.zip', data: many });
    const m = await c3.importFile('catalog', 'a.xml');
    expect([m.status, m.lines[0]]).to.deep.equal(['failure', 'a.xml: archive has 3 entries, more than the limit of 2']);
  });

  it('a file or a session over its size limit is refused; a DOCTYPE or broken file changes nothing', async () => {
    await ex.client().pushCatalog([file(SAMPLE.bpImport)]);
    expect(await ex.count('products')).to.equal(2);
    await ex.setSettings({ zip: false, limits: { maxFileBytes: 5000, maxSessionBytes: 8000 } });
    const c = ex.client();
    await c.checkauth('catalog');
    await c.init('catalog');
    const big = await c.call('catalog', 'file', { filename: 'import.xml' }, Buffer.alloc(6000, 0x20));
    expect([big.status, big.lines[0]]).to.deep.equal(['failure', 'file is larger than the limit of 5000 bytes']);
    await c.call('catalog', 'file', { filename: 'a.xml' }, Buffer.alloc(4000, 0x20));
    const over = await c.call('catalog', 'file', { filename: 'b.xml' }, Buffer.alloc(4500, 0x20));
    expect(over.lines[0]).to.equal('the exchange session passed its total size limit');

    await ex.setSettings({ limits: {} });
    const xxe = `<?xml version="1.0"?><!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]><КоммерческаяИнформация><Каталог><Товары><Товар><Ид>&x;</Ид><Наименование>x</Наименование></Товар></Товары></Каталог></КоммерческаяИнформация>`;
    const r1 = await ex.client().pushCatalog([{ name: 'import.xml', data: Buffer.from(xxe) }]);
    expect(r1.failed?.status).to.equal('failure');
    expect(r1.failed?.lines[0]).to.match(/DOCTYPE and entity declarations are not allowed/);
    // valid products first, then the file breaks: nothing of it may land
    const good = fs.readFileSync(samplePath(SAMPLE.dmImport), 'utf8');
    const broken = good.slice(0, Math.floor(good.length * 0.8));
    const r2 = await ex.client().pushCatalog([{ name: 'import0_1.xml', data: Buffer.from(broken) }]);
    expect(r2.failed?.status).to.equal('failure');
    expect(r2.failed?.lines[0]).to.match(/malformed XML/);
    expect(await ex.count('products')).to.equal(2);
  });

  it('sessions live in Postgres: a second router instance (a restarted web process) continues the exchange', async () => {
    const c = ex.client();
    await c.checkauth('catalog');
    await c.init('catalog');
    await c.upload('catalog', file(SAMPLE.bpImport));
    // Same cookie against a brand-new app + router on another port.
    const { createApp } = await import('../../../src/web/app.ts');
    const { commercemlRouter } = await import('../../../connectors/commerceml/index.ts');
    const server = createApp(ex.rt, [{ path: '/exchange/1c', router: commercemlRouter(ex.rt, { uploadPrefix: ex.uploadPrefix }) }]).listen(0, '127.0.0.1');
    await new Promise((r) => server.once('listening', r));
    try {
      const port = (server.address() as { port: number }).port;
      const c2 = Object.assign(ex.client(), { cookie: c.cookie, sessid: c.sessid });
      (c2 as { url: string }).url = `http://127.0.0.1:${port}/exchange/1c`;
      expect((await c2.importFile('catalog', 'import.xml')).status).to.equal('success');
    } finally {
      server.close();
    }
    expect(await ex.count('products')).to.equal(2);
  });
});
