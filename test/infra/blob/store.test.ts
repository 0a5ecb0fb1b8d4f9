// The blob store, both backends: the same behaviour (append, ranges, replace, list, remove, a
// failed append changes nothing) and streaming in constant memory (a 50 MB object goes in and
// out a chunk at a time: the postgres backend never lags more than two chunks behind its input,
// and what it stored is chunks of exactly its chunk size).
import { spawn } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import { BlobNotFound, type BlobStore, fsBlobStore, pgBlobStore, readAll, STALE_TEMPORARY_MS } from '../../../src/infra/blob/index.ts';
import type { Runtime } from '../../../src/infra/runtime.ts';
import { testRuntime, truncate } from '../../support/runtime.ts';
import { until } from '../../support/wait.ts';

const text = async (s: BlobStore, key: string, range?: { start?: number; end?: number }) => {
  const parts: Buffer[] = [];
  for await (const c of await s.read(key, range)) parts.push(c as Buffer);
  return Buffer.concat(parts).toString('utf8');
};

async function* pieces(...p: string[]) {
  for (const x of p) yield Buffer.from(x);
}

const CHUNK = 64 * 1024;

for (const kind of ['postgres', 'fs'] as const) {
  describe(`infra/blob: ${kind} backend`, () => {
    let rt: Runtime;
    let store: BlobStore;
    let dir: string;

    before(async () => {
      rt = await testRuntime();
      dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cp-blob-'));
      store = kind === 'postgres' ? pgBlobStore(rt.db, { chunkBytes: 16 }) : fsBlobStore(dir);
    });
    beforeEach(async () => {
      await truncate(rt, 'blob_objects');
    });
    after(() => fs.rmSync(dir, { recursive: true, force: true }));

    it('appends, reads whole and in ranges across chunks, and reports sizes', async () => {
      expect(await store.size('a/b.txt')).to.equal(undefined);
      expect(await store.append('a/b.txt', pieces('Привет, ', 'мир'))).to.equal(Buffer.byteLength('Привет, мир'));
      expect(await store.append('a/b.txt', pieces('! 0123456789abcdefghij'))).to.equal(22);
      const all = 'Привет, мир! 0123456789abcdefghij';
      expect(await text(store, 'a/b.txt')).to.equal(all);
      expect(await store.size('a/b.txt')).to.equal(Buffer.byteLength(all));
      const bytes = Buffer.from(all);
      for (const [start, end] of [[0, 5], [13, 30], [20, 21], [0, 18], [30, 999], [bytes.length - 3, undefined]] as const) {
        const parts: Buffer[] = [];
        for await (const c of await store.read('a/b.txt', { start, end })) parts.push(c as Buffer);
        expect(Buffer.concat(parts).equals(bytes.subarray(start, end))).to.equal(true, `range ${start}–${end}`);
      }
      expect(await text(store, 'a/b.txt', { start: 5, end: 5 })).to.equal('');
    });

    it('an append whose data fails leaves the object as it was, and the next append continues it', async () => {
      await store.append('f', pieces('0123456789abcdef0123'));
      async function* broken() {
        yield Buffer.from('x'.repeat(40));
        throw new Error('client went away');
      }
      const err = await store.append('f', broken()).then(() => null, (e: Error) => e);
      expect(err?.message).to.equal('client went away');
      expect(await text(store, 'f')).to.equal('0123456789abcdef0123');
      await store.append('f', pieces('!'));
      expect(await text(store, 'f')).to.equal('0123456789abcdef0123!');
    });

    it('put replaces a whole object; list, remove and removePrefix', async () => {
      await store.put('x/1', Buffer.from('one'));
      await store.put('x/1', pieces('uno, ', 'replaced whole by a longer text'));
      await store.append('x/sub/2', pieces('two'));
      await store.put('y/3', Buffer.from('three'));
      expect(await text(store, 'x/1')).to.equal('uno, replaced whole by a longer text');
      expect(await store.list('x')).to.deep.equal(['x/1', 'x/sub/2']);
      expect(await store.list('x/')).to.deep.equal(['x/1', 'x/sub/2']);
      expect(await store.list('nothing')).to.deep.equal([]);
      await store.remove('x/1');
      expect(await store.list('x')).to.deep.equal(['x/sub/2']);
      await store.removePrefix('x');
      expect(await store.list('x')).to.deep.equal([]);
      expect(await readAll(store, 'y/3', 100)).to.deep.equal(Buffer.from('three'));
      const missing = await store.read('x/1').then(() => null, (e: Error) => e);
      expect(missing).to.be.instanceOf(BlobNotFound);
    });

    it('a put cut short by a killed process leaves a temporary that the sweep removes once stale, the old object intact', async function () {
      this.timeout(60_000);
      await store.put('pic/1', Buffer.from('the old picture'));
      // the temporary a put writes: a `.tmp/` object in the database, a `.blob-tmp-` file on disk
      const temporaries = async (): Promise<string[]> =>
        kind === 'postgres'
          ? ((await rt.db('blob_objects').whereRaw(`starts_with(key, '.tmp/')`).andWhere('size', 0).pluck('key')) as string[])
          : fs.readdirSync(path.join(dir, 'pic')).filter((f) => f.startsWith('.blob-tmp-'));
      const child = spawn(process.execPath, ['--import', 'tsx', path.join(import.meta.dirname, 'put-forever.ts'), kind, kind === 'postgres' ? process.env.DATABASE_URL! : dir, 'pic/1'], {
        stdio: ['ignore', 'ignore', 'pipe'],
      });
      let err = '';
      child.stderr.on('data', (d) => (err += d));
      const exit = new Promise((r) => child.once('exit', r));
      try {
        // some of the new bytes are written (postgres: chunks of the temporary object)
        const written = async () =>
          kind === 'postgres'
            ? Number((await rt.db('blob_chunks').join('blob_objects', 'blob_objects.id', 'blob_chunks.object_id').whereRaw(`starts_with(key, '.tmp/')`).count({ n: '*' }))[0]!.n) > 2
            : (await temporaries()).length === 1 && fs.statSync(path.join(dir, 'pic', (await temporaries())[0]!)).size > 8192;
        await until(written, `the child's put to be writing (${err})`, 45_000, 20);
      } finally {
        child.kill('SIGKILL');
        await exit;
      }
      const left = await temporaries();
      expect(left, 'the killed put left its temporary').to.have.length(1);
      expect(await text(store, 'pic/1'), 'readers still see the old object').to.equal('the old picture');
      expect(await store.list('pic')).to.deep.equal(['pic/1']);

      expect(await store.sweepTemporaries(STALE_TEMPORARY_MS), 'a recent temporary may be a put in progress').to.equal(0);
      // as it will be STALE_TEMPORARY_MS later
      const stale = new Date(Date.now() - STALE_TEMPORARY_MS - 60_000);
      if (kind === 'postgres') await rt.db('blob_objects').where({ key: left[0] }).update({ updated_at: stale });
      else fs.utimesSync(path.join(dir, 'pic', left[0]!), stale, stale);
      expect(await store.sweepTemporaries(STALE_TEMPORARY_MS)).to.equal(1);
      expect(await temporaries()).to.deep.equal([]);
      if (kind === 'postgres') expect(Number((await rt.db('blob_chunks').count({ n: '*' }))[0]!.n), 'its chunks went with it').to.equal(1);
      expect(await text(store, 'pic/1')).to.equal('the old picture');
    });

    it('refuses keys that could leave the store', async () => {
      for (const bad of ['../etc/passwd', '/abs', 'a//b', 'a/./b', 'a\\b', 'a\0b', '']) {
        const err = await store.append(bad, pieces('x')).then(() => null, (e: Error) => e);
        expect(err?.message, bad).to.match(/invalid blob key/);
      }
    });
  });
}

