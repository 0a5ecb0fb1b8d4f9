import fs from 'node:fs';
import { Readable } from 'node:stream';
import { expect } from 'chai';
import { type OrderDocument, mapDocument } from '../../../connectors/commerceml/parse/documents.ts';
import { type ParseResult, parseCommerceML, type RecordBatch } from '../../../connectors/commerceml/parse/parse-file.ts';
import { type ClassifierDict, emptyClassifier } from '../../../connectors/commerceml/parse/records-map.ts';
import { encodeCp1251 } from '../../../connectors/commerceml/sale/cp1251.ts';
import type { EntityName, MirrorRecords } from '../../../src/mirror/records.ts';
import { SAMPLE, samplePath } from './samples.ts';

type All = { [E in EntityName]: MirrorRecords[E][] };
interface Parsed extends ParseResult {
  rec: All;
  docs: OrderDocument[];
  batches: number[];
  classifier: ClassifierDict;
}

async function parse(input: string | Buffer, opts: { classifier?: ClassifierDict; batchSize?: number; chunk?: number } = {}): Promise<Parsed> {
  const rec = {} as All;
  const docs: OrderDocument[] = [];
  const batches: number[] = [];
  const classifier = opts.classifier ?? emptyClassifier();
  const stream =
    typeof input === 'string'
      ? fs.createReadStream(samplePath(input), { highWaterMark: opts.chunk ?? 16 * 1024 })
      : Readable.from([input]);
  const res = await parseCommerceML(stream, {
    classifier,
    batchSize: opts.batchSize,
    onBatch: async (b: RecordBatch) => {
      let n = 0;
      for (const [k, v] of Object.entries(b) as [EntityName, never[]][]) {
        rec[k] ??= [] as never;
        rec[k].push(...v);
        n += v.length;
      }
      batches.push(n);
    },
    onDocument: (d) => docs.push(mapDocument(d)),
  });
  return { ...res, rec, docs, batches, classifier };
}

const count = (p: Parsed, e: EntityName) => p.rec[e]?.length ?? 0;
const deletedCount = (p: Parsed, e: EntityName) => (p.rec[e] ?? []).filter((r) => (r as { deleted?: boolean }).deleted).length;

