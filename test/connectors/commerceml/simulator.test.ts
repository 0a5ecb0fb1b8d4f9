// The 1C simulator's packages are what a demo imports: every picture a product names is sent
// with it, so an import answers with no warning at all — through the generator and through
// `npm run sim:1c` itself against a running exchange.
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { expect } from 'chai';
import { generatePackage } from '../../../sim/commerceml/generator.ts';
import { truncate } from '../../support/runtime.ts';
import { type Exchange, exchange, LOGIN, PASSWORD } from './harness.ts';

describe('CommerceML simulator: generated packages import without a warning', function () {
  this.timeout(60_000);
  let ex: Exchange;
  let dir: string;
  before(async () => {
    ex = await exchange();
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cml-sim-'));
  });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));
  beforeEach(async () => {
    await ex.reset();
    await truncate(ex.rt, 'images');
  });

  const keptPictures = async () =>
    (await ex.rt.db('products').where({ source_id: ex.sourceId }).select('images')).map((p: { images: string[] }) => p.images);

  for (const [version, zip] of [['2.08', false], ['2.10', true]] as const) {
    it(`${version} ${zip ? 'zipped' : 'file by file'}: each product's picture is sent and kept; no answer warns`, async () => {
      const pkg = await generatePackage(path.join(dir, `${version}-${zip}`), { products: 8, version, encoding: 'windows-1251', warehouses: 2, priceTypes: 2 });
      expect(pkg.counts.pictures).to.equal(8);
      expect(pkg.files.filter((f) => f.name.startsWith('import_files/'))).to.have.length(8);
      await ex.setSettings({ zip });
      const r = await ex.client({ version }).pushCatalog(pkg.files);
      expect(r.failed, r.failed?.lines.join('\n')).to.equal(undefined);
      const lines = Object.values(r.answers).flatMap((a) => a.lines);
      expect(lines.filter((l) => l.startsWith('warning')), lines.join('\n')).to.deep.equal([]);
      const importName = pkg.files.find((f) => f.name.startsWith('import'))!.name;
      expect(r.answers[importName]!.lines).to.include('pictures: 8 kept (8 new), 0 as sent before, 0 not uploaded, 0 not images');
      const images = await keptPictures();
      expect(images).to.have.length(8);
      for (const list of images) expect(list).to.have.length(1).and.satisfy((l: string[]) => /^sha256:[0-9a-f]{64}$/.test(l[0]!));
      const kept = await ex.rt.db('images').select('content_type', 'width', 'height');
      expect(kept).to.have.length(8);
      expect(kept[0]).to.include({ content_type: 'image/jpeg', width: 160, height: 160 });
    });
  }

  it('a big package draws 24 pictures and shares them round-robin (a store keeps each once)', async () => {
    const pkg = await generatePackage(path.join(dir, 'many'), { products: 60, version: '2.10' });
    const pics = pkg.files.filter((f) => f.name.startsWith('import_files/'));
    expect(pics).to.have.length(60);
    expect(new Set(pics.map((f) => fs.readFileSync(String(f.data)).toString('base64'))).size).to.equal(24);
  });

  it('pictures: false names none and sends none', async () => {
    const pkg = await generatePackage(path.join(dir, 'bare'), { products: 3, version: '2.10', pictures: false });
    expect(pkg.files.every((f) => f.name.endsWith('.xml'))).to.equal(true);
    const r = await ex.client().pushCatalog(pkg.files);
    expect(r.failed, r.failed?.lines.join('\n')).to.equal(undefined);
    expect(Object.values(r.answers).flatMap((a) => a.lines).filter((l) => /warning|pictures:/.test(l))).to.deep.equal([]);
    expect((await keptPictures()).flat()).to.deep.equal([]);
  });

  it('npm run sim:1c against the exchange: every file success, no warning line, the pictures kept', async () => {
    const { stdout } = await promisify(execFile)(process.execPath, [
      '--import', 'tsx', 'sim/commerceml/push.ts', '--url', ex.url, '--login', LOGIN, '--password', PASSWORD, '--products', '6',
    ]);
    expect(stdout).to.contain('catalog exchange done').and.not.match(/warning|failure/);
    expect(stdout).to.contain('pictures: 6 kept (6 new), 0 as sent before, 0 not uploaded, 0 not images');
    expect((await keptPictures()).flat()).to.have.length(6);
  });
});
