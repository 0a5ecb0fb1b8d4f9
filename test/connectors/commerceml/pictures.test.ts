// Pictures of a CommerceML package (`Картинка` → `import_files/…`), through the real exchange:
// kept content-addressed in the blob store (surviving `complete`), referenced from the products,
// served with immutable cache headers and thumbnails; a file that is not a picture is named in
// the import's answer, a picture not sent again resolves to what it was. Real PNG/JPEG files
// made here with sharp.
import crypto from 'node:crypto';
import { expect } from 'chai';
import sharp from 'sharp';
import type { UploadFile } from '../../../sim/commerceml/client.ts';
import { imageUrl } from '../../../src/store/catalog/images.ts';
import { truncate } from '../../support/runtime.ts';
import { type Exchange, exchange } from './harness.ts';

const sha = (b: Buffer) => crypto.createHash('sha256').update(b).digest('hex');
const product = (id: string, ...pictures: string[]) =>
  `<Товар><Ид>${id}</Ид><Наименование>Товар ${id}</Наименование>${pictures.map((p) => `<Картинка>${p}</Картинка>`).join('')}</Товар>`;
const importXml = (full: boolean, ...products: string[]): UploadFile => ({
  name: 'import.xml',
  data: Buffer.from(
    `<?xml version="1.0" encoding="UTF-8"?><КоммерческаяИнформация ВерсияСхемы="2.10" ДатаФормирования="2024-05-01T10:00:00">` +
      `<Классификатор><Ид>cls</Ид><Наименование>К</Наименование></Классификатор>` +
      `<Каталог СодержитТолькоИзменения="${!full}"><Ид>cat</Ид><ИдКлассификатора>cls</ИдКлассификатора><Наименование>Каталог</Наименование><Товары>${products.join('')}</Товары></Каталог></КоммерческаяИнформация>`,
  ),
});

