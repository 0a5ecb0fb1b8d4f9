// Layouts real 1C nodes and Bitrix node emulators send, read by the parser: sections nested at
// other depths, offers in an import file, classifier-only files, every stock form; and data in
// places no reader looks is named by path, never dropped silently. Fixtures are windows-1251
// built with iconv-lite (not the decoder under test).
import fs from 'node:fs';
import { Readable } from 'node:stream';
import { expect } from 'chai';
import iconv from 'iconv-lite';
import { type ParseResult, parseCommerceML, type RecordBatch } from '../../../connectors/commerceml/parse/parse-file.ts';
import { type ClassifierDict, emptyClassifier } from '../../../connectors/commerceml/parse/records-map.ts';
import type { EntityName, MirrorRecords } from '../../../src/mirror/records.ts';
import { SAMPLE, SAMPLES_DIR, samplePath } from './samples.ts';

type All = { [E in EntityName]: MirrorRecords[E][] };

const cp1251 = (body: string, version = '2.08') =>
  iconv.encode(`<?xml version="1.0" encoding="windows-1251"?>\n<КоммерческаяИнформация ВерсияСхемы="${version}" ДатаФормирования="2024-05-01T10:00:00">${body}</КоммерческаяИнформация>`, 'win1251');

async function parse(bytes: Buffer, classifier: ClassifierDict = emptyClassifier()): Promise<ParseResult & { rec: All }> {
  const rec = {} as All;
  const res = await parseCommerceML(Readable.from([bytes]), {
    classifier,
    onBatch: async (b: RecordBatch) => {
      for (const [k, v] of Object.entries(b) as [EntityName, never[]][]) {
        rec[k] ??= [] as never;
        rec[k].push(...v);
      }
    },
  });
  return { ...res, rec };
}

const offer = (id: string, inner: string) => `<Предложение><Ид>${id}</Ид>${inner}</Предложение>`;
const pack = (offers: string, tag = 'ПакетПредложений') => `<${tag}><Ид>p#</Ид><Предложения>${offers}</Предложения></${tag}>`;

