import { expect } from 'chai';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { listUploads, safeRelativeName } from '../../../connectors/commerceml/exchange/files.ts';
import { fsBlobStore } from '../../../src/infra/blob/index.ts';
import { currency, decimal, inn, lenientDate, productIdOf, roundDecimal } from '../../../connectors/commerceml/parse/values.ts';

describe('CommerceML value readers and file names', () => {
  it('reads numbers leniently and keeps them exact', () => {
    expect(decimal('1 234,50')).to.equal('1234.5');
    expect(decimal('\u00a0007.100')).to.equal('7.1');
    expect(decimal('-0')).to.equal('0');
    expect(decimal('12 руб')).to.equal(null);
    expect(roundDecimal('0.12345', 4)).to.equal('0.1235');
    expect(roundDecimal('9.9995', 3)).to.equal('10');
  });

  it('normalises currencies and tax ids, splits characteristic ids', () => {
    expect(currency('руб')).to.equal('RUB');
    expect(currency('грн')).to.equal('UAH');
    expect(currency('usd')).to.equal('USD');
    expect(currency('643')).to.equal('RUB');
    expect(currency('у.е.')).to.equal('у.е.');
    expect(inn('0012345678')).to.equal('0012345678');
    expect(inn('12345')).to.equal(null);
    expect(productIdOf('a#b')).to.equal('a');
    expect(productIdOf('a')).to.equal('a');
  });

  it('parses the broken dates of real files', () => {
    expect(lenientDate('2014-06-01T0:36:33')!.toISOString()).to.equal('2014-06-01T00:36:33.000Z');
    expect(lenientDate('2022-10-31UTC02:25:50')!.toISOString()).to.equal('2022-10-31T02:25:50.000Z');
    expect(lenientDate('01.06.2014', '10:05')!.toISOString()).to.equal('2014-06-01T10:05:00.000Z');
    expect(lenientDate('вчера')).to.equal(null);
  });

  it('keeps safe sub-paths, takes the last part of Windows paths, refuses traversal', () => {
    expect(safeRelativeName('import_files/ab/abcd.jpg')).to.equal('import_files/ab/abcd.jpg');
    expect(safeRelativeName('C:\\v8_8789_c.xml')).to.equal('v8_8789_c.xml');
    expect(safeRelativeName('import___7f30.xml')).to.equal('import___7f30.xml');
    for (const bad of ['../x.xml', 'a/../../x', '/etc/passwd', 'a//b', './x', 'x\u0000y', '', undefined]) expect(safeRelativeName(bad), String(bad)).to.equal(undefined);
  });

  it('lists the top-level uploads of a session area: none when nothing was uploaded', async () => {
    const dir = await fs.promises.mkdtemp(path.join(os.tmpdir(), 'cml-uploads-'));
    try {
      const blobs = fsBlobStore(dir);
      await blobs.put('exchange/7/a.zip', Buffer.from(''));
      await blobs.put('exchange/7/import_files/ab/x.jpg', Buffer.from('x'));
      await blobs.put('exchange/70/b.zip', Buffer.from(''));
      expect(await listUploads(blobs, 'exchange/7')).to.deep.equal(['a.zip']);
      expect(await listUploads(blobs, 'exchange/8')).to.deep.equal([]);
    } finally {
      await fs.promises.rm(dir, { recursive: true, force: true });
    }
  });
});
