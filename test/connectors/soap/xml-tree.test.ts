import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { expect } from 'chai';
import { createSoapAdapter } from '../../../connectors/soap/adapter.ts';
import { MappingDataError } from '../../../connectors/soap/errors.ts';
import { parseXmlTree, XmlParseError, type XmlValue, XmlTreeStream } from '../../../connectors/soap/xml-tree.ts';

const PAGE = `<?xml version="1.0"?><s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/"><s:Body><t:GetOffersResponse xmlns:t="urn:x">
  <Offers><Offer><Id>o1</Id><Prices><Price><Type>base</Type><Value>1.50</Value></Price><Price><Type>opt</Type><Value>1.20</Value></Price></Prices></Offer>
  <Offer/><Offer><Id>o2</Id><Name>Болт М8 &amp; гайка</Name></Offer></Offers><Total>2</Total></t:GetOffersResponse></s:Body></s:Envelope>`;

describe('connectors/soap: streamed XML answers', () => {
  it('hands the elements at the item paths out one by one, in pieces of any size, and keeps the rest as the tree', () => {
    const whole = parseXmlTree(PAGE);
    for (const size of [1, 7, 64, PAGE.length]) {
      const items: [number, XmlValue][] = [];
      const s = new XmlTreeStream({ items: ['Envelope.Body.GetOffersResponse.Offers.Offer'], onItem: (p, item) => items.push([p, item]) });
      for (let i = 0; i < PAGE.length; i += size) s.write(PAGE.slice(i, i + size));
      const rest = s.close();
      // The same items as the whole tree has, the empty <Offer/> left out as there.
      const offers = ((whole.Envelope as never)['Body']['GetOffersResponse']['Offers']['Offer'] as XmlValue[]).filter((o) => o !== '');
      expect(items.map(([, v]) => v), `pieces of ${size}`).to.deep.equal(offers);
      expect(items.map(([p]) => p)).to.deep.equal([0, 0]);
      expect(items[1]![1]).to.deep.include({ Name: 'Болт М8 & гайка' });
      expect(rest).to.deep.equal({ Envelope: { Body: { GetOffersResponse: { Offers: {}, Total: '2' } } } });
    }
  });

  it('fails a truncated or malformed answer with XmlParseError, and passes the item callback’s own error through', () => {
    const cut = new XmlTreeStream({ items: ['Envelope.Body.GetOffersResponse.Offers.Offer'], onItem: () => undefined });
    cut.write(PAGE.slice(0, PAGE.length - 40));
    expect(() => cut.close()).to.throw(XmlParseError);
    expect(() => new XmlTreeStream().write('<a><b></a>')).to.throw(XmlParseError);
    const failing = new XmlTreeStream({
      items: ['Envelope.Body.GetOffersResponse.Offers.Offer'],
      onItem: () => {
        throw new MappingDataError('entities.offers.fields.externalId: is required');
      },
    });
    expect(() => failing.write(PAGE)).to.throw(MappingDataError, /externalId: is required/);
  });

  it('the adapter hands out the items of an answer that arrives in pieces, UTF-8 split between them', async () => {
    const body = Buffer.from(PAGE, 'utf8');
    const server = http.createServer(async (_req, res) => {
      res.writeHead(200, { 'content-type': 'text/xml; charset=utf-8' });
      const cut = body.indexOf(Buffer.from('Болт')) + 1; // inside the two bytes of «Б»
      // the second piece goes out only once the first was handed to the socket: two packets
      await new Promise<void>((r) => res.write(body.subarray(0, cut), () => r()));
      res.end(body.subarray(cut));
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    try {
      const adapter = createSoapAdapter({ endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}/`, namespace: 'urn:x', timeoutMs: 5000 });
      const items: XmlValue[] = [];
      const answer = await adapter.call('GetOffers', {}, { paths: ['Offers.Offer'], onItem: (_p, item) => items.push(item) });
      expect(items).to.have.length(2);
      expect(items[1]).to.deep.include({ Id: 'o2', Name: 'Болт М8 & гайка' });
      expect(answer).to.deep.equal({ Offers: {}, Total: '2' });
      // Without item paths the same answer is one tree, as before.
      expect(await adapter.call('GetOffers')).to.have.nested.property('Offers.Offer').that.has.length(3);
    } finally {
      server.close();
    }
  });
});
