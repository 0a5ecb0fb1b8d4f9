// Hostile input (the fault probe of issue 11): each case replayed through the parser or the real
// HTTP exchange, and each must end in a clear refusal — never a crash, a hang or a silent drop.
import { execFile } from 'node:child_process';
import { Readable } from 'node:stream';
import { promisify } from 'node:util';
import { expect } from 'chai';
import { isFinal } from '../../../connectors/commerceml/import/run-import.ts';
import { LIMITS } from '../../../connectors/commerceml/parse/item-reader.ts';
import { parseCommerceML } from '../../../connectors/commerceml/parse/parse-file.ts';
import { emptyClassifier } from '../../../connectors/commerceml/parse/records-map.ts';
import { zipFiles } from '../../../sim/commerceml/client.ts';
import type { Runtime } from '../../../src/infra/runtime.ts';
import { SyncError, SyncInputError } from '../../../src/sync/index.ts';
import { invalidateGroups } from '../../../src/store/catalog/catalog.ts';
import { createApp } from '../../../src/web/app.ts';
import { PASSWORD, storeFixture } from '../../support/mirror-fixtures.ts';
import { testRuntime, truncate } from '../../support/runtime.ts';
import { listen, WebClient } from '../../support/web-client.ts';
import { type Exchange, exchange } from './harness.ts';

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

  it('an item nesting its own elements deeper than 32 levels is refused; 32 are read', async () => {
    const item = (levels: number) =>
      Buffer.from(`${HEAD}<Каталог><Товары>\n<Товар><Ид>d</Ид><Наименование>x</Наименование>${'<a>'.repeat(levels - 1)}${'</a>'.repeat(levels - 1)}</Товар></Товары></Каталог>${TAIL}`);
    await parseCommerceML(Readable.from([item(32)]), { classifier: emptyClassifier(), onBatch: async () => {} });
    expect((await parseError(item(33))).message).to.equal('item <Товар Ид="d"> starting at line 3 nests elements deeper than 32 levels (line 3)');
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
    const navAt = open.text.indexOf('<nav class="groups"');
    expect(navAt).to.be.at.least(0);
    const nav = open.text.slice(navAt, open.text.indexOf('</nav>', navAt));
    expect(nav.match(/<ul>/g)?.length).to.equal(nav.match(/<\/ul>/g)?.length);
    expect(nav.match(/<li class="open">/g)?.length).to.equal(depth);
    // the top group's page covers all 5,000 levels below it
    expect((await a.get(`/catalog?group=${top!.id}`)).status).to.equal(200);
  });
});

/** A catalog file: products (Ид → name), full (`СодержитТолькоИзменения=false`) or a delta. */
function catalog(products: Record<string, string>, full: boolean): Buffer {
  const items = Object.entries(products).map(([id, name]) => `<Товар><Ид>${id}</Ид><Наименование>${name}</Наименование></Товар>`).join('');
  return Buffer.from(`${HEAD}<Каталог СодержитТолькоИзменения="${!full}"><Ид>cat</Ид><Наименование>c</Наименование><Товары>${items}</Товары></Каталог>${TAIL}`);
}