describe('CommerceML parser: the layouts real nodes send', () => {
  it('Каталог inside Классификатор (windows-1251 2.08): groups and products read, the catalog flag honoured', async () => {
    const p = await parse(
      cp1251(`<Классификатор><Ид>c1</Ид><Наименование>Классификатор «Ёлка»</Наименование>
        <Группы><Группа><Ид>g1</Ид><Наименование>Инструмент</Наименование><Группы><Группа><Ид>g2</Ид><Наименование>Дрели №1</Наименование></Группа></Группы></Группа></Группы>
        <Каталог СодержитТолькоИзменения="false"><Ид>k1</Ид><Товары>
          <Товар><Ид>t1</Ид><Наименование>Дрель «Ёж»</Наименование><Группы><Ид>g2</Ид></Группы></Товар>
          <Товар><Ид>t2</Ид><Наименование>Шуруповёрт</Наименование></Товар>
        </Товары></Каталог></Классификатор>`),
    );
    expect(p.rec.groups.map((g) => [g.externalId, g.parentExternalId])).to.deep.equal([['g1', null], ['g2', 'g1']]);
    expect(p.rec.products.map((x) => x.name)).to.deep.equal(['Дрель «Ёж»', 'Шуруповёрт']);
    expect(p.rec.products[0]!.groupExternalId).to.equal('g2');
    expect(p.fullEntities).to.include('products');
    expect(p.read).to.deep.equal({ groups: 2, products: 2 });
    expect(p.notes).to.deep.equal([]);
  });

  it('Товары inside ПакетПредложений and ИзмененияПакетаПредложений; offers in an import file (UT 10.1)', async () => {
    const inPack = await parse(
      cp1251(`<ПакетПредложений><Товары><Товар><Ид>t1</Ид><Наименование>Товар</Наименование></Товар></Товары>
        <ТипыЦен><ТипЦены><Ид>pt</Ид><Наименование>Опт</Наименование><Валюта>руб</Валюта></ТипЦены></ТипыЦен>
        <Предложения>${offer('t1', '<Наименование>Товар</Наименование><Цены><Цена><ИдТипаЦены>pt</ИдТипаЦены><ЦенаЗаЕдиницу>10.50</ЦенаЗаЕдиницу></Цена></Цены>')}</Предложения></ПакетПредложений>`),
    );
    expect(inPack.rec.products).to.have.length(1);
    expect(inPack.rec.prices.map((x) => x.value)).to.deep.equal(['10.5']);
    const changes = await parse(cp1251(`<ИзмененияПакетаПредложений СодержитТолькоИзменения="true"><Товары><Товар><Ид>t9</Ид><Наименование>x</Наименование></Товар></Товары>
      <Предложения>${offer('t9', '<Количество>3</Количество>')}</Предложения></ИзмененияПакетаПредложений>`));
    expect(changes.rec.products).to.have.length(1);
    expect(changes.rec.stock.map((s) => s.quantity)).to.deep.equal(['3']);
    // UT 10.1: one import file carries classifier, catalog and the offers package
    const ut = await parse(
      cp1251(`<Классификатор><Ид>c</Ид><Группы><Группа><Ид>g</Ид><Наименование>Г</Наименование></Группа></Группы></Классификатор>
        <Каталог><Ид>k</Ид><Товары><Товар><Ид>t1</Ид><Наименование>А</Наименование></Товар><Товар><Ид>t2</Ид><Наименование>Б</Наименование></Товар></Товары></Каталог>
        <ПакетПредложений><ТипыЦен><ТипЦены><Ид>pt</Ид><Наименование>Розница</Наименование></ТипЦены></ТипыЦен>
        <Предложения>${offer('t1', '<Наименование>А</Наименование><Цены><Цена><ИдТипаЦены>pt</ИдТипаЦены><ЦенаЗаЕдиницу>1</ЦенаЗаЕдиницу></Цена></Цены><Количество>5</Количество>')}
        ${offer('t2', '<Наименование>Б</Наименование><Цены><Цена><ИдТипаЦены>pt</ИдТипаЦены><ЦенаЗаЕдиницу>2</ЦенаЗаЕдиницу></Цена></Цены><Количество>0</Количество>')}</Предложения></ПакетПредложений>`, '2.03'),
    );
    expect(ut.counts).to.deep.include({ groups: 1, products: 2, priceTypes: 1, offers: 2, prices: 2, stock: 2 });
  });

  it('classifier-only and properties-only files fill the classifier and name nothing as dropped', async () => {
    const dict = emptyClassifier();
    const props = await parse(
      cp1251(`<Классификатор><Свойства><Свойство><Ид>p1</Ид><Наименование>Цвет</Наименование><ВариантыЗначений><Справочник><ИдЗначения>v1</ИдЗначения><Значение>Красный</Значение></Справочник></ВариантыЗначений></Свойство></Свойства></Классификатор>`),
      dict,
    );
    expect(props.properties).to.equal(1);
    expect(dict.properties.p1).to.deep.equal({ name: 'Цвет', values: { v1: 'Красный' } });
    expect([props.counts, props.notes]).to.deep.equal([{}, []]);
    const cls = await parse(cp1251(`<Классификатор><ТипыЦен><ТипЦены><Ид>pt</Ид><Наименование>Опт</Наименование></ТипЦены></ТипыЦен><Склады><Склад><Ид>w1</Ид><Наименование>Главный</Наименование></Склад></Склады><ЕдиницыИзмерения><ЕдиницаИзмерения><Код>796</Код><НаименованиеКраткое>шт</НаименованиеКраткое></ЕдиницаИзмерения></ЕдиницыИзмерения></Классификатор>`), dict);
    expect(cls.counts).to.deep.equal({ priceTypes: 1, warehouses: 1 });
    expect(dict.units['796']).to.equal('шт');
  });

  it('stock in every form; quantities stay the exact decimal written', async () => {
    const p = await parse(
      cp1251(
        pack(
          [
            offer('a', '<Остатки><Остаток><Склад><Ид>w1</Ид><Количество>12.345</Количество></Склад><Склад><Ид>w2</Ид><Количество>0</Количество></Склад></Остаток></Остатки>'),
            offer('b', '<Остатки><Остаток><Количество>7.5</Количество></Остаток></Остатки>'),
            offer('c', '<Остаток><Количество>1 234,5</Количество></Остаток>'),
            offer('d', '<Остаток>40</Остаток>'),
            offer('e', '<Количество>100000000000.125</Количество>'),
            offer('f', '<Склад ИдСклада="w1" КоличествоНаСкладе="3"/><Склад ИдСклада="w2" КоличествоНаСкладе="-2"/><Количество>1</Количество>'),
            offer('g', '<Остаток><Склад><Ид>w3</Ид><Количество>9</Количество></Склад></Остаток>'),
          ].join(''),
        ),
      ),
    );
    const rows = p.rec.stock.map((s) => `${s.offerExternalId}@${s.warehouseExternalId}=${s.quantity}`);
    expect(rows).to.deep.equal([
      'a@w1=12.345', 'a@w2=0', 'b@cml-total=7.5', 'c@cml-total=1234.5', 'd@cml-total=40', 'e@cml-total=100000000000.125',
      'f@w1=3', 'f@w2=-2', 'g@w3=9',
    ]);
    expect(p.rec.warehouses.map((w) => w.externalId)).to.deep.equal(['cml-total']);
    expect([p.read.stock, p.skipped.stock]).to.deep.equal([9, undefined]);
  });

  it('an Остаток it cannot read and data in unknown places are counted and named with their path', async () => {
    const p = await parse(
      cp1251(
        `${pack(
          [
            offer('a', '<Остаток>много</Остаток>'),
            offer('b', '<Остатки><Остаток><Склад><Количество>4</Количество></Склад></Остаток></Остатки>'),
            offer('c', '<Остатки><Остаток><Резерв>1</Резерв></Остаток></Остатки>'),
            offer('d', '<Остаток>2</Остаток>'),
          ].join(''),
        )}<Каталог><Товар><Ид>x1</Ид><Наименование>потерянный</Наименование></Товар><Товар><Ид>x2</Ид></Товар>
          <Товары><Товар><Ид>t1</Ид><Наименование>с ценой</Наименование><Цены><Цена><ИдТипаЦены>pt</ИдТипаЦены><ЦенаЗаЕдиницу>5</ЦенаЗаЕдиницу></Цена></Цены></Товар></Товары></Каталог>`,
      ),
    );
    expect(p.rec.stock.map((s) => s.offerExternalId)).to.deep.equal(['d']);
    expect(p.read.stock).to.equal(4);
    expect(p.skipped.stock).to.deep.equal({
      'Остаток: quantity "много" is not a number': 1,
      'Остатки/Остаток/Склад without a warehouse id': 1,
      'Остатки/Остаток with neither Склад nor Количество (has Резерв)': 1,
    });
    expect(p.unread).to.deep.equal([
      { path: 'КоммерческаяИнформация/Каталог/Товар', count: 2 },
      { path: '…/Товары/Товар/Цены', count: 1 },
    ]);
    expect(p.notes).to.deep.equal([
      '2 <Товар> element(s) at КоммерческаяИнформация/Каталог/Товар not read: no reader looks there, their data was not taken',
      '1 <Цены> element(s) at …/Товары/Товар/Цены not read: no reader looks there, their data was not taken',
    ]);
    expect(p.counts.products).to.equal(1);
  });

  it('every sample: all data elements found where a reader looks, nothing skipped, counts of SOURCES.md', async () => {
    const expected: Partial<Record<keyof typeof SAMPLE, Partial<Record<EntityName, number>>>> = {
      gbImport: { groups: 97, priceTypes: 1, warehouses: 1 },
      gbOffers: { offers: 978 },
      gbPrices: { prices: 978 },
      gbRests: { stock: 978 },
      bitrix6Import: { groups: 1, priceTypes: 8, warehouses: 12 },
      bitrix6Rests: { stock: 1032 },
      dmImport: { groups: 1, products: 36 },
      dmOffers: { priceTypes: 1, warehouses: 3, offers: 44, prices: 44, stock: 132 },
      ut101Offers: { priceTypes: 1, offers: 103, prices: 84 },
      umiOffers: { priceTypes: 5, warehouses: 1, offers: 14, prices: 70, stock: 14 },
      tbImport: { groups: 33, priceTypes: 2, warehouses: 6 },
      acContractors: { counterparties: 4 },
    };
    // every XML file of the folder is in the list (a sample added later is not silently left out)
    const inFolder = (fs.readdirSync(SAMPLES_DIR, { recursive: true }) as string[]).filter((f) => f.toLowerCase().endsWith('.xml')).sort();
    expect(inFolder).to.deep.equal(Object.values(SAMPLE).sort());
    for (const [key, rel] of Object.entries(SAMPLE) as [keyof typeof SAMPLE, string][]) {
      const p = await parse(fs.readFileSync(samplePath(rel)));
      expect([p.notes, p.skipped], rel).to.deep.equal([[], {}]);
      if (expected[key]) expect(p.read, rel).to.deep.equal(expected[key]);
    }
  });
});
