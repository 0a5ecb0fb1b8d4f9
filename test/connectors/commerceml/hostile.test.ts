// Hostile input (the fault probe of issue 11): each case replayed through the parser or the real
// HTTP exchange, and each must end in a clear refusal — never a crash, a hang or a silent drop.
import { Readable } from 'node:stream';
import { expect } from 'chai';
import { LIMITS } from '../../../connectors/commerceml/parse/item-reader.ts';
import { parseCommerceML } from '../../../connectors/commerceml/parse/parse-file.ts';
import { emptyClassifier } from '../../../connectors/commerceml/parse/records-map.ts';
import type { Runtime } from '../../../src/infra/runtime.ts';
import { invalidateGroups } from '../../../src/store/catalog/catalog.ts';
import { createApp } from '../../../src/web/app.ts';
import { PASSWORD, storeFixture } from '../../support/mirror-fixtures.ts';
import { testRuntime, truncate } from '../../support/runtime.ts';
import { listen, WebClient } from '../../support/web-client.ts';

const HEAD = '<?xml version="1.0" encoding="UTF-8"?>\n<КоммерческаяИнформация ВерсияСхемы="2.10">';
const TAIL = '</КоммерческаяИнформация>';

/** `depth` groups each inside the previous one. */
function nestedGroups(depth: number): string {
  let open = '';
  let close = '';
  for (let i = 0; i < depth; i++) {
    open += `<Группа><Ид>g${i}</Ид><Наименование>Уровень ${i}</Наименование>${i < depth - 1 ? '<Группы>' : ''}`;
    close = `${i < depth - 1 ? '</Группы>' : ''}</Группа>\n${close}`;
  }
  return `${HEAD}<Классификатор><Ид>c</Ид><Наименование>c</Наименование><Группы>\n${open}${close}</Группы></Классификатор>${TAIL}`;
}

async function parseError(input: Buffer | Iterable<Buffer>): Promise<Error> {
  try {
    await parseCommerceML(Buffer.isBuffer(input) ? Readable.from([input]) : Readable.from(input), { classifier: emptyClassifier(), onBatch: async () => {} });
  } catch (e) {
    return e as Error;
  }
  throw new Error('the file was accepted');
}

describe('CommerceML hostile input: parser limits', () => {
  it(`groups nested up to ${LIMITS.maxGroupDepth} levels are read; one more is refused naming line and depth`, async () => {
    const groups: string[] = [];
    await parseCommerceML(Readable.from([Buffer.from(nestedGroups(LIMITS.maxGroupDepth))]), {
      classifier: emptyClassifier(),
      onBatch: async (b) => {
        groups.push(...(b.groups ?? []).map((g) => g.externalId));
      },
    });
    expect(groups.length).to.equal(LIMITS.maxGroupDepth);
    const err = await parseError(Buffer.from(nestedGroups(LIMITS.maxGroupDepth + 1)));
    expect(err.name).to.equal('CommerceMLError');
    expect(err.message).to.equal(`groups nested deeper than 100 levels (<Группа> at depth 101) (line 3)`);
  });

  it('100,000 nested groups: refused at depth 101, no stack overflow', async () => {
    const err = await parseError(Buffer.from(nestedGroups(100_000)));
    expect(err.message).to.match(/^groups nested deeper than 100 levels \(<Группа> at depth 101\) \(line 3\)$/);
  });

  it('elements nested without end outside any item: refused at the document depth limit', async () => {
    const err = await parseError(Buffer.from(`${HEAD}${'<x>'.repeat(100_000)}${'</x>'.repeat(100_000)}${TAIL}`));
    expect(err.message).to.match(/^elements nested deeper than 400 levels \(<x> at depth 401\)/);
  });

  it('one Товар with millions of child elements is refused naming the item and its line, long before it is read', async () => {
    function* hostile(): Generator<Buffer> {
      yield Buffer.from(`${HEAD}<Каталог><Товары>\n<Товар><Ид>big-1</Ид><Наименование>x</Наименование>\n<ЗначенияСвойств>`);
      const chunk = Buffer.from('<ЗначенияСвойства><Ид>p</Ид><Значение>v</Значение></ЗначенияСвойства>'.repeat(1000));
      // 3 million elements if it were read to the end
      for (let i = 0; i < 1000; i++) yield chunk;
      yield Buffer.from(`</ЗначенияСвойств></Товар></Товары></Каталог>${TAIL}`);
    }
    const rss = process.memoryUsage().rss;
    const err = await parseError(hostile());
    expect(err.message).to.match(/^item <Товар Ид="big-1"> starting at line 3 has more than 100000 elements \(line 4\)$/);
    expect(process.memoryUsage().rss - rss).to.be.lessThan(400 * 1024 * 1024);
  });

  it('one value larger than the item limit is refused while it is being read', async () => {
    function* hostile(): Generator<Buffer> {
      yield Buffer.from(`${HEAD}<Каталог><Товары>\n<Товар><Ид>big-2</Ид><Наименование>`);
      const chunk = Buffer.alloc(1024 * 1024, 'a');
      for (let i = 0; i < 50; i++) yield chunk;
      yield Buffer.from(`</Наименование></Товар></Товары></Каталог>${TAIL}`);
    }
    const err = await parseError(hostile());
    expect(err.message).to.match(/^item <Товар Ид="big-2"> starting at line 3 is larger than the limit of 16777216 characters/);
  });

  it('a file cut inside a two-byte character is reported as cut off, not as a wrong encoding', async () => {
    const whole = Buffer.from(`${HEAD}<Каталог><Товары><Товар><Ид>a</Ид><Наименование>Ёлка</Наименование></Товар></Товары></Каталог>${TAIL}`);
    const cut = whole.subarray(0, whole.indexOf(Buffer.from('Ёлка')) + 1);
    expect(cut[cut.length - 1]).to.equal(0xd0); // the first byte of "Ё"
    // in one piece, and in two chunks (the decoder streams)
    for (const input of [cut, [cut.subarray(0, 300), cut.subarray(300)]]) {
      const err = await parseError(input);
      expect(err.message).to.match(/^the file is cut off: it ends inside a multi-byte UTF-8 character \(after \d+ bytes\); the upload is incomplete, send the file again$/);
    }
    // bytes that are wrong inside the file still say so
    const bad = Buffer.concat([Buffer.from(`${HEAD}<Каталог>`), Buffer.from([0xff, 0xfe]), Buffer.from(`</Каталог>${TAIL}`)]);
    expect((await parseError(bad)).message).to.match(/not valid UTF-8: check the encoding/);
  });
});

