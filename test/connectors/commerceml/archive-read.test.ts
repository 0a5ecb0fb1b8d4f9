// CommerceML files of an archive are read from it where they are imported, not unpacked into
// the blob store first; everything else (pictures) is unpacked as before.
import { expect } from 'chai';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { sessionFile, unzipInto } from '../../../connectors/commerceml/exchange/unzip.ts';
import { type BlobStore, fsBlobStore } from '../../../src/infra/blob/index.ts';
import { zipFiles } from '../../../sim/commerceml/client.ts';

async function text(blobs: BlobStore, area: string, archives: string[], rel: string, range?: { start?: number; end?: number }): Promise<string | undefined> {
  const f = await sessionFile(blobs, area, archives, rel);
  if (!f) return undefined;
  const parts: Buffer[] = [];
  for await (const c of await f.open(range)) parts.push(c as Buffer);
  return Buffer.concat(parts).toString('utf8');
}

describe('CommerceML archives: .xml entries read in place', () => {
  let dir: string;
  let blobs: BlobStore;
  const area = 'exchange/5';
  const limits = { maxUnzippedBytes: 100_000_000, maxZipEntries: 100 };
  // larger than a zlib piece (16 KB) and than one handed-out piece (256 KB)
  const big = `<КоммерческаяИнформация>${'<Товар><Ид>x</Ид></Товар>'.repeat(20_000)}</КоммерческаяИнформация>`;

  beforeEach(async () => {
    dir = await fs.promises.mkdtemp(path.join(os.tmpdir(), 'cml-archive-'));
    blobs = fsBlobStore(dir);
  });
  afterEach(async () => {
    await fs.promises.rm(dir, { recursive: true, force: true });
  });

  it('unpacks pictures, leaves the XML in the archive and reads it whole or by range; a later archive wins, a plain upload is read when no archive has the file', async () => {
    await blobs.put(`${area}/v8_1.zip`, (await zipFiles([{ name: 'import.xml', data: Buffer.from(big) }, { name: 'import_files/ab/p.jpg', data: Buffer.from('jpg') }])) as Buffer);
    await blobs.put(`${area}/v8_2.zip`, (await zipFiles([{ name: 'offers.xml', data: Buffer.from('<a>first</a>') }])) as Buffer);
    await blobs.put(`${area}/v8_3.zip`, (await zipFiles([{ name: 'offers.xml', data: Buffer.from('<a>second</a>') }])) as Buffer);
    await blobs.put(`${area}/rests.xml`, Buffer.from('<plain/>'));
    let used = 0;
    for (const z of ['v8_1.zip', 'v8_2.zip', 'v8_3.zip']) used += (await unzipInto(blobs, area, z, { ...limits, alreadyUnzipped: used })).bytes;
    // the budget still counts the XML it did not write
    expect(used).to.equal(Buffer.byteLength(big) + 3 + 12 + 13);
    expect((await blobs.list(area)).sort()).to.deep.equal([`${area}/import_files/ab/p.jpg`, `${area}/rests.xml`, `${area}/v8_1.zip`, `${area}/v8_2.zip`, `${area}/v8_3.zip`]);

    const archives = ['v8_1.zip', 'v8_2.zip', 'v8_3.zip'];
    expect((await sessionFile(blobs, area, archives, 'import.xml'))?.size).to.equal(Buffer.byteLength(big));
    expect(await text(blobs, area, archives, 'import.xml')).to.equal(big);
    const bytes = Buffer.from(big);
    expect(await text(blobs, area, archives, 'import.xml', { start: 0, end: 4096 })).to.equal(bytes.subarray(0, 4096).toString('utf8'));
    expect(await text(blobs, area, archives, 'import.xml', { start: 100_000, end: 300_123 })).to.equal(bytes.subarray(100_000, 300_123).toString('utf8'));
    expect(await text(blobs, area, archives, 'offers.xml')).to.equal('<a>second</a>');
    expect(await text(blobs, area, archives, 'rests.xml')).to.equal('<plain/>');
    expect(await text(blobs, area, archives, 'missing.xml')).to.equal(undefined);
    // an archive not unpacked (not checked) is not read from
    expect(await text(blobs, area, ['v8_1.zip'], 'offers.xml')).to.equal(undefined);
  });

  it('an entry that inflates past the size its archive declares is refused when read, naming it', async () => {
    const zip = (await zipFiles([{ name: 'import.xml', data: Buffer.from(big) }])) as Buffer;
    // the central directory's uncompressed size (offset 24 of its record): declare 1000 bytes less
    const cd = zip.indexOf(Buffer.from([0x50, 0x4b, 0x01, 0x02]));
    zip.writeUInt32LE(zip.readUInt32LE(cd + 24) - 1000, cd + 24);
    await blobs.put(`${area}/v8_1.zip`, zip);
    await unzipInto(blobs, area, 'v8_1.zip', limits);
    const err = await text(blobs, area, ['v8_1.zip'], 'import.xml').then(() => null, (e: Error) => e);
    expect(err?.message).to.equal('archive entry "import.xml (in v8_1.zip)" inflates beyond its declared size');
  });
});
