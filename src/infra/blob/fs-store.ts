// BLOB_STORE=fs: objects are files under a root (DATA_DIR), the key being the relative path —
// the layout the store had before the blob store (`exchange/<session>/…`, `attachments/…`).
// Processes share objects only when they share the folder (one host, or a shared volume).
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { log } from '../log.ts';
import { asBuffers, type BlobData, BlobNotFound, type BlobRange, type BlobStore, checkKey } from './store.ts';

/** `put` writes a file named so next to its key's, then renames it; `list` never shows such files. */
const TMP = '.blob-tmp-';

export function fsBlobStore(root: string): BlobStore {
  const base = path.resolve(root);
  const full = (key: string) => path.join(base, checkKey(key));
  const missing = (err: unknown) => (err as NodeJS.ErrnoException).code === 'ENOENT';

  /** A folder's entries; none when it is gone or is a file (a key's prefix may be either). */
  async function entriesOf(dir: string): Promise<fs.Dirent[]> {
    try {
      return await fs.promises.readdir(dir, { withFileTypes: true });
    } catch (err) {
      if (missing(err) || (err as NodeJS.ErrnoException).code === 'ENOTDIR') return [];
      throw err;
    }
  }

  async function walk(dir: string, rel: string, out: string[]): Promise<void> {
    for (const e of await entriesOf(dir)) {
      const k = rel ? `${rel}/${e.name}` : e.name;
      if (e.isDirectory()) await walk(path.join(dir, e.name), k, out);
      else if (e.isFile() && !e.name.startsWith(TMP)) out.push(k);
    }
  }

  async function sizeOf(key: string): Promise<number | undefined> {
    try {
      const s = await fs.promises.stat(full(key));
      return s.isFile() ? s.size : undefined;
    } catch (err) {
      if (missing(err) || (err as NodeJS.ErrnoException).code === 'ENOTDIR') return undefined;
      throw err;
    }
  }

  return {
    kind: 'fs',
    async append(key: string, data: BlobData): Promise<number> {
      const file = full(key);
      await fs.promises.mkdir(path.dirname(file), { recursive: true });
      const existing = await fs.promises.stat(file).then((s) => s.size, () => 0);
      let n = 0;
      const counted = (async function* () {
        for await (const c of asBuffers(data)) {
          n += c.length;
          yield c;
        }
      })();
      try {
        await pipeline(Readable.from(counted), fs.createWriteStream(file, { flags: 'a' }));
      } catch (err) {
        // A failed append must not leave part of itself behind.
        await fs.promises.truncate(file, existing).catch((e) => log.warn({ key, err: (e as Error).message }, 'blob store (fs): could not cut a failed append back'));
        throw err;
      }
      return n;
    },
    async put(key: string, data: BlobData | Buffer): Promise<number> {
      const file = full(key);
      await fs.promises.mkdir(path.dirname(file), { recursive: true });
      const tmp = path.join(path.dirname(file), `${TMP}${crypto.randomBytes(8).toString('hex')}`);
      let n = 0;
      const counted = (async function* () {
        for await (const c of asBuffers(data)) {
          n += c.length;
          yield c;
        }
      })();
      try {
        await pipeline(Readable.from(counted), fs.createWriteStream(tmp, { flags: 'wx' }));
        await fs.promises.rename(tmp, file);
      } catch (err) {
        await fs.promises.rm(tmp, { force: true });
        throw err;
      }
      return n;
    },
    size: sizeOf,
    async read(key: string, range: BlobRange = {}): Promise<Readable> {
      const file = full(key);
      const size = await sizeOf(key);
      if (size === undefined) throw new BlobNotFound(key);
      const start = Math.max(0, range.start ?? 0);
      const end = Math.min(size, range.end ?? size);
      if (end <= start) return Readable.from([]);
      return fs.createReadStream(file, { start, end: end - 1, highWaterMark: 256 * 1024 });
    },
    async list(prefix: string): Promise<string[]> {
      const p = checkKey(prefix.replace(/\/+$/, ''));
      const out: string[] = [];
      await walk(full(p), p, out);
      return out.sort();
    },
    async remove(key: string): Promise<void> {
      await fs.promises.rm(full(key), { force: true });
    },
    async removePrefix(prefix: string): Promise<void> {
      await fs.promises.rm(full(prefix.replace(/\/+$/, '')), { recursive: true, force: true });
    },
    async sweepTemporaries(olderThanMs: number): Promise<number> {
      // a put in progress writes its file, so its mtime is recent
      const before = Date.now() - olderThanMs;
      let n = 0;
      const sweep = async (dir: string): Promise<void> => {
        for (const e of await entriesOf(dir)) {
          const p = path.join(dir, e.name);
          if (e.isDirectory()) await sweep(p);
          else if (e.isFile() && e.name.startsWith(TMP)) {
            const s = await fs.promises.stat(p).catch((err: unknown) => {
              if (missing(err)) return undefined; // renamed into place meanwhile
              throw err;
            });
            if (s && s.mtimeMs < before) {
              await fs.promises.rm(p, { force: true });
              n++;
            }
          }
        }
      };
      await sweep(base);
      return n;
    },
  };
}
