// What third-party 1C-node emulators (written for Bitrix sites) send, through the real HTTP
// exchange: a windows-1251 CommerceML 2.08 package whose Каталог sits inside Классификатор and
// whose stock is a bare <Остаток>, each file zipped in its own session; a checkauth with
// type=sale before a catalog exchange; a file whose data is all dropped. Fixtures are encoded by
// iconv-lite, not by the decoder under test.
import { expect } from 'chai';
import iconv from 'iconv-lite';
import type { UploadFile } from '../../../sim/commerceml/client.ts';
import { type Exchange, exchange } from './harness.ts';

const N = 60;
const ids = Array.from({ length: N }, (_, i) => `0c7e${String(i).padStart(4, '0')}-aa11-11ee-8000-00155d000001`);
const doc = (body: string) =>
  iconv.encode(
    `<?xml version="1.0" encoding="windows-1251"?>\r\n<КоммерческаяИнформация ВерсияСхемы="2.08" ДатаФормирования="2024-05-01T10:00:00">${body}</КоммерческаяИнформация>`,
    'win1251',
  );

/** The emulators' package: import (groups + nested Каталог), offers (price type + prices), rests (bare Остаток). */
function emulatorPackage(): { import: UploadFile; offers: UploadFile; rests: UploadFile } {
  const products = ids
    .map((id, i) => `<Товар><Ид>${id}</Ид><Артикул>А-${i}</Артикул><Наименование>Товар №${i} «Ёлочный» — ’тест’</Наименование><Группы><Ид>grp-${i % 3}</Ид></Группы></Товар>`)
    .join('');
  const groups = [0, 1, 2].map((g) => `<Группа><Ид>grp-${g}</Ид><Наименование>Группа ${g}</Наименование></Группа>`).join('');
  const imp = doc(
    `<Классификатор><Ид>cls</Ид><Наименование>Классификатор</Наименование><Группы>${groups}</Группы>` +
      `<Каталог СодержитТолькоИзменения="false"><Ид>cat</Ид><ИдКлассификатора>cls</ИдКлассификатора><Наименование>Каталог</Наименование><Товары>${products}</Товары></Каталог></Классификатор>`,
  );
  const offers = doc(
    `<ПакетПредложений СодержитТолькоИзменения="false"><Ид>cat#</Ид><ИдКаталога>cat</ИдКаталога><ТипыЦен><ТипЦены><Ид>retail</Ид><Наименование>Розничная</Наименование><Валюта>RUB</Валюта></ТипЦены></ТипыЦен><Предложения>${ids
      .map((id, i) => `<Предложение><Ид>${id}</Ид><Наименование>Товар №${i}</Наименование><Цены><Цена><ИдТипаЦены>retail</ИдТипаЦены><ЦенаЗаЕдиницу>${100 + i}.10</ЦенаЗаЕдиницу><Валюта>RUB</Валюта></Цена></Цены></Предложение>`)
      .join('')}</Предложения></ПакетПредложений>`,
  );
  const rests = doc(
    `<ПакетПредложений СодержитТолькоИзменения="true"><Ид>cat#</Ид><Предложения>${ids.map((id, i) => `<Предложение><Ид>${id}</Ид><Остаток>${i === 0 ? '40' : `${i}.5`}</Остаток></Предложение>`).join('')}</Предложения></ПакетПредложений>`,
  );
  return { import: { name: 'import.xml', data: imp }, offers: { name: 'offers.xml', data: offers }, rests: { name: 'rests.xml', data: rests } };
}

