import { expect } from 'chai';
import type { EntityName } from '../../../src/mirror/records.ts';
import { decodeAnswer } from '../../../connectors/soap/decode.ts';
import { MappingDataError } from '../../../connectors/soap/errors.ts';
import { EntityMapper, itemsAt } from '../../../connectors/soap/mapper.ts';
import { parseMapping } from '../../../connectors/soap/mapping-load.ts';
import { StreamPlan } from '../../../connectors/soap/stream-map.ts';
import { parseXmlTree, type XmlObject, XmlParseError, XmlTreeStream, type XmlValue } from '../../../connectors/soap/xml-tree.ts';

const MAPPING = `version: 1
system: test
service: { endpoint: http://127.0.0.1:1/soap, namespace: urn:x, timeZone: Europe/Moscow }
entities:
  offers:
    operation: GetOffers
    result: Offers.Offer
    fields:
      externalId: Id
      productExternalId: ProductId
      name: { from: Name, modifiers: [trim] }
      sku: { from: Info.Article, modifiers: [nullIfEmpty] }
      characteristics: { from: Characteristics.Property, modifiers: [{ pairs: { key: Name, value: Value } }] }
      deleted: { from: DeletionMark, modifiers: [boolean] }
  prices:
    operation: GetOffers
    result: Offers.Offer
    each: Prices.Price
    fields:
      offerExternalId: ^Id
      priceTypeExternalId: PriceTypeId
      value: { from: Value, modifiers: [decimal] }
      currency: { value: RUB }
      deleted: { from: ^DeletionMark, modifiers: [boolean] }
  stock:
    operation: GetOffers
    result: Offers.Offer
    each: Stock.Item
    fields:
      offerExternalId: ^Id
      warehouseExternalId: WarehouseId
      quantity: { from: Quantity, modifiers: [decimal] }
`;

const ENTITIES = ['offers', 'prices', 'stock'] as const;
const ITEM = 'Envelope.Body.GetOffersResponse.Offers.Offer';
const page = (offers: string) =>
  `<?xml version="1.0" encoding="utf-8"?><soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/"><soap:Body><m:GetOffersResponse xmlns:m="urn:x"><Offers>${offers}</Offers><Total>9</Total></m:GetOffersResponse></soap:Body></soap:Envelope>`;

function mappers() {
  const { mapping } = parseMapping('t.yaml', MAPPING);
  return ENTITIES.map((e) => ({ mapper: new EntityMapper(e as EntityName, mapping.entities[e]!), each: mapping.entities[e]!.each }));
}

/** Records as the tree path makes them (whole answer, items at the result path), or the error's message. */
function viaTree(xml: string): unknown {
  try {
    const tree = parseXmlTree(xml);
    const items = itemsAt(tree, ITEM).filter((i) => i !== '');
    return mappers().map(({ mapper }) => mapper.map(items, { where: 'GetOffers page 1' }));
  } catch (err) {
    return (err as Error).message;
  }
}

/** Records as the event path makes them, the answer written in pieces of `size` characters. */
function viaEvents(xml: string, size = xml.length): unknown {
  const ms = mappers();
  const plan = StreamPlan.compile(ms);
  expect(plan, 'the plan compiles').to.not.equal(undefined);
  const out = ms.map(() => [] as unknown[]);
  const reader = plan!.reader({ where: 'GetOffers page 1' }, out);
  try {
    const s = new XmlTreeStream({ items: [ITEM], onItem: () => expect.fail('no tree item with a reader'), readers: [reader] });
    for (let i = 0; i < xml.length; i += size) s.write(xml.slice(i, i + size));
    const rest = s.close();
    expect(rest).to.have.nested.property('Envelope.Body.GetOffersResponse.Total', '9');
    return out;
  } catch (err) {
    return (err as Error).message;
  }
}

const same = (xml: string) => {
  const tree = viaTree(xml);
  for (const size of [1, 13, xml.length]) expect(viaEvents(xml, size), `pieces of ${size}`).to.deep.equal(tree);
  return tree;
};