describe('CommerceML exchange: product pictures', function () {
  this.timeout(60_000);
  let ex: Exchange;
  let red: Buffer;
  let blue: Buffer;
  const base = () => ex.url.replace(/\/exchange\/1c$/, '');
  const imagesOf = async (id: string) => (await ex.rt.db('products').where({ source_id: ex.sourceId, external_id: id }).first('images'))!.images as string[];

  before(async () => {
    ex = await exchange();
    red = await sharp({ create: { width: 800, height: 600, channels: 3, background: '#c00' } }).png().toBuffer();
    blue = await sharp({ create: { width: 300, height: 900, channels: 3, background: '#00c' } }).jpeg().toBuffer();
  });
  beforeEach(async () => {
    await ex.reset();
    await truncate(ex.rt, 'images');
  });

  for (const zip of [false, true]) {
    it(`${zip ? 'zipped' : 'file by file'}: pictures kept by content, referenced from products, a broken one named, a missing one reported; they survive complete`, async () => {
      const c = ex.client();
      const r = await c.pushCatalog(
        [
          importXml(true, product('p1', 'import_files/ab/red.png', 'import_files/cd/blue.jpg'), product('p2', 'import_files/ef/bad.jpg'), product('p3', 'import_files/zz/missing.jpg'), product('p4', 'import_files/ab/red.png')),
          { name: 'import_files/ab/red.png', data: red },
          { name: 'import_files/cd/blue.jpg', data: blue },
          { name: 'import_files/ef/bad.jpg', data: Buffer.from('это не картинка, а текст') },
        ],
        { zip },
      );
      expect(r.failed, r.failed?.lines.join('\n')).to.equal(undefined);
      const lines = r.answers['import.xml']!.lines;
      expect(lines).to.include('pictures: 2 kept (2 new), 0 as sent before, 1 not uploaded, 1 not images');
      expect(lines.find((l) => l.startsWith('warning: 1 picture(s) are not readable images'))).to.contain('import_files/ef/bad.jpg (');
      expect(lines).to.include('warning: 1 picture(s) were not uploaded (nor sent in an earlier exchange): import_files/zz/missing.jpg');
      expect(await imagesOf('p1')).to.deep.equal([`sha256:${sha(red)}`, `sha256:${sha(blue)}`]);
      expect(await imagesOf('p2')).to.deep.equal([]);
      expect(await imagesOf('p3')).to.deep.equal(['import_files/zz/missing.jpg']);
      expect(await imagesOf('p4')).to.deep.equal([`sha256:${sha(red)}`]);
      const img = await ex.rt.db('images').where({ sha256: sha(blue) }).first();
      expect(img).to.include({ content_type: 'image/jpeg', width: 300, height: 900, bytes: blue.length });

      // complete removed the session's uploads, not the pictures
      expect(r.answers.complete!.status).to.equal('success');
      const session = await ex.rt.db('commerceml_sessions').orderBy('id', 'desc').first('id');
      expect(await ex.rt.blobs.list(`${ex.uploadPrefix}/${session!.id}`)).to.deep.equal([]);
      const res = await fetch(`${base()}/images/${sha(red)}`);
      expect(res.status).to.equal(200);
      expect(res.headers.get('content-type')).to.equal('image/png');
      expect(Buffer.from(await res.arrayBuffer()).equals(red)).to.equal(true);
    });
  }

  it('serves originals and thumbnails with immutable cache headers and the hash as ETag; 404 for what is not there', async () => {
    const r = await ex.client().pushCatalog([importXml(true, product('p1', 'import_files/ab/red.png')), { name: 'import_files/ab/red.png', data: red }], { zip: false });
    expect(r.failed, r.failed?.lines.join('\n')).to.equal(undefined);
    const h = sha(red);
    const orig = await fetch(`${base()}/images/${h}`);
    expect(orig.headers.get('cache-control')).to.equal('public, max-age=31536000, immutable');
    expect(orig.headers.get('etag')).to.equal(`"${h}"`);
    expect((await fetch(`${base()}/images/${h}`, { headers: { 'if-none-match': `"${h}"` } })).status).to.equal(304);

    for (const size of [240, 640]) {
      const t = await fetch(`${base()}/images/${h}/${size}.webp`);
      expect(t.status).to.equal(200);
      expect(t.headers.get('content-type')).to.equal('image/webp');
      expect(t.headers.get('cache-control')).to.equal('public, max-age=31536000, immutable');
      expect(t.headers.get('etag')).to.equal(`"${h}-${size}"`);
      const meta = await sharp(Buffer.from(await t.arrayBuffer())).metadata();
      expect(meta).to.include({ format: 'webp', width: size, height: Math.round((size * 600) / 800) });
      expect((await fetch(`${base()}/images/${h}/${size}.webp`, { headers: { 'if-none-match': `"${h}-${size}"` } })).status).to.equal(304);
    }
    // a thumbnail lost (or a size made later) is made again from the original
    await ex.rt.blobs.remove(`thumbs/${h}/240.webp`);
    expect((await fetch(`${base()}/images/${h}/240.webp`)).status).to.equal(200);
    expect(await ex.rt.blobs.size(`thumbs/${h}/240.webp`)).to.be.greaterThan(0);

    for (const bad of [`${h}/100.webp`, `${'0'.repeat(64)}`, `${'0'.repeat(64)}/240.webp`, 'not-a-hash']) {
      const res = await fetch(`${base()}/images/${bad}`);
      expect(res.status, bad).to.equal(404);
      expect(await res.text()).to.equal('Изображение не найдено');
    }
    expect((await fetch(`${base()}/images/${h}/240.png`)).status).to.equal(404);
  });

  it('a delta package naming a picture without sending it again keeps the picture it had', async () => {
    await ex.client().pushCatalog([importXml(true, product('p1', 'import_files/ab/red.png')), { name: 'import_files/ab/red.png', data: red }], { zip: false });
    const r = await ex.client().pushCatalog([importXml(false, product('p1', 'import_files/ab/red.png'), product('p2', 'import_files/ab/red.png'))], { zip: false });
    expect(r.failed, r.failed?.lines.join('\n')).to.equal(undefined);
    expect(r.answers['import.xml']!.lines).to.include('pictures: 0 kept (0 new), 1 as sent before, 0 not uploaded, 0 not images');
    expect(await imagesOf('p2')).to.deep.equal([`sha256:${sha(red)}`]);
  });

  it('pages show kept pictures as thumbnails, URLs as given, and nothing (the placeholder) for a path never received', () => {
    const h = 'a'.repeat(64);
    expect(imageUrl(`sha256:${h}`, 240)).to.equal(`/images/${h}/240.webp`);
    expect(imageUrl('https://cdn.example/x.jpg', 640)).to.equal('https://cdn.example/x.jpg');
    expect(imageUrl('import_files/zz/missing.jpg', 240)).to.equal(null);
    expect(imageUrl(null, 240)).to.equal(null);
  });
});