describe('infra/blob: streaming 50 MB', function () {
  this.timeout(120_000);
  let rt: Runtime;
  before(async () => {
    rt = await testRuntime();
    await truncate(rt, 'blob_objects');
  });
  after(async () => truncate(rt, 'blob_objects'));

  it('postgres: stored in chunks of the chunk size, never more than two chunks behind its input, read back lazily', async () => {
    const store = pgBlobStore(rt.db, { chunkBytes: 1024 * 1024 });
    const total = 50 * 1024 * 1024;
    const hashIn = crypto.createHash('sha256');
    let produced = 0;
    let maxLag = 0;
    const stored = async () =>
      Number((await rt.db.raw(`SELECT coalesce(sum(c.len), 0) AS n FROM blob_chunks c JOIN blob_objects o ON o.id = c.object_id WHERE o.key = 'big/package.zip'`)).rows[0].n);
    async function* source() {
      let i = 0;
      while (produced < total) {
        const piece = crypto.randomBytes(CHUNK);
        hashIn.update(piece);
        produced += piece.length;
        // every 4 MB: how far the store is behind what it was given
        if (++i % 64 === 0) maxLag = Math.max(maxLag, produced - (await stored()));
        yield piece;
      }
    }
    expect(await store.append('big/package.zip', source())).to.equal(total);
    expect(maxLag).to.be.at.most(2 * 1024 * 1024 + CHUNK);
    const { rows } = await rt.db.raw(`SELECT count(*)::int AS n, max(len) AS max, min(len) AS min FROM blob_chunks`);
    expect(rows[0]).to.deep.equal({ n: 50, max: 1024 * 1024, min: 1024 * 1024 });

    // Read back: the reader fetches chunks as they are consumed, not the object up front — counted
    // by its queries (deterministic, unlike heap figures that depend on when GC runs).
    const hashOut = crypto.createHash('sha256');
    let fetches = 0;
    const count = (q: { sql?: string }) => {
      if (q.sql?.includes('blob_chunks')) fetches++;
    };
    rt.db.on('query', count);
    let n = 0;
    let fetchesAtFirst = -1;
    try {
      for await (const c of await store.read('big/package.zip')) {
        if (fetchesAtFirst < 0) fetchesAtFirst = fetches;
        hashOut.update(c as Buffer);
        n += (c as Buffer).length;
        // never more than a few chunks fetched ahead of what was consumed
        expect(fetches * 1024 * 1024 - n, `fetched ahead at ${n}`).to.be.at.most(4 * 1024 * 1024);
      }
    } finally {
      rt.db.off('query', count);
    }
    expect(n).to.equal(total);
    expect(hashOut.digest('hex')).to.equal(hashIn.digest('hex'));
    expect(fetchesAtFirst, 'queries before the first bytes').to.be.at.most(2);
    expect(fetches, 'one or two chunks per query').to.be.at.least(25);
  });

  it('fs: a 50 MB append streams to the file and back', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cp-blob-big-'));
    try {
      const store = fsBlobStore(dir);
      const total = 50 * 1024 * 1024;
      let produced = 0;
      let maxLag = 0;
      async function* source() {
        let i = 0;
        while (produced < total) {
          const piece = Buffer.alloc(CHUNK, i % 251);
          produced += piece.length;
          if (++i % 64 === 0) maxLag = Math.max(maxLag, produced - (fs.statSync(path.join(dir, 'big/p.zip'), { throwIfNoEntry: false })?.size ?? 0));
          yield piece;
        }
      }
      expect(await store.append('big/p.zip', source())).to.equal(total);
      expect(await store.size('big/p.zip')).to.equal(total);
      // the write stream's buffer (16 KiB) plus a piece or two in flight, not the object
      expect(maxLag).to.be.at.most(4 * CHUNK);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
