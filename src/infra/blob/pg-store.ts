// BLOB_STORE=postgres: objects in the database every process already shares (blob_objects,
// blob_chunks). Bytes go in as bytea chunks of `chunkBytes` (1 MiB), one written while the next
// is gathered, and come out one or two chunks per query, the next query sent while the consumer
// works on the last, so neither side ever holds more than a few chunks of an object — a 1 GB
// package streams through in constant memory. An object's committed `size` is what
// readers see: an append writes its chunks past it and moves it once all are written (a
// failed append removes them again; one cut short by a crash is cleaned up by the next append).
// `put` writes under `.tmp/<uuid>` and renames; a process killed mid-put leaves such an object,
// which nothing lists and the blobs.sweep job removes once it is stale.
import crypto from 'node:crypto';
import { Readable } from 'node:stream';
import type { Db } from '../db/knex.ts';
import { log } from '../log.ts';
import { asBuffers, type BlobData, BlobNotFound, type BlobRange, type BlobStore, checkKey } from './store.ts';

export const DEFAULT_CHUNK_BYTES = 1024 * 1024;
const TMP = '.tmp/';

export function pgBlobStore(db: Db, opts: { chunkBytes?: number } = {}): BlobStore {
  const chunkBytes = opts.chunkBytes ?? DEFAULT_CHUNK_BYTES;
  const prefixOf = (prefix: string) => `${checkKey(prefix.replace(/\/+$/, ''))}/`;

  /** Writes `data` as chunks from offset `from` of object `id`; returns the new end. */
  async function writeChunks(id: number, from: number, data: BlobData | Buffer): Promise<number> {
    let off = from;
    let pending: Buffer[] = [];
    let pendingLen = 0;
    // One chunk is written while the next is gathered (an unzip inflates it meanwhile); the
    // write in flight keeps its failure as a value until it is awaited, at the next chunk or the end.
    let inflight: Promise<{ failed: unknown } | undefined> = Promise.resolve(undefined);
    const settle = async () => {
      const outcome = await inflight;
      inflight = Promise.resolve(undefined);
      if (outcome) throw outcome.failed;
    };
    const flush = async () => {
      const buf = pending.length === 1 ? pending[0]! : Buffer.concat(pending, pendingLen);
      pending = [];
      pendingLen = 0;
      await settle();
      inflight = db('blob_chunks').insert({ object_id: id, off, len: buf.length, data: buf }).then(
        () => undefined,
        (failed: unknown) => ({ failed }),
      );
      off += buf.length;
    };
    try {
      for await (let c of asBuffers(data)) {
        while (c.length) {
          const take = Math.min(chunkBytes - pendingLen, c.length);
          pending.push(c.subarray(0, take));
          pendingLen += take;
          c = c.subarray(take);
          if (pendingLen === chunkBytes) await flush();
        }
      }
      if (pendingLen) await flush();
    } catch (err) {
      // the write in flight lands (or fails) before the caller removes what was written
      await inflight;
      throw err;
    }
    await settle();
    return off;
  }

  async function objectOf(key: string): Promise<{ id: number; size: number } | undefined> {
    const row = await db('blob_objects').where({ key: checkKey(key) }).first('id', 'size');
    return row ? { id: Number(row.id), size: Number(row.size) } : undefined;
  }

  return {
    kind: 'postgres',
    async append(key: string, data: BlobData): Promise<number> {
      const { rows } = await db.raw(
        `INSERT INTO blob_objects (key) VALUES (?) ON CONFLICT (key) DO UPDATE SET updated_at = now() RETURNING id, size`,
        [checkKey(key)],
      );
      const id = Number(rows[0].id);
      const size = Number(rows[0].size);
      // leftovers of an append a crash cut short
      await db('blob_chunks').where('object_id', id).andWhere('off', '>=', size).delete();
      try {
        const end = await writeChunks(id, size, data);
        await db('blob_objects').where({ id }).update({ size: end, updated_at: db.fn.now() });
        return end - size;
      } catch (err) {
        await db('blob_chunks').where('object_id', id).andWhere('off', '>=', size).delete()
          .catch((e) => log.warn({ key, err: (e as Error).message }, 'blob store (postgres): could not remove the chunks of a failed append'));
        throw err;
      }
    },
    async put(key: string, data: BlobData | Buffer): Promise<number> {
      checkKey(key);
      // (`.tmp/` is this store's own: a caller's key there would be swept as a leftover)
      if (key.startsWith(TMP)) throw new Error(`invalid blob key "${key}": ${TMP} is the store's own`);
      // Written under a temporary key, then swapped in: readers see the old object or the new one.
      const [tmp] = await db('blob_objects').insert({ key: `${TMP}${crypto.randomUUID()}` }).returning('id');
      const id = Number(tmp.id);
      try {
        const end = await writeChunks(id, 0, data);
        await db.transaction(async (trx) => {
          await trx('blob_objects').where({ key }).delete();
          await trx('blob_objects').where({ id }).update({ key, size: end, updated_at: trx.fn.now() });
        });
        return end;
      } catch (err) {
        await db('blob_objects').where({ id }).delete()
          .catch((e) => log.warn({ key, err: (e as Error).message }, 'blob store (postgres): could not remove the object of a failed put'));
        throw err;
      }
    },
    async size(key: string): Promise<number | undefined> {
      return (await objectOf(key))?.size;
    },
    async read(key: string, range: BlobRange = {}): Promise<Readable> {
      const obj = await objectOf(key);
      if (!obj) throw new BlobNotFound(key);
      const start = Math.max(0, range.start ?? 0);
      const end = Math.min(obj.size, range.end ?? obj.size);
      // Only the bytes of the range leave the database (substring of an uncompressed
      // out-of-line value reads just those pages): an archive's small header reads stay small.
      const slices = async (pos: number, first: boolean): Promise<{ off: number; skip: number; data: Buffer }[]> =>
        (
          await db.raw(
            `SELECT off, greatest(?::bigint - off, 0) AS skip,
                    substring(data FROM (greatest(?::bigint - off, 0) + 1)::int FOR (least(?::bigint - off, len) - greatest(?::bigint - off, 0))::int) AS data
               FROM blob_chunks WHERE object_id = ? AND ${first ? 'off <= ? ORDER BY off DESC LIMIT 1' : 'off >= ? AND off < ? ORDER BY off LIMIT 2'}`,
            // a range that ends inside the first of the two chunks must not slice the next one
            first ? [pos, pos, end, pos, obj.id, pos] : [pos, pos, end, pos, obj.id, pos, end],
          )
        ).rows;
      type Slices = Awaited<ReturnType<typeof slices>>;
      // The next query is sent before the rows of this one are handed over: the database reads
      // and encodes the next two chunks while the consumer (a parser) works on these. Its
      // outcome is kept as a value, so a reader abandoned early leaves no unhandled rejection.
      const fetch = (pos: number, first: boolean) =>
        slices(pos, first).then(
          (rows): { rows: Slices } => ({ rows }),
          (failed: unknown) => ({ failed }),
        );
      async function* chunks(): AsyncGenerator<Buffer> {
        let pos = start;
        // the chunk holding `start`, then the following ones in order, two per query
        let next = pos < end ? fetch(pos, true) : undefined;
        while (next) {
          const got = await next;
          if ('failed' in got) throw got.failed;
          const rows = got.rows;
          if (!rows.length) throw new Error(`stored object "${key}" is missing its bytes at ${pos}`);
          let after = pos;
          for (const r of rows) {
            if (Number(r.off) + Number(r.skip) !== after || !r.data.length) throw new Error(`stored object "${key}" is missing its bytes at ${after}`);
            after += r.data.length;
            if (after >= end) break;
          }
          next = after < end ? fetch(after, false) : undefined;
          for (const r of rows) {
            yield r.data;
            pos += r.data.length;
            if (pos >= end) return;
          }
        }
      }
      return Readable.from(chunks(), { objectMode: false, highWaterMark: 64 * 1024 });
    },
    async list(prefix: string): Promise<string[]> {
      const rows = await db('blob_objects').whereRaw('starts_with(key, ?)', [prefixOf(prefix)]).orderBy('key').select('key');
      return rows.map((r: { key: string }) => r.key);
    },
    async remove(key: string): Promise<void> {
      await db('blob_objects').where({ key: checkKey(key) }).delete();
    },
    async removePrefix(prefix: string): Promise<void> {
      await db('blob_objects').whereRaw('starts_with(key, ?)', [prefixOf(prefix)]).delete();
    },
    async sweepTemporaries(olderThanMs: number): Promise<number> {
      // their chunks go with them (ON DELETE CASCADE)
      return db('blob_objects')
        .whereRaw('starts_with(key, ?)', [TMP])
        .andWhereRaw(`updated_at < now() - make_interval(secs => ?)`, [olderThanMs / 1000])
        .delete();
    },
  };
}