describe('CommerceML hostile input: a deep group tree in the mirror renders', () => {
  let rt: Runtime;
  let srv: Awaited<ReturnType<typeof listen>>;
  after(() => srv?.close());

  it('5,000 nested groups (what an import before the depth limit left): the catalog pages answer 200, the active path unfolded', async () => {
    rt = await testRuntime();
    srv = await listen(createApp(rt));
    await truncate(rt, 'sources', 'users', 'clients', 'sessions');
    const fx = await storeFixture(rt.db);
    const depth = 5000;
    const rows = Array.from({ length: depth }, (_, i) => ({
      source_id: fx.sourceId, external_id: `deep-${i}`, parent_external_id: i ? `deep-${i - 1}` : null, name: `Deep ${i}`, sort: i,
    }));
    for (let i = 0; i < rows.length; i += 1000) await rt.db('product_groups').insert(rows.slice(i, i + 1000));
    invalidateGroups(rt.db);
    const a = new WebClient(srv.base);
    await a.login(fx.emails.a, PASSWORD);
    const plain = await a.get('/catalog');
    expect(plain.status).to.equal(200);
    expect(plain.text).to.contain('>Deep 0</a>').and.not.contain('>Deep 1</a>');
    const deepest = await rt.db('product_groups').where({ source_id: fx.sourceId, external_id: `deep-${depth - 1}` }).first('id');
    const top = await rt.db('product_groups').where({ source_id: fx.sourceId, external_id: 'deep-0' }).first('id');
    const open = await a.get(`/catalog?group=${deepest!.id}`);
    expect(open.status).to.equal(200);
    expect(open.text).to.contain(`aria-current="page">Deep ${depth - 1}</a>`);
    const nav = open.text.slice(open.text.indexOf('aria-label="Groups"'), open.text.indexOf('</nav>', open.text.indexOf('aria-label="Groups"')));
    expect(nav.match(/<ul>/g)?.length).to.equal(nav.match(/<\/ul>/g)?.length);
    expect(nav.match(/<li class="open">/g)?.length).to.equal(depth);
    // the top group's page covers all 5,000 levels below it
    expect((await a.get(`/catalog?group=${top!.id}`)).status).to.equal(200);
  });
});