describe('CommerceML hostile input: through the HTTP exchange', () => {
  let ex: Exchange;
  before(async () => {
    ex = await exchange();
  });
  beforeEach(() => ex.reset());

  const session = async () => {
    const c = ex.client();
    await c.checkauth('catalog');
    await c.init('catalog');
    return c;
  };
  const liveProducts = async () =>
    (await ex.rt.db('products').where({ source_id: ex.sourceId, deleted: false }).orderBy('external_id').pluck('external_id')) as string[];

  it('an over-long name fails the file at once, naming entity, record, field and size; nothing lands, nothing is retried', async () => {
    const r = await ex.client().pushCatalog([{ name: 'import.xml', data: catalog({ ok: 'fine', long: 'я'.repeat(1500) }, false) }]);
    expect(r.failed?.status).to.equal('failure');
    expect(r.failed?.lines[0]).to.equal('import.xml: products[1].name: is 3000 bytes, more than the limit of 2000 bytes (record "long")');
    expect(await liveProducts()).to.deep.equal([]);
    const row = await ex.rt.db('commerceml_imports').orderBy('created_at', 'desc').first('state', 'progress');
    expect(row).to.deep.equal({ state: 'failed', progress: 'failed' });
    // what Postgres itself refuses is classified as the data's fault too: failure, no retry
    expect(isFinal(new SyncError('merge failed', 1, Object.assign(new Error('index row requires 600176 bytes'), { code: '54000' })))).to.equal(true);
    expect(isFinal(Object.assign(new Error('string is too long for tsvector'), { code: '54000' }))).to.equal(true);
    expect(isFinal(new SyncInputError('products', 0, 'name', 'x'))).to.equal(true);
    expect(isFinal(Object.assign(new Error('connection reset'), { code: 'ECONNRESET' }))).to.equal(false);
  });

  it('a 20 MB value inside one Товар is refused by the parser, naming the item and its line', async () => {
    await ex.setSettings({ zip: false });
    const r = await ex.client().pushCatalog([{ name: 'import.xml', data: catalog({ huge: 'x'.repeat(20 * 1024 * 1024) }, false) }]);
    expect(r.failed?.lines[0]).to.match(/^import\.xml: item <Товар Ид="huge"> starting at line 2 is larger than the limit of 16777216 characters \(line 2\)$/);
  });

  it('maxUnzippedBytes is a budget of the whole session: a second archive over what is left is refused', async () => {
    await ex.setSettings({ limits: { maxUnzippedBytes: 1_000_000 } });
    const c = await session();
    await c.upload('catalog', { name: 'v8_1.zip', data: (await zipFiles([{ name: 'import.xml', data: catalog({ a: 'A' }, false) }, { name: 'pad1.txt', data: Buffer.alloc(600_000, 0x20) }])) as Buffer });
    await c.upload('catalog', { name: 'v8_2.zip', data: (await zipFiles([{ name: 'pad2.txt', data: Buffer.alloc(600_000, 0x20) }])) as Buffer });
    const a = await c.importFile('catalog', 'import.xml');
    expect(a.status).to.equal('failure');
    expect(a.lines[0]).to.match(/^import\.xml: archives of this session unpack to more than 1000000 bytes \(\d+ bytes unpacked before v8_2\.zip\)$/);
    // each archive alone is within the limit
    const c2 = await session();
    await c2.upload('catalog', { name: 'v8_1.zip', data: (await zipFiles([{ name: 'import.xml', data: catalog({ a: 'A' }, false) }, { name: 'pad1.txt', data: Buffer.alloc(600_000, 0x20) }])) as Buffer });
    expect((await c2.importFile('catalog', 'import.xml')).status).to.equal('success');
  });

  it('an archive inside the archive is refused, never unpacked', async () => {
    const inner = (await zipFiles([{ name: 'import.xml', data: catalog({ a: 'A' }, false) }])) as Buffer;
    const c = await session();
    await c.upload('catalog', { name: 'v8_1.zip', data: (await zipFiles([{ name: 'inner.zip', data: inner }])) as Buffer });
    const a = await c.importFile('catalog', 'import.xml');
    expect([a.status, a.lines[0]]).to.deep.equal(['failure', 'import.xml: v8_1.zip contains an archive (inner.zip): archives inside archives are not unpacked, pack the files themselves']);
    expect(await liveProducts()).to.deep.equal([]);
  });

  it('a chunk larger than the file_limit announced at init is refused; chunks within it are appended', async () => {
    await ex.setSettings({ zip: false, limits: { fileLimit: 1000 } });
    const c = await session();
    expect(c.fileLimit).to.equal(1000);
    const data = catalog({ a: 'A', b: 'B'.repeat(900) }, false);
    const big = await c.call('catalog', 'file', { filename: 'import.xml' }, data);
    expect([big.status, big.lines[0]]).to.deep.equal(['failure', `import.xml: chunk of ${data.length} bytes is larger than file_limit=1000 announced at init`]);
    // the client cuts the file at file_limit, as 1C does
    expect((await c.upload('catalog', { name: 'import.xml', data })).status).to.equal('success');
    expect((await c.importFile('catalog', 'import.xml')).status).to.equal('success');
    expect(await liveProducts()).to.deep.equal(['a', 'b']);
  });

  it('a completed session\'s cookie no longer accepts init, file or import; a repeated complete is answered', async () => {
    const c = ex.client();
    const r = await c.pushCatalog([{ name: 'import.xml', data: catalog({ a: 'A' }, false) }]);
    expect(r.answers.complete!.status).to.equal('success');
    for (const [mode, extra, body] of [['init', {}, undefined], ['file', { filename: 'x.xml' }, Buffer.from('<x/>')], ['import', { filename: 'import.xml' }, undefined], ['deactivate', {}, undefined]] as const) {
      const a = await c.call('catalog', mode, extra, body);
      expect([a.status, a.lines[0]], mode).to.deep.equal(['failure', `this exchange session is already complete: start a new one with mode=checkauth (mode=${mode} refused)`]);
    }
    // by sessid= alone (a proxy dropped the cookie) it is not found at all
    const bySessid = Object.assign(ex.client(), { sessid: c.sessid });
    expect((await bySessid.call('catalog', 'init')).status).to.equal('failure');
    expect((await c.call('catalog', 'complete')).lines[0]).to.equal('exchange already complete');
  });

  it('a full session and a concurrent delta session: the full one’s deactivate keeps what the delta sent', async () => {
    // before either: old-1 (the full package no longer has it) and old-2 (the delta resends it unchanged)
    expect((await ex.client().pushCatalog([{ name: 'import.xml', data: catalog({ 'old-1': 'Old 1', 'old-2': 'Old 2', keep: 'Keep' }, true) }])).failed).to.equal(undefined);
    const full = await session();
    await full.upload('catalog', { name: 'import.xml', data: catalog({ keep: 'Keep' }, true) });
    expect((await full.importFile('catalog', 'import.xml')).status).to.equal('success');
    // the delta runs while the full session is still open
    const delta = await ex.client().pushCatalog([{ name: 'import.xml', data: catalog({ 'new-1': 'New 1', 'new-2': 'New 2', 'old-2': 'Old 2' }, false) }]);
    expect(delta.failed).to.equal(undefined);
    const d = await full.call('catalog', 'deactivate');
    expect([d.status, d.lines[0]]).to.deep.equal(['success', '1 item(s) not in the full package marked deleted']);
    expect(await liveProducts()).to.deep.equal(['keep', 'new-1', 'new-2', 'old-2']);
  });
});

describe('sim:1c options', () => {
  const run = (...args: string[]) =>
    promisify(execFile)(process.execPath, ['--import', 'tsx', 'sim/commerceml/push.ts', ...args]).then(
      (r) => ({ code: 0, ...r }),
      (e: { code: number; stdout: string; stderr: string }) => e,
    );

  it('--help prints the usage and exits 0; an unknown option names itself with the usage, exit 2, no stack trace', async () => {
    const help = await run('--help');
    expect(help.code).to.equal(0);
    expect(help.stdout).to.match(/^Plays 1C against a running Counterpart/).and.contain('--products N');
    const bad = await run('--bogus');
    expect(bad.code).to.equal(2);
    expect(bad.stderr).to.match(/^Unknown option '--bogus'/).and.contain('usage: npm run sim:1c').and.not.contain('    at ');
  });
});