describe('CommerceML parser: every sample file (counts from SOURCES.md)', () => {
  it('#1 official 2.04 import: 1 group, 4 products with characteristics, full catalog', async () => {
    const p = await parse(SAMPLE.offDocImport);
    expect(p.version).to.equal('2.04');
    expect(count(p, 'groups')).to.equal(1);
    expect(count(p, 'products')).to.equal(4);
    expect(p.fullEntities).to.include('products');
    const table = p.rec.products.find((x) => x.externalId.includes('#05e26d76'))!;
    expect(table.name).to.equal('Стол обеденный');
    expect(table.unit).to.equal('шт');
    expect(Object.keys(table.properties!).length).to.be.greaterThan(0);
  });

  it('#2 official 2.04 offers: 4 price types, 2 characteristic offers × 4 prices', async () => {
    const p = await parse(SAMPLE.offDocOffers);
    expect(count(p, 'priceTypes')).to.equal(4);
    expect(p.rec.priceTypes.map((t) => t.name)).to.have.members(['Оптовая', 'Закупочная', 'Плановая', 'Розничная']);
    expect(count(p, 'offers')).to.equal(2);
    expect(p.rec.offers.filter((o) => o.externalId.includes('#'))).to.have.length(2);
    expect(p.rec.offers[0]!.productExternalId).to.equal(p.rec.offers[0]!.externalId.split('#')[0]);
    expect(count(p, 'prices')).to.equal(8);
    expect(p.fullEntities).to.include('offers');
  });

  it('#3 orders 2.03: 3 documents; 92/93 are answers from 1C with a deletion requisite', async () => {
    const p = await parse(SAMPLE.offDocOrders);
    expect(p.docs).to.have.length(3);
    const d36 = p.docs.find((d) => d.externalId === '36')!;
    expect(d36.statusText).to.equal('[N] Принят');
    expect(d36.statusCode).to.equal('N');
    const d92 = p.docs.find((d) => d.externalId === '92')!;
    expect(d92.number1c).to.be.a('string').and.not.empty;
    expect(d92.posted).to.be.a('boolean');
  });

  it('#4 UT 10.3 2.05 offers: 103 offers, 84 prices, 84 # ids, 6 deleted by <Статус>Удален</Статус>, no flag = delta', async () => {
    const p = await parse(SAMPLE.ut101Offers);
    expect(p.version).to.equal('2.05');
    expect(count(p, 'priceTypes')).to.equal(1);
    expect(count(p, 'offers')).to.equal(103);
    expect(count(p, 'prices')).to.equal(84);
    expect(p.rec.offers.filter((o) => o.externalId.includes('#'))).to.have.length(84);
    expect(deletedCount(p, 'offers')).to.equal(6);
    expect(p.properties).to.equal(7);
    expect(p.fullEntities).to.deep.equal([]);
  });

  it('#5 Bitrix module 3.1 classifier: 1 group, 8 price types, 12 warehouses, units', async () => {
    const p = await parse(SAMPLE.bitrix6Import);
    expect(p.version).to.equal('3.1');
    expect(count(p, 'groups')).to.equal(1);
    expect(count(p, 'priceTypes')).to.equal(8);
    expect(count(p, 'warehouses')).to.equal(12);
    expect(p.units).to.be.greaterThan(0);
  });

  it('#6 3.1 rests: 86 offers × 12 warehouses = 1,032 stock rows, all warehouses from #5', async () => {
    const wh = new Set((await parse(SAMPLE.bitrix6Import)).rec.warehouses.map((w) => w.externalId));
    const p = await parse(SAMPLE.bitrix6Rests);
    expect(count(p, 'stock')).to.equal(1032);
    expect(new Set(p.rec.stock.map((s) => s.offerExternalId)).size).to.equal(86);
    expect(p.rec.stock.every((s) => s.offerExternalId.includes('#') && wh.has(s.warehouseExternalId))).to.equal(true);
    expect(count(p, 'offers')).to.equal(0); // stock-only: offers are not blanked
  });

  it('#7 UMI 2.04 offers: 5 agreement price types, 14 offers × 5 = 70 prices', async () => {
    const p = await parse(SAMPLE.umiOffers);
    expect(count(p, 'priceTypes')).to.equal(5);
    expect(count(p, 'offers')).to.equal(14);
    expect(count(p, 'prices')).to.equal(70);
  });

  it('#8 UT 11 2.09 classifier: 97 groups in 4 levels, 1,908 properties with enumerated values', async () => {
    const p = await parse(SAMPLE.gbImport);
    expect(count(p, 'groups')).to.equal(97);
    const parents = new Map(p.rec.groups.map((g) => [g.externalId, g.parentExternalId]));
    const depth = (id: string): number => (parents.get(id) ? 1 + depth(parents.get(id)!) : 1);
    expect(Math.max(...p.rec.groups.map((g) => depth(g.externalId)))).to.equal(4);
    expect(p.properties).to.equal(1908);
    const values = Object.values(p.classifier.properties).reduce((n, x) => n + Object.keys(x.values ?? {}).length, 0);
    expect(values).to.equal(1800); // 1,811 Справочник entries, 11 of them with an empty Значение
    expect(Object.values(p.classifier.properties).filter((x) => x.deleted)).to.have.length(12);
    expect(count(p, 'priceTypes')).to.equal(1);
    expect(count(p, 'warehouses')).to.equal(1);
  });

  it('#9–#11 split offers / prices / rests: 978 each, ids matching across files', async () => {
    const offers = await parse(SAMPLE.gbOffers);
    const prices = await parse(SAMPLE.gbPrices);
    const rests = await parse(SAMPLE.gbRests);
    expect(count(offers, 'offers')).to.equal(978);
    expect(count(prices, 'prices')).to.equal(978);
    expect(count(prices, 'offers')).to.equal(0);
    expect(count(rests, 'stock')).to.equal(978);
    const ids = new Set(offers.rec.offers.map((o) => o.externalId));
    expect(prices.rec.prices.every((x) => ids.has(x.offerExternalId))).to.equal(true);
    expect(rests.rec.stock.every((x) => ids.has(x.offerExternalId))).to.equal(true);
    expect(offers.fullEntities).to.deep.equal([]);
  });

  it('#12 UT 11 2.07 import0_1: 36 products, 1 deleted by Статус="Удален", property names resolved', async () => {
    const p = await parse(SAMPLE.dmImport);
    expect(p.version).to.equal('2.07');
    expect(count(p, 'groups')).to.equal(1);
    expect(p.properties).to.equal(12);
    expect(count(p, 'products')).to.equal(36);
    expect(deletedCount(p, 'products')).to.equal(1);
    const withProps = p.rec.products.find((x) => Object.keys(x.properties ?? {}).length > 2)!;
    const propNames = new Set(Object.values(p.classifier.properties).map((x) => x.name));
    expect(Object.keys(withProps.properties!).some((k) => propNames.has(k))).to.equal(true);
    expect(p.rec.products.some((x) => x.barcode && x.sku)).to.equal(true);
  });

  it('#13 2.07 offers0_1: 3 warehouses in the package, 44 offers, 132 per-warehouse attribute rows', async () => {
    const p = await parse(SAMPLE.dmOffers);
    expect(count(p, 'priceTypes')).to.equal(1);
    expect(count(p, 'warehouses')).to.equal(3);
    expect(p.rec.warehouses.map((w) => w.name)).to.have.members(['Владивосток', 'Новосибирск', 'Москва']);
    expect(count(p, 'offers')).to.equal(44);
    expect(count(p, 'stock')).to.equal(132);
  });

  it('#14 windows-1251 Bitrix query answer: 2 orders with Cyrillic read right', async () => {
    const p = await parse(SAMPLE.dmQuery);
    expect(p.docs).to.have.length(2);
    expect(p.docs.every((d) => d.operation === 'Заказ товара')).to.equal(true);
    expect(p.docs.reduce((n, d) => n + d.lines, 0)).to.equal(8);
  });

  it('#15 2.09 counterparties: 4 with ИНН/КПП, delta', async () => {
    const p = await parse(SAMPLE.acContractors);
    expect(count(p, 'counterparties')).to.equal(4);
    expect(p.rec.counterparties.map((c) => c.name)).to.include('Алтай ТОО');
    expect(p.rec.counterparties.some((c) => c.inn)).to.equal(true);
    expect(p.fullEntities).to.deep.equal([]);
  });

  it('#16 2.09 documents from 1C: Номер1С, Проведен, status id', async () => {
    const p = await parse(SAMPLE.acDocuments);
    expect(p.docs).to.have.length(2);
    const d = p.docs.find((x) => x.externalId === '142')!;
    expect(d.number1c).to.equal('ТДЦУ-000001');
    expect(d.statusCode).to.equal('P');
    expect(d.posted).to.equal(true);
    expect(d.deleted).to.equal(false);
  });

  it('#17/#18 2.08 (xmlns 210): 5 groups, 2 products; 3 price types, 2 characteristic offers, 6 prices', async () => {
    const i = await parse(SAMPLE.bpImport);
    expect(i.version).to.equal('2.08');
    expect(count(i, 'groups')).to.equal(5);
    expect(i.properties).to.equal(3);
    expect(count(i, 'products')).to.equal(2);
    const o = await parse(SAMPLE.bpOffers);
    expect(count(o, 'priceTypes')).to.equal(3);
    expect(count(o, 'offers')).to.equal(2);
    expect(new Set(o.rec.offers.map((x) => x.productExternalId)).size).to.equal(1);
    expect(Object.keys(o.rec.offers[0]!.characteristics!).length).to.be.greaterThan(0);
    expect(count(o, 'prices')).to.equal(6);
    // single Количество → the synthetic total warehouse
    expect(o.rec.stock.every((s) => s.warehouseExternalId === 'cml-total')).to.equal(true);
  });

  it('#19 2.10 classifier: 33 groups in 3 levels, 2 price types, 6 warehouses', async () => {
    const p = await parse(SAMPLE.tbImport);
    expect(p.version).to.equal('2.10');
    expect(count(p, 'groups')).to.equal(33);
    expect(count(p, 'priceTypes')).to.equal(2);
    expect(count(p, 'warehouses')).to.equal(6);
  });

  it('#20 windows-1251 order from 1C: final status «[F] Доставлен», paid', async () => {
    const p = await parse(SAMPLE.caronoTo);
    expect(p.docs).to.have.length(1);
    expect(p.docs[0]!.statusText).to.equal('[F] Доставлен');
    expect(p.docs[0]!.paid).to.equal(true);
    expect(p.docs[0]!.final).to.equal(true);
  });
});

