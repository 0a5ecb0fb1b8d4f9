import fs from 'node:fs';
import { expect } from 'chai';
import { adapterFor, MappingDataError, MappingError, mappingOperations, mappingOutbound, parseMapping, reservationArgs } from '../../../connectors/soap/index.ts';
import { EntityMapper } from '../../../connectors/soap/mapper.ts';
import { applyModifier, toDecimal } from '../../../connectors/soap/modifiers.ts';

const SIM = 'connectors/mappings/simulator.yaml';

function problems(text: string, file = 'bad.yaml'): string[] {
  try {
    parseMapping(file, text);
  } catch (err) {
    expect(err).to.be.instanceOf(MappingError);
    return (err as Error).message.split('\n');
  }
  throw new Error('expected the mapping to be rejected');
}

const base = `version: 1
system: test
service:
  endpoint: http://127.0.0.1:1/soap
  namespace: urn:x
entities:
  priceTypes:
    operation: GetPriceTypes
    result: PriceTypes.PriceType
    fields:
      externalId: Id
      name: Name
`;

describe('connectors/soap: mapping files', () => {
  it('accepts the simulator’s mapping', () => {
    const { mapping } = parseMapping(SIM, fs.readFileSync(SIM, 'utf8'));
    expect(Object.keys(mapping.entities)).to.include.members(['products', 'offers', 'prices', 'stock', 'counterparties', 'contracts', 'contractPrices']);
    expect(mapping.service.auth).to.deep.equal({ type: 'basic', usernameEnv: 'SIM_SOAP_USER', passwordEnv: 'SIM_SOAP_PASSWORD' });
  });

  it('maps the system’s status texts to the store’s codes, and refuses a code the store does not have', () => {
    const { mapping } = parseMapping(SIM, fs.readFileSync(SIM, 'utf8'));
    expect(mapping.orders?.statuses?.codes).to.include({ Принят: 'confirmed', Отгружен: 'shipped', Отменен: 'cancelled' });
    const orders = (codes: string) => `${base}orders:
  create:
    operation: CreateOrder
    root: Order
    fields: { StoreOrderId: idempotencyKey, StoreNumber: number }
    lines: { path: Lines.Line, fields: { OfferId: offerExternalId } }
    result: { externalId: OrderId }
  statuses:
    operation: GetOrderStatuses
    cursorArg: Since
    nextCursor: Next
    result: Statuses.Status
    fields: { orderNumber: StoreNumber, status: Status }
${codes}`;
    expect(parseMapping('ok.yaml', orders('')).mapping.orders?.statuses?.codes).to.deep.equal({});
    const p = problems(orders('    codes: { Принят: confirmed, Отгружен: sent }\n'));
    expect(p.some((l) => /^bad\.yaml:\d+: orders\.statuses\.codes\.Отгружен: must be one of new, confirmed, paid, shipped, completed, cancelled/.test(l)), p.join('\n')).to.equal(true);
  });

  it('reads credentials only from the environment variables it names, and says which is missing', () => {
    const loaded = parseMapping(SIM, fs.readFileSync(SIM, 'utf8'));
    expect(() => adapterFor(loaded, (n) => (n === 'SIM_SOAP_USER' ? 'u' : undefined))).to.throw(MappingError,
      `${SIM}: service.auth.passwordEnv: the environment variable SIM_SOAP_PASSWORD is not set (credentials never live in the mapping file)`);
    expect(adapterFor(loaded, () => 'x')).to.have.property('call');
  });

  it('names the file, line, path and problem of every error at once', () => {
    const text = `${base}  products:
    operation: GetProducts
    result: Products.Product
    fields:
      externalId: Id
      skuu: Article
      unit: { from: Unit, modifiers: [trim] }
  wares:
    operation: GetWares
    result: Wares.Ware
    fields: { externalId: Id }
`;
    const p = problems(text);
    expect(p).to.include('bad.yaml:18: entities.products.fields.skuu: "skuu" is not a field of products (fields: externalId, groupExternalId, sku, barcode, name, description, unit, vatRate, properties, images, deleted)');
    expect(p).to.include('bad.yaml:17: entities.products.fields: required field "name" of products is not mapped');
    expect(p).to.include('bad.yaml:21: entities.wares: "wares" is not a mirror entity (one of: groups, priceTypes, warehouses, managers, products, offers, counterparties, contracts, prices, stock, contractPrices, documents, credit)');
    expect(p).to.have.length(3);
  });

  it('reports unknown modifiers by name', () => {
    const p = problems(base.replace('name: Name', 'name: { from: Name, modifiers: [trim, trimm, { default: x }, { decimals: 2 }] }'));
    expect(p[0]).to.match(/^bad\.yaml:12: entities\.priceTypes\.fields\.name\.modifiers\[1\]: unknown modifier "trimm" \(known: trim, upper/);
    expect(p[1]).to.match(/^bad\.yaml:12: entities\.priceTypes\.fields\.name\.modifiers\[3\]: unknown modifier \{"decimals":2\}/);
    expect(p).to.have.length(2);
  });

  it('reports schema errors: unknown keys, bad URL, env-var names, paths', () => {
    const p = problems(
      base
        .replace('endpoint: http://127.0.0.1:1/soap', 'endpoint: not a url\n  auth: { type: basic, usernameEnv: sim_user, passwordEnv: SIM_PW }')
        .replace('result: PriceTypes.PriceType', 'result: PriceTypes..PriceType\n    colour: red'),
    );
    expect(p.some((l) => /^bad\.yaml:4: service\.endpoint: must be a URL/.test(l))).to.equal(true);
    expect(p.some((l) => /^bad\.yaml:5: service\.auth\.usernameEnv: must be an environment variable name/.test(l))).to.equal(true);
    expect(p.some((l) => /^bad\.yaml:\d+: entities\.priceTypes\.result: must be a dotted element path/.test(l))).to.equal(true);
    expect(p.some((l) => /^bad\.yaml:\d+: entities\.priceTypes: unknown key\(s\) "colour"/.test(l))).to.equal(true);
  });

  it('reports YAML syntax errors with their line', () => {
    const p = problems(`${base}  products: [unclosed\n`);
    expect(p[0]).to.match(/^bad\.yaml:1[45]: \(root\): not valid YAML: /);
  });

  it('checks references: "^" needs each, lookups need an earlier entity, changes need mapped entities', () => {
    const p = problems(`${base.replace('externalId: Id', 'externalId: ^Id')}  warehouses:
    operation: W
    result: W.W
    fields:
      externalId: Id
      name: { from: Name, modifiers: [{ lookup: { entity: stock, by: quantity } }] }
changes:
  operation: GetChanges
  cursorArg: Since
  nextCursor: Next
  results: { offers: Offers.Offer }
`);
    expect(p).to.include('bad.yaml:11: entities.priceTypes.fields.externalId: "^" reads the parent item, which exists only with "each"');
    expect(p.some((l) => l.includes('entities.warehouses.fields.name.modifiers[0].lookup.entity: warehouses can only look up entities read before it'))).to.equal(true);
    expect(p.some((l) => l.includes('changes.results.offers: "offers" has no mapping under entities'))).to.equal(true);
  });

  it('reservations: optional; all three operations, known fields, the keys that make a repeat harmless', () => {
    const sim = parseMapping(SIM, fs.readFileSync(SIM, 'utf8')).mapping;
    expect(mappingOutbound(sim)).to.deep.equal(['order.create', 'reservation.place', 'reservation.extend', 'reservation.release']);
    expect(mappingOperations(sim).filter((o) => o.path.startsWith('reservations.')).map((o) => o.operation)).to.deep.equal(['PlaceReservation', 'ExtendReservation', 'ReleaseReservation']);
    expect(mappingOutbound(parseMapping('ok.yaml', base).mapping)).to.deep.equal([]);
    const r = {
      reservationKey: 'reservation:7', operationKey: 'reservation.extend:7:1', reservationId: 7, counterpartyExternalId: 'CP1', offerExternalId: 'OF1',
      warehouseExternalId: 'WH01', quantity: '2.500', expiresAt: '2026-12-03T10:00:00.000Z', reason: null,
    };
    expect(reservationArgs(sim, 'place', r)).to.deep.equal({
      Reservation: { StoreReservationId: 'reservation:7', CounterpartyId: 'CP1', OfferId: 'OF1', WarehouseId: 'WH01', Quantity: '2.500', ExpiresAt: '2026-12-03T10:00:00.000Z' },
    });
    expect(reservationArgs(sim, 'extend', r)).to.deep.equal({ StoreReservationId: 'reservation:7', OperationId: 'reservation.extend:7:1', ExpiresAt: '2026-12-03T10:00:00.000Z' });
    expect(() => reservationArgs(parseMapping('ok.yaml', base).mapping, 'release', r)).to.throw(MappingDataError, /no "reservations" section/);

    const p = problems(`${base}reservations:
  place:
    operation: PlaceReservation
    fields: { Id: reservationKey, Offer: offerExternalId, Qty: quantty }
  extend:
    operation: ExtendReservation
    fields: { Id: reservationKey, Until: expiresAt }
  release: { operation: ReleaseReservation, fields: { Id: reservationKey } }
`);
    expect(p).to.include('bad.yaml:16: reservations.place.fields.Qty: "quantty" is not a reservation field (one of: reservationKey, operationKey, reservationId, counterpartyExternalId, offerExternalId, warehouseExternalId, quantity, expiresAt, reason)');
    expect(p.some((l) => l.includes('reservations.place.fields: warehouseExternalId must be sent by place'))).to.equal(true);
    expect(p.some((l) => l.includes('reservations.extend.fields: operationKey must be sent by extend: it is how the system recognises a repeated request'))).to.equal(true);
    const missing = problems(`${base}reservations:
  place: { operation: P, fields: { Id: reservationKey } }
`);
    expect(missing.some((l) => /reservations\.extend: /.test(l))).to.equal(true);
    expect(missing.some((l) => /reservations\.release: /.test(l))).to.equal(true);
  });
});

describe('connectors/soap: modifiers and mapper', () => {
  it('reads decimals with a comma and spaces exactly', () => {
    expect(toDecimal('1 234,50')).to.equal('1234.50');
    expect(toDecimal('0007,5')).to.equal('7.5');
    expect(toDecimal('-12')).to.equal('-12');
    expect(() => toDecimal('12,3,4')).to.throw('"12,3,4" is not a number');
    expect(toDecimal('20%')).to.equal('20');
    expect(toDecimal('5,5 %')).to.equal('5.5');
    expect(() => toDecimal('%')).to.throw('"%" is not a number');
  });

  it('reads date-times without an offset in the mapping’s time zone, 1C’s empty date as none', () => {
    expect(applyModifier('datetime', '2024-05-01T12:00:00', undefined, 'Europe/Moscow')).to.equal('2024-05-01T09:00:00.000Z');
    expect(applyModifier('datetime', '01.05.2024 12:00:00', undefined, 'Europe/Moscow')).to.equal('2024-05-01T09:00:00.000Z');
    expect(applyModifier('datetime', '2024-05-01T12:00:00+05:00', undefined, 'Europe/Moscow')).to.equal('2024-05-01T07:00:00.000Z');
    expect(applyModifier('datetime', '2024-05-01T12:00:00')).to.equal('2024-05-01T12:00:00.000Z'); // no zone given: UTC
    expect(applyModifier('datetime', '0001-01-01T00:00:00', undefined, 'Europe/Moscow')).to.equal(null);
    expect(applyModifier('date', '0001-01-01T00:00:00')).to.equal(null);
    expect(() => applyModifier('datetime', 'вчера')).to.throw('"вчера" is not a date and time');
  });

  it('accepts Russian element and operation names as paths; refuses a path with a space or an unknown time zone', () => {
    const ru = base.replace('operation: GetPriceTypes', 'operation: ПолучитьВидыЦен').replace('result: PriceTypes.PriceType', 'result: return.ВидЦены').replace('externalId: Id', 'externalId: Ид').replace('name: Name', 'name: Наименование');
    expect(parseMapping('ru.yaml', ru).mapping.entities.priceTypes?.result).to.equal('return.ВидЦены');
    expect(problems(base.replace('result: PriceTypes.PriceType', 'result: Виды цен'))).to.satisfy((p: string[]) => p.some((l) => /entities\.priceTypes\.result: must be a dotted element path/.test(l)));
    expect(problems(base.replace('namespace: urn:x', 'namespace: urn:x\n  timeZone: Europe/Moskva')).join('\n')).to.match(/service\.timeZone: must be an IANA time zone name/);
  });

  it('applies the closed library', () => {
    expect(applyModifier('boolean', 'Да')).to.equal(true);
    expect(applyModifier('date', '01.02.2025')).to.equal('2025-02-01');
    expect(applyModifier('date', '0001-01-01T00:00:00')).to.equal(null);
    expect(applyModifier({ map: { Собственный: 'own' } }, 'Собственный')).to.equal('own');
    expect(() => applyModifier({ map: { Собственный: 'own' } }, 'Чужой')).to.throw('"Чужой" is not one of the mapped values ("Собственный")');
    expect(applyModifier({ pairs: { key: 'Name', value: 'Value' } }, [{ Name: 'Цвет', Value: 'Синий' }, { Name: 'Размер', Value: 'L' }])).to.deep.equal({ Цвет: 'Синий', Размер: 'L' });
    expect(applyModifier({ lookup: { entity: 'warehouses', by: 'name' } }, 'Основной', (_e, _b, v) => (v === 'Основной' ? 'WH01' : undefined))).to.equal('WH01');
    expect(() => applyModifier({ lookup: { entity: 'warehouses', by: 'name' } }, 'Нет такого', () => undefined)).to.throw('no warehouses with name "Нет такого"');
    const byIdOrName = (_e: string, by: string, v: string) => (by === 'externalId' && v === 'С-1' ? 'С-1' : by === 'name' && v === 'Дальний' ? 'С-9' : undefined);
    expect(applyModifier({ lookup: { entity: 'warehouses', by: ['externalId', 'name'] } }, 'С-1', byIdOrName)).to.equal('С-1');
    expect(applyModifier({ lookup: { entity: 'warehouses', by: ['externalId', 'name'] } }, 'Дальний', byIdOrName)).to.equal('С-9');
  });

  it('maps nested items with "each" and "^", and names the path, value and item of a bad value', () => {
    const spec = { operation: 'GetOffers', result: 'Offers.Offer', each: 'Prices.Price', fields: { offerExternalId: '^Id', priceTypeExternalId: 'PriceTypeId', value: 'Value' } };
    const m = new EntityMapper('prices', spec);
    const items = [{ Id: 'o1', Prices: { Price: [{ PriceTypeId: 'PT1', Value: '10.50' }, { PriceTypeId: 'PT2', Value: '11' }] } }];
    expect(m.map(items, { where: 'GetOffers page 1' })).to.deep.equal([
      { offerExternalId: 'o1', priceTypeExternalId: 'PT1', value: '10.50' },
      { offerExternalId: 'o1', priceTypeExternalId: 'PT2', value: '11' },
    ]);
    const bad = [{ Id: 'o7', Prices: { Price: { PriceTypeId: 'PT1', Value: '10,50' } } }];
    expect(() => m.map(bad, { where: 'GetOffers page 3' })).to.throw(MappingDataError,
      'entities.prices.fields.value: "10,50" is not a decimal number with a point (add the "decimal" modifier to read "1 234,50") (item 1 of GetOffers page 3, Id o7)');
  });

  it('maps nested rows ("rows": a document’s lines) with Russian names, and names the row of a bad value', () => {
    const spec = {
      operation: 'GetDocuments', result: 'Документы.Документ',
      fields: {
        externalId: 'Ид', counterpartyExternalId: 'Контрагент', kind: { from: 'Вид', modifiers: [{ map: { 'Счет на оплату': 'invoice' } }] },
        number: 'Номер', date: { from: 'Дата', modifiers: ['date' as const] }, amount: { from: 'Сумма', modifiers: ['decimal' as const] },
        lines: { from: 'Строки.Строка', rows: { name: 'Наименование', quantity: { from: 'Количество', modifiers: ['decimal' as const] }, amount: { from: 'Сумма', modifiers: ['decimal' as const] } } },
      },
    };
    const m = new EntityMapper('documents', spec);
    const doc = { Ид: 'D1', Контрагент: 'K1', Вид: 'Счет на оплату', Номер: 'СЧ-1', Дата: '05.03.2026', Сумма: '1 200,50' };
    const two = { ...doc, Строки: { Строка: [{ Наименование: 'Болт', Количество: '2', Сумма: '200,50' }, { Наименование: 'Гайка', Количество: '10', Сумма: '1000' }] } };
    expect(m.map([two], { where: 'GetDocuments page 1' })).to.deep.equal([{
      externalId: 'D1', counterpartyExternalId: 'K1', kind: 'invoice', number: 'СЧ-1', date: '2026-03-05', amount: '1200.50',
      lines: [{ name: 'Болт', quantity: '2', amount: '200.50' }, { name: 'Гайка', quantity: '10', amount: '1000' }],
    }]);
    // one line is one element, not a list; no lines at all is an empty list
    expect(m.map([{ ...doc, Строки: { Строка: { Наименование: 'Болт', Сумма: '1' } } }], { where: 'x' })[0]!.lines).to.deep.equal([{ name: 'Болт', quantity: null, amount: '1' }]);
    expect(m.map([doc], { where: 'x' })[0]!.lines).to.deep.equal([]);
    const bad = { ...doc, Строки: { Строка: [{ Наименование: 'Болт', Сумма: '1' }, { Наименование: 'Гайка', Сумма: 'много' }] } };
    expect(() => m.map([bad], { where: 'GetDocuments page 2' })).to.throw(MappingDataError, 'entities.documents.fields.lines: row 2, amount: "много" is not a number (item 1 of GetDocuments page 2)');
  });

  it('checks "rows" fields: only on a list-of-rows field, known row fields, required ones mapped', () => {
    const docs = (lines: string, extra = '') => `${base}  documents:
    operation: GetDocuments
    result: Docs.Doc
    fields:
      externalId: Id
      counterpartyExternalId: Cp
      kind: Kind
      number: Number
      date: Date
      amount: Sum${extra}
      lines: ${lines}
`;
    expect(problems(docs('{ from: Lines.Line, rows: { name: Name, amont: Sum } }'))).to.deep.equal([
      'bad.yaml:23: entities.documents.fields.lines.rows.amont: "amont" is not a field of documents.lines (fields: lineNo, name, sku, unit, quantity, price, amount, vatRate, vatAmount)',
      'bad.yaml:23: entities.documents.fields.lines.rows: required field "amount" of documents.lines is not mapped',
    ]);
    expect(problems(docs('Lines.Line'))[0]).to.match(/entities\.documents\.fields\.lines: documents\.lines is a list of rows: give \{ from/);
    expect(problems(docs('{ from: Lines.Line, rows: { name: Name, amount: Sum } }', '\n      status: { from: S, rows: { name: N } }'))[0]).to.match(/entities\.documents\.fields\.status\.rows: documents\.status is not a list of rows/);
    expect(problems(docs('{ from: Lines.Line, modifiers: [trim], rows: { name: Name, amount: Sum } }'))[0]).to.match(/"rows" needs "from".*takes no modifiers/);
  });
});