describe('CommerceML exchange: what Bitrix node emulators send', () => {
  let ex: Exchange;
  before(async () => {
    ex = await exchange();
  });
  beforeEach(() => ex.reset());

  it('a windows-1251 2.08 package, Каталог inside Классификатор, bare Остаток, each file zipped in its own session: products, prices and stock land', async () => {
    const pkg = emulatorPackage();
    for (const f of [pkg.import, pkg.offers, pkg.rests]) {
      const c = ex.client({ version: '2.08' });
      const r = await c.pushCatalog([f]);
      expect(r.failed, r.failed?.lines.join('\n')).to.equal(undefined);
      const a = r.answers[f.name]!;
      expect(a.lines.join('\n'), f.name).not.to.match(/warning|no catalog records/);
      expect(r.answers.complete!.status).to.equal('success');
    }
    expect(await ex.count('product_groups')).to.equal(3);
    expect(await ex.count('products')).to.equal(N);
    expect(await ex.count('offers')).to.equal(N);
    expect(await ex.count('prices')).to.equal(N);
    expect(await ex.count('stock')).to.equal(N);
    const p = await ex.rt.db('products').where({ source_id: ex.sourceId, sku: 'А-7' }).first('name');
    expect(p!.name).to.equal('Товар №7 «Ёлочный» — ’тест’');
    const first = await ex.rt.db('stock as s').join('offers as o', 'o.id', 's.offer_id').where({ 'o.external_id': ids[0] }).first('s.quantity');
    expect(first.quantity).to.equal('40.000');
    const price = await ex.rt.db('prices as p').join('offers as o', 'o.id', 'p.offer_id').where({ 'o.external_id': ids[5] }).first('p.value');
    expect(price.value).to.equal('105.1000');
  });

  it('the answers count per entity: read, applied and skipped', async () => {
    const pkg = emulatorPackage();
    const r = await ex.client().pushCatalog([pkg.import, pkg.offers, pkg.rests]);
    expect(r.failed, r.failed?.lines.join('\n')).to.equal(undefined);
    expect(r.answers['import.xml']!.lines[0]).to.equal(
      `import.xml (CommerceML 2.08): groups 3 read, 3 applied (new 3, changed 0, deleted 0, unchanged 0); products ${N} read, ${N} applied (new ${N}, changed 0, deleted 0, unchanged 0)`,
    );
    expect(r.answers['rests.xml']!.lines[0]).to.equal(
      `rests.xml (CommerceML 2.08): warehouses 1 read, 1 applied (new 1, changed 0, deleted 0, unchanged 0); stock ${N} read, ${N} applied (new ${N}, changed 0, deleted 0, unchanged 0)`,
    );
  });

  it('every skip is said twice, with its reason: in the answer and in the file\'s sync run', async () => {
    const pkg = emulatorPackage();
    expect((await ex.client().pushCatalog([pkg.import])).failed).to.equal(undefined);
    const offers = doc(
      `<Каталог><Товар><Ид>x1</Ид><Наименование>потерянный</Наименование></Товар></Каталог><ПакетПредложений><ТипыЦен><ТипЦены><Ид>retail</Ид><Наименование>Розничная</Наименование><Валюта>RUB</Валюта></ТипЦены></ТипыЦен><Предложения>` +
        `<Предложение><Ид>${ids[0]}</Ид><Наименование>Товар №0</Наименование><Цены><Цена><ИдТипаЦены>retail</ИдТипаЦены><ЦенаЗаЕдиницу>12,50</ЦенаЗаЕдиницу></Цена></Цены><Остаток>много</Остаток></Предложение>` +
        `<Предложение><Ид>${ids[1]}</Ид><Наименование>Товар №1</Наименование><Цены><Цена><ИдТипаЦены>retail</ИдТипаЦены><ЦенаЗаЕдиницу>дорого</ЦенаЗаЕдиницу></Цена></Цены><Остаток>3</Остаток></Предложение>` +
        `<Предложение><Наименование>без Ид</Наименование></Предложение></Предложения></ПакетПредложений>`,
    );
    const r = await ex.client().pushCatalog([{ name: 'offers.xml', data: offers }]);
    expect(r.failed, r.failed?.lines.join('\n')).to.equal(undefined);
    const lines = r.answers['offers.xml']!.lines;
    expect(lines[0]).to.match(/offers 3 read, 2 applied .*, 1 skipped; prices 2 read, 1 applied .*, 1 skipped; stock 2 read, 1 applied .*, 1 skipped/);
    const said = [
      '1 offers record(s) skipped: no Ид',
      '1 prices record(s) skipped: ЦенаЗаЕдиницу is not a non-negative number',
      '1 stock record(s) skipped: Остаток: quantity "много" is not a number',
      '1 <Товар> element(s) at КоммерческаяИнформация/Каталог/Товар not read: no reader looks there, their data was not taken',
    ];
    for (const w of said) expect(lines).to.include(`warning: ${w}`);
    const imp = await ex.rt.db('commerceml_imports').where({ filename: 'offers.xml' }).orderBy('created_at', 'desc').first('sync_run_id');
    expect(imp?.sync_run_id).to.be.a('number');
    const run = await ex.rt.db('sync_runs').where({ id: Number(imp!.sync_run_id) }).first('warnings', 'counts');
    const warnings = run!.warnings as { entity: string; message: string; count: number }[];
    expect(warnings.map((w) => w.message)).to.include.members(said);
    expect(warnings.find((w) => w.message === said[1])).to.include({ entity: 'prices', count: 1 });
    // what the run received plus what it was told was skipped is what the file held
    expect((run!.counts as Record<string, { received: number }>).prices!.received + 1).to.equal(2);
  });

  it('checkauth with type=sale, then a whole catalog exchange in that session; a catalog session also takes sale calls', async () => {
    const pkg = emulatorPackage();
    const c = ex.client();
    expect((await c.checkauth('sale')).status).to.equal('success');
    const init = await c.init('catalog');
    expect(init.raw.toString()).to.match(/^zip=yes\nfile_limit=\d+$/);
    expect((await c.upload('catalog', pkg.import)).status).to.equal('success');
    const imp = await c.importFile('catalog', 'import.xml');
    expect([imp.status, imp.lines[0]]).to.deep.equal(['success', imp.lines[0]]);
    expect((await c.call('catalog', 'deactivate')).status).to.equal('success');
    expect((await c.call('catalog', 'complete')).status).to.equal('success');
    expect(await ex.count('products')).to.equal(N);

    // a client that keeps the session from Set-Cookie rather than from the answer's lines
    const d = ex.client();
    const auth = await d.checkauth('catalog');
    d.cookie = auth.headers.get('set-cookie')!.split(';')[0];
    d.sessid = undefined;
    expect(d.cookie).to.equal(`CPEXCH=${auth.lines[1]}`);
    const q = await d.call('sale', 'query');
    expect(q.raw.toString('utf8')).to.match(/КоммерческаяИнформация/);
    expect((await d.call('sale', 'success')).status).to.equal('success');
  });

  it('a file whose catalog data was all dropped answers failure naming it; deactivate then deletes nothing', async () => {
    const pkg = emulatorPackage();
    expect((await ex.client().pushCatalog([pkg.import])).failed).to.equal(undefined);
    // Товар straight in Каталог (no Товары): no reader looks there
    const lost = doc(`<Каталог СодержитТолькоИзменения="false"><Ид>cat</Ид><Товар><Ид>x1</Ид><Наименование>х</Наименование></Товар><Товар><Ид>x2</Ид><Наименование>у</Наименование></Товар></Каталог>`);
    const r = await ex.client().pushCatalog([{ name: 'import.xml', data: lost }]);
    expect(r.failed?.status).to.equal('failure');
    expect(r.failed!.lines[0]).to.equal(
      'import.xml: nothing of its catalog data was applied — 2 <Товар> at КоммерческаяИнформация/Каталог/Товар not read',
    );
    expect(r.failed!.lines).to.include(
      'warning: 2 <Товар> element(s) at КоммерческаяИнформация/Каталог/Товар not read: no reader looks there, their data was not taken',
    );
    // rests whose every Остаток is unreadable: stock dropped, named with the reason
    const bad = doc(`<ПакетПредложений><Предложения>${ids.slice(0, 3).map((id) => `<Предложение><Ид>${id}</Ид><Остаток>нет</Остаток></Предложение>`).join('')}</Предложения></ПакетПредложений>`);
    const c = ex.client();
    await c.checkauth('catalog');
    await c.init('catalog');
    await c.upload('catalog', { name: 'rests.xml', data: bad });
    const a = await c.importFile('catalog', 'rests.xml');
    expect([a.status, a.lines[0]]).to.deep.equal(['failure', 'rests.xml: nothing of its catalog data was applied — stock 3 dropped (Остаток: quantity "нет" is not a number)']);
    expect(a.lines).to.include('warning: 3 stock record(s) skipped: Остаток: quantity "нет" is not a number');
    const deact = await c.call('catalog', 'deactivate');
    expect(deact.lines[0]).to.match(/nothing deactivated: a file of this session did not import/);
    expect(await ex.count('products', { deleted: false })).to.equal(N);
  });

  it('deletion marks only, for rows the mirror never had, change nothing and are not a drop', async () => {
    const marks = doc(`<Каталог><Товары><Товар Статус="Удален"><Ид>never-1</Ид><Наименование>x</Наименование></Товар><Товар><Ид>never-2</Ид><ПометкаУдаления>true</ПометкаУдаления></Товар></Товары></Каталог>`);
    const r = await ex.client().pushCatalog([{ name: 'import.xml', data: marks }]);
    expect(r.failed, r.failed?.lines.join('\n')).to.equal(undefined);
    expect(r.answers['import.xml']!.lines.join('\n')).to.match(/products 2 read, 0 applied .*, 2 skipped\nwarning: 2 products record\(s\) skipped: the same Ид repeated in the file \(the last one kept\), or a deletion mark for a row the mirror does not have/);
    expect(await ex.count('products')).to.equal(0);
  });
});