describe('CommerceML parser: encodings, namespaces, limits', () => {
  const mini = (decl: string, root = 'КоммерческаяИнформация', ns = '') =>
    `${decl}<${root}${ns} ВерсияСхемы="2.10"><${p(root)}Каталог СодержитТолькоИзменения="true"><${p(root)}Товары>` +
    `<${p(root)}Товар><${p(root)}Ид>a1</${p(root)}Ид><${p(root)}Наименование>Ёлка «Тест» №1</${p(root)}Наименование></${p(root)}Товар>` +
    `</${p(root)}Товары></${p(root)}Каталог></${root}>`;
  const p = (root: string) => (root.includes(':') ? `${root.split(':')[0]}:` : '');

  it('reads a windows-1251 catalog byte-for-byte (Cyrillic, Ё, №, quotes)', async () => {
    const r = await parse(encodeCp1251(mini('<?xml version="1.0" encoding="windows-1251"?>')));
    expect(r.rec.products[0]!.name).to.equal('Ёлка «Тест» №1');
  });

  it('reads UTF-8 with a BOM and with a namespace prefix', async () => {
    const body = mini('<?xml version="1.0" encoding="UTF-8"?>', 'cml:КоммерческаяИнформация', ' xmlns:cml="urn:1C.ru:commerceml_2"');
    const r = await parse(Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(body)]));
    expect(r.rec.products[0]!.name).to.equal('Ёлка «Тест» №1');
  });

  it('refuses DOCTYPE / entities, malformed XML, a foreign root and a wrong encoding', async () => {
    const bad: [string | Buffer, RegExp][] = [
      ['<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]><КоммерческаяИнформация>&e;</КоммерческаяИнформация>', /DOCTYPE/],
      ['<КоммерческаяИнформация><Каталог></КоммерческаяИнформация>', /malformed XML/],
      ['<html><body>oops</body></html>', /not a CommerceML file/],
      ['<?xml version="1.0" encoding="koi8-r"?><КоммерческаяИнформация/>', /unsupported encoding/],
      [Buffer.from([0x3c, 0x61, 0xff, 0xfe, 0x3e]), /not valid UTF-8|malformed/],
    ];
    for (const [input, re] of bad) {
      let err: Error | undefined;
      try {
        await parse(typeof input === 'string' ? Buffer.from(input) : input);
      } catch (e) {
        err = e as Error;
      }
      expect(err?.name, String(input)).to.equal('CommerceMLError');
      expect(err!.message).to.match(re);
    }
  });

  it('counterparties: head-counterparty link, contacts, deletion mark, invalid INN dropped', async () => {
    const body = `<?xml version="1.0" encoding="UTF-8"?><КоммерческаяИнформация ВерсияСхемы="2.10"><Контрагенты СодержитТолькоИзменения="false">
      <Контрагент><Ид>head</Ид><Наименование>Холдинг</Наименование><ИНН>7701234567</ИНН></Контрагент>
      <Контрагент><Ид>branch</Ид><ПометкаУдаления>false</ПометкаУдаления><Наименование>Филиал</Наименование><ИНН>12-34</ИНН>
        <ГоловнойКонтрагент><Ид>head</Ид><Наименование>Холдинг</Наименование></ГоловнойКонтрагент>
        <Контакты><Контакт><Тип>Почта</Тип><Значение>b@example.ru</Значение></Контакт><Контакт><Тип>Телефон рабочий</Тип><Значение>+7 495 000-00-00</Значение></Контакт></Контакты></Контрагент>
      <Контрагент><Ид>gone</Ид><ПометкаУдаления>true</ПометкаУдаления><Наименование>Закрыт</Наименование></Контрагент>
      </Контрагенты></КоммерческаяИнформация>`;
    const r = await parse(Buffer.from(body));
    const [head, branch, gone] = r.rec.counterparties;
    expect(head!.inn).to.equal('7701234567');
    expect(branch).to.include({ headExternalId: 'head', inn: null, email: 'b@example.ru', phone: '+7 495 000-00-00', deleted: false });
    expect(gone!.deleted).to.equal(true);
    expect(r.fullEntities).to.deep.equal(['counterparties']);
  });

  it('emits bounded batches while reading', async () => {
    const r = await parse(SAMPLE.gbPrices, { batchSize: 100, chunk: 8 * 1024 });
    expect(r.batches.length).to.be.greaterThan(5);
    expect(Math.max(...r.batches)).to.be.lessThan(200);
    expect(r.batches.reduce((a, b) => a + b, 0)).to.equal(978);
  });

  it('a split package uses the classifier of an earlier file (property names and values)', async () => {
    const cls = emptyClassifier();
    await parse(SAMPLE.dmImport, { classifier: cls });
    const body = `<?xml version="1.0" encoding="UTF-8"?><КоммерческаяИнформация ВерсияСхемы="2.07"><Каталог><Товары><Товар><Ид>x</Ид><Наименование>X</Наименование>
      <ЗначенияСвойств><ЗначенияСвойства><Ид>${Object.keys(cls.properties)[0]}</Ид><Значение>v</Значение></ЗначенияСвойства></ЗначенияСвойств></Товар></Товары></Каталог></КоммерческаяИнформация>`;
    const r = await parse(Buffer.from(body), { classifier: cls });
    expect(Object.keys(r.rec.products[0]!.properties!)).to.deep.equal([Object.values(cls.properties)[0]!.name]);
  });
});