describe('connectors/soap: answers mapped from the parser’s events', () => {
  it('makes the records the tree makes, in odd but legal layouts', () => {
    const records = same(page(`
      <Offer>
        <!-- the mark after the nested items: ^DeletionMark still reaches each price -->
        <Id>o1</Id><ProductId>p1</ProductId><Name>  Болт М8 &amp; гайка  </Name>
        <Info><Article>A-1</Article><Extra><Deep>x</Deep></Extra></Info>
        <Unmapped><Any><Thing>1</Thing></Any></Unmapped>
        <Prices><Price><PriceTypeId>base</PriceTypeId><Value>1 234,50</Value></Price><Price><Value>7</Value><PriceTypeId>opt</PriceTypeId></Price></Prices>
        <Stock><Item><WarehouseId>w1</WarehouseId><Quantity>3</Quantity></Item></Stock>
        <Characteristics><Property><Name>Цвет</Name><Value>red</Value></Property><Property><Name>Size</Name><Value>M</Value></Property></Characteristics>
        <DeletionMark>true</DeletionMark>
      </Offer>
      <Offer/>
      <Offer>   </Offer>
      <t:Offer xmlns:t="urn:x" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
        <t:Id>o2</t:Id><t:ProductId>p2</t:ProductId><t:Name><![CDATA[<Винт> & шуруп]]></t:Name>
        <t:Info><t:Article xsi:nil="true"/></t:Info><?pi ignored?>
        <t:Prices/><t:Stock><t:Item><t:WarehouseId>w2</t:WarehouseId><t:Quantity>0.5</t:Quantity></t:Item></t:Stock>
        <t:Characteristics/>
      </t:Offer>`));
    expect((records as unknown[][])[0]).to.deep.equal([
      { externalId: 'o1', productExternalId: 'p1', name: 'Болт М8 & гайка', sku: 'A-1', characteristics: { Цвет: 'red', Size: 'M' }, deleted: true },
      { externalId: 'o2', productExternalId: 'p2', name: '<Винт> & шуруп', sku: null, characteristics: {}, deleted: false },
    ]);
    expect((records as unknown[][])[1]).to.deep.equal([
      { offerExternalId: 'o1', priceTypeExternalId: 'base', value: '1234.50', currency: 'RUB', deleted: true },
      { offerExternalId: 'o1', priceTypeExternalId: 'opt', value: '7', currency: 'RUB', deleted: true },
    ]);
    expect((records as unknown[][])[2]).to.have.length(2);
    // An empty nested item is none, beside others too (the tree lists it there, and its record fails).
    const empties = viaEvents(page('<Offer><Id>o1</Id><ProductId>p1</ProductId><Stock><Item/><Item><WarehouseId>w</WarehouseId><Quantity>1</Quantity></Item><Item> </Item></Stock></Offer>'));
    expect((empties as unknown[][])[2]).to.deep.equal([{ offerExternalId: 'o1', warehouseExternalId: 'w', quantity: '1' }]);
  });

  it('reads what the tree reads where elements repeat: a list at the end of a path, nothing through a repeated one', () => {
    // Name twice: text expected, a list found — the same error, naming the field, item and Id.
    const twice = same(page('<Offer><Id>o1</Id><ProductId>p1</ProductId><Name>a</Name><Name>b</Name></Offer>'));
    expect(twice).to.match(/^entities\.offers\.fields\.name: expected text, got a structure .* \(item 1 of GetOffers page 1, Id o1\)$/);
    // Info twice: Info.Article reads nothing (sku null); Characteristics twice: no pairs; Prices twice: the prices of both.
    const lost = same(page(`<Offer><Id>o1</Id><ProductId>p1</ProductId><Info><Article>A</Article></Info><Info><Article>B</Article></Info>
      <Characteristics><Property><Name>a</Name><Value>1</Value></Property></Characteristics><Characteristics/>
      <Prices><Price><PriceTypeId>t1</PriceTypeId><Value>1</Value></Price></Prices><Prices><Price><PriceTypeId>t2</PriceTypeId><Value>2</Value></Price></Prices></Offer>`));
    expect((lost as unknown[][])[0]).to.deep.equal([{ externalId: 'o1', productExternalId: 'p1', name: null, sku: null, characteristics: {}, deleted: false }]);
    expect((lost as unknown[][])[1]).to.have.length(2);
    // A leaf that holds elements is a structure; a nested item of text only is an item without values.
    expect(same(page('<Offer><Id>o1</Id><ProductId><Code>p1</Code></ProductId></Offer>'))).to.match(/productExternalId: expected text, got a structure/);
    expect(same(page('<Offer><Id>o1</Id><ProductId>p1</ProductId><Prices><Price>12</Price></Prices></Offer>'))).to.match(
      /^entities\.prices\.fields\.priceTypeExternalId: is required but the answer has no value \(item 1 of GetOffers page 1, Id o1\)$/,
    );
  });

  it('names the field, value, item and Id of a bad value, as the tree path does', () => {
    const msg = same(page('<Offer><Id>o1</Id><ProductId>p1</ProductId></Offer><Offer><Id>o2</Id><ProductId>p2</ProductId><Prices><Price><PriceTypeId>t</PriceTypeId><Value>12,3,4</Value></Price></Prices></Offer>'));
    expect(msg).to.equal('entities.prices.fields.value: "12,3,4" is not a number (item 2 of GetOffers page 1, Id o2)');
    expect(viaEvents(page('<Offer><Id>o1</Id><ProductId>p1</ProductId><DeletionMark>maybe</DeletionMark></Offer>'))).to.match(/^entities\.offers\.fields\.deleted: "maybe" is not a yes\/no value/);
  });

  it('fails malformed or truncated XML inside an item with XmlParseError, and a mapping error as itself', () => {
    const ms = mappers();
    const plan = StreamPlan.compile(ms)!;
    const parse = (xml: string) => {
      const s = new XmlTreeStream({ items: [ITEM], onItem: () => undefined, readers: [plan.reader({ where: 'x' }, ms.map(() => []))] });
      s.write(xml);
      s.close();
    };
    const good = page('<Offer><Id>o1</Id><ProductId>p1</ProductId><Prices><Price><PriceTypeId>t</PriceTypeId><Value>1</Value></Price></Prices></Offer>');
    expect(() => parse(good)).to.not.throw();
    expect(() => parse(good.slice(0, good.indexOf('</Value>') + 3))).to.throw(XmlParseError);
    expect(() => parse(good.replace('</Value>', '</Valeu>'))).to.throw(XmlParseError, /close tag/);
    expect(() => parse(good.replace('<Value>1', '<Value>1 & 2'))).to.throw(XmlParseError);
    expect(() => parse(page('<Offer><ProductId>p1</ProductId></Offer>'))).to.throw(MappingDataError, /externalId: is required/);
  });

  it('keeps the tree for layouts a compiled path cannot follow', () => {
    const { mapping } = parseMapping('t.yaml', MAPPING);
    const m = (fields: Record<string, string>, each?: string) =>
      ({ mapper: new EntityMapper('offers', { ...mapping.entities.offers!, fields: { externalId: 'Id', productExternalId: 'ProductId', ...fields } }), each });
    expect(StreamPlan.compile([m({})])).to.not.equal(undefined);
    // a field reading a structure whole and a path inside it; a field through a nested item's element
    expect(StreamPlan.compile([m({ name: 'Info', sku: 'Info.Article' })])).to.equal(undefined);
    expect(StreamPlan.compile([m({ name: 'Prices.Price.Value' }), m({}, 'Prices.Price')])).to.equal(undefined);
  });

  it('reads CDATA as text, so JSON in a CDATA section decodes', () => {
    const answer = parseXmlTree('<Envelope><Body><R><return><![CDATA[{"goods": [{"id": "g1", "price": 10.50}]}]]></return></R></Body></Envelope>');
    const el = (v: XmlValue | undefined): XmlObject => {
      if (!v || typeof v !== 'object' || Array.isArray(v)) throw new Error('not one element');
      return v;
    };
    const r = el(el(el(answer.Envelope).Body).R);
    expect(decodeAnswer(r, { from: 'return', as: 'json' }, 'R')).to.deep.equal({ goods: [{ id: 'g1', price: '10.50' }] });
  });
});
