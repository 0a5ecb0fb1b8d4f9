// Moving from BLOB_STORE=fs to postgres: attachments and pictures under DATA_DIR are copied into
// the database store (exchange uploads are not: they last one exchange); a rerun copies nothing.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import { copyBlobs } from '../../../src/app/cli/blobs.ts';
import { fsBlobStore, pgBlobStore, readAll } from '../../../src/infra/blob/index.ts';
import type { Runtime } from '../../../src/infra/runtime.ts';
import { testRuntime, truncate } from '../../support/runtime.ts';

describe('cli: blobs copy-from-disk', () => {
  let rt: Runtime;
  let dir: string;
  before(async () => {
    rt = await testRuntime();
    await truncate(rt, 'blob_objects');
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cp-blobcopy-'));
  });
  after(async () => {
    fs.rmSync(dir, { recursive: true, force: true });
    await truncate(rt, 'blob_objects');
  });

  it('copies attachments, pictures and thumbnails, not exchange uploads; a rerun skips what is there', async () => {
    const disk = fsBlobStore(dir);
    await disk.put('attachments/3/0123456789abcdef0123456789abcdef', Buffer.from('%PDF-1.4 счёт'));
    await disk.put(`images/${'c'.repeat(64)}`, Buffer.alloc(3000, 7));
    await disk.put(`thumbs/${'c'.repeat(64)}/240.webp`, Buffer.from('RIFF'));
    await disk.put('exchange/9/import.xml', Buffer.from('<x/>'));
    const db = pgBlobStore(rt.db, { chunkBytes: 1024 });
    expect(await copyBlobs(disk, db)).to.deep.equal({ copied: 3, skipped: 0, bytes: Buffer.byteLength('%PDF-1.4 счёт') + 3000 + 4 });
    expect((await readAll(db, 'attachments/3/0123456789abcdef0123456789abcdef', 100)).toString()).to.equal('%PDF-1.4 счёт');
    expect((await readAll(db, `images/${'c'.repeat(64)}`, 5000)).equals(Buffer.alloc(3000, 7))).to.equal(true);
    expect(await db.size('exchange/9/import.xml')).to.equal(undefined);
    expect(await copyBlobs(disk, db)).to.deep.equal({ copied: 0, skipped: 3, bytes: 0 });
  });
});
