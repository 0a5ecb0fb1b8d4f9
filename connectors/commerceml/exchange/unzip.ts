// Unpacks an archive 1C uploaded (zip=yes) into the session's upload area, once. The archive is
// read from the blob store by ranges (yauzl's random-access reader), never whole. Every entry
// name is checked like an uploaded name (no path traversal), and both the declared and the
// actually inflated sizes count against the session's budget (maxUnzippedBytes is per session,
// not per archive), so a zip bomb stops early. Archives inside the archive are refused, never
// unpacked: 1C packs plain files, and a zip in a zip is how a bomb multiplies past the budget.
// CommerceML files themselves (.xml) are checked and counted like every entry but not written
// out: the import reads them from the archive as it parses (archivedFile), so hundreds of MB of
// XML are not copied into the blob store and read back before the parse can start.
import { PassThrough, Readable } from 'node:stream';
import zlib from 'node:zlib';
import yauzl from 'yauzl';
import type { BlobStore } from '../../../src/infra/blob/index.ts';
import { safeRelativeName, type UploadFile, UploadError, uploadFile, uploadKey } from './files.ts';

export interface UnzipLimits {
  maxUnzippedBytes: number;
  maxZipEntries: number;
  /** Bytes earlier archives of the session already unpacked. */
  alreadyUnzipped?: number;
}

const ARCHIVE = /\.(zip|rar|7z|gz|tgz|tar|bz2|xz|cab|arj)$/i;

/** yauzl reads the central directory and each entry by range: here, ranges of a stored object. */
class BlobReader extends yauzl.RandomAccessReader {
  constructor(
    private readonly blobs: BlobStore,
    private readonly key: string,
  ) {
    super();
  }

  override _readStreamForRange(start: number, end: number): Readable {
    const out = new PassThrough();
    this.blobs.read(this.key, { start, end }).then(
      (s) => {
        s.on('error', (e) => out.destroy(e));
        s.pipe(out);
      },
      (e: Error) => out.destroy(e),
    );
    return out;
  }
}

/** Entries left in the archive and read from there when imported. */
export const readInPlace = (rel: string) => rel.toLowerCase().endsWith('.xml');

async function openZip(blobs: BlobStore, area: string, name: string, autoClose: boolean): Promise<yauzl.ZipFile> {
  const zipKey = uploadKey(area, name);
  const size = await blobs.size(zipKey);
  if (size === undefined) throw new UploadError(`${name} was not uploaded in this session`);
  return new Promise<yauzl.ZipFile>((resolve, reject) =>
    yauzl.fromRandomAccessReader(new BlobReader(blobs, zipKey), size, { lazyEntries: true, autoClose }, (err, z) =>
      err ? reject(new UploadError(`${name} is not a readable zip archive: ${err.message}`)) : resolve(z!),
    ),
  );
}

/** Unpacks the upload `name` of the session area `area` into the same area (.xml entries stay in it, see readInPlace). */
export async function unzipInto(blobs: BlobStore, area: string, name: string, limits: UnzipLimits): Promise<{ written: string[]; bytes: number }> {
  const zip = await openZip(blobs, area, name, true);
  if (zip.entryCount > limits.maxZipEntries) {
    zip.close();
    throw new UploadError(`archive has ${zip.entryCount} entries, more than the limit of ${limits.maxZipEntries}`);
  }
  const written: string[] = [];
  const before = limits.alreadyUnzipped ?? 0;
  let total = before;
  const over = () =>
    new UploadError(
      before
        ? `archives of this session unpack to more than ${limits.maxUnzippedBytes} bytes (${before} bytes unpacked before ${name})`
        : `archive unpacks to more than ${limits.maxUnzippedBytes} bytes`,
    );
  try {
    await new Promise<void>((resolve, reject) => {
      zip.on('error', reject);
      zip.on('end', resolve);
      zip.on('entry', (entry: yauzl.Entry) => {
        (async () => {
          if (entry.fileName.endsWith('/')) return;
          const rel = safeRelativeName(entry.fileName);
          if (!rel) throw new UploadError(`archive entry "${entry.fileName}" has an unsafe name`);
          if (ARCHIVE.test(rel)) throw new UploadError(`${name} contains an archive (${rel}): archives inside archives are not unpacked, pack the files themselves`);
          total += entry.uncompressedSize;
          if (total > limits.maxUnzippedBytes) throw over();
          // read when imported; yauzl checks there that it inflates to its declared size
          if (readInPlace(rel)) return;
          const stream = await new Promise<Readable>((res, rej) => zip.openReadStream(entry, (e, s) => (e ? rej(e) : res(s!))));
          let n = 0;
          await blobs.put(
            uploadKey(area, rel),
            (async function* () {
              for await (const chunk of stream as AsyncIterable<Buffer>) {
                n += chunk.length;
                if (n > entry.uncompressedSize) throw new UploadError(`archive entry "${rel}" inflates beyond its declared size`);
                if (total - entry.uncompressedSize + n > limits.maxUnzippedBytes) throw over();
                yield chunk;
              }
            })(),
          );
          written.push(rel);
        })().then(
          () => zip.readEntry(),
          (err) => {
            zip.close();
            reject(err);
          },
        );
      });
      zip.readEntry();
    });
  } catch (err) {
    for (const rel of written) await blobs.remove(uploadKey(area, rel));
    throw err instanceof UploadError ? err : new UploadError(`could not unpack ${name}: ${(err as Error).message}`);
  }
  return { written, bytes: total - before };
}

/** The entry `rel` of an open archive, or undefined. */
function findEntry(zip: yauzl.ZipFile, rel: string): Promise<yauzl.Entry | undefined> {
  return new Promise((resolve, reject) => {
    zip.on('error', reject);
    zip.on('end', () => resolve(undefined));
    zip.on('entry', (e: yauzl.Entry) => {
      if (!e.fileName.endsWith('/') && safeRelativeName(e.fileName) === rel) resolve(e);
      else zip.readEntry();
    });
    zip.readEntry();
  });
}

/** zlib's pieces: 256 KB instead of its 16 KB, so the parser gets big chunks and fewer callbacks. */
const INFLATE_CHUNK = 256 * 1024;

/** The entry's bytes, inflated here (not by yauzl): sizes checked against the declared one. */
async function entryStream(zip: yauzl.ZipFile, e: yauzl.Entry, what: string): Promise<Readable> {
  if (e.isEncrypted()) throw new UploadError(`${what} is encrypted`);
  if (e.compressionMethod !== 0 && e.compressionMethod !== 8) throw new UploadError(`${what}: unsupported compression method ${e.compressionMethod}`);
  const raw = await new Promise<Readable>((res, rej) =>
    zip.openReadStream(e, { decodeFileData: false }, (err, st) => (err ? rej(new UploadError(`${what} could not be read: ${err.message}`)) : res(st!))),
  );
  if (e.compressionMethod === 0) return raw;
  const inflate = zlib.createInflateRaw({ chunkSize: INFLATE_CHUNK });
  raw.on('error', (err) => inflate.destroy(err));
  inflate.on('close', () => raw.destroy());
  return raw.pipe(inflate);
}

/** Bytes [start, end) of an entry; reading it to its end checks it inflates to `declared` bytes. */
async function* rangeOf(src: Readable, start: number, end: number, declared: number, what: string): AsyncGenerator<Buffer> {
  let pos = 0;
  try {
    for await (const c of src as AsyncIterable<Buffer>) {
      const from = Math.max(0, start - pos);
      const to = Math.min(c.length, end - pos);
      pos += c.length;
      if (pos > declared) throw new UploadError(`archive entry "${what}" inflates beyond its declared size`);
      if (to > from) yield from === 0 && to === c.length ? c : c.subarray(from, to);
      if (pos >= end) return;
    }
  } catch (err) {
    throw err instanceof UploadError ? err : new UploadError(`${what} could not be read: ${(err as Error).message}`);
  } finally {
    src.destroy();
  }
  if (pos !== declared) throw new UploadError(`archive entry "${what}" inflates to ${pos} bytes, not its declared ${declared}`);
}

/**
 * A file of the session as the importers read it: an .xml entry of one of the session's unpacked
 * archives (the last archive holding it wins, as unpacking over each other did), else the upload.
 */
export async function sessionFile(blobs: BlobStore, area: string, archives: readonly string[], rel: string): Promise<UploadFile | undefined> {
  if (readInPlace(rel)) {
    for (const name of [...archives].reverse()) {
      const zip = await openZip(blobs, area, name, false);
      let entry: yauzl.Entry | undefined;
      try {
        entry = await findEntry(zip, rel);
      } finally {
        zip.close();
      }
      if (!entry) continue;
      const what = `${rel} (in ${name})`;
      return {
        size: entry.uncompressedSize,
        async open(range = {}) {
          const z = await openZip(blobs, area, name, false);
          try {
            const e = await findEntry(z, rel);
            if (!e) throw new UploadError(`${what} is gone`);
            const bytes = await entryStream(z, e, what);
            return Readable.from(rangeOf(bytes, Math.max(0, range.start ?? 0), range.end ?? Number.POSITIVE_INFINITY, e.uncompressedSize, what), { objectMode: false });
          } finally {
            // closes the reader once the entry's stream has ended
            z.close();
          }
        },
      };
    }
  }
  return uploadFile(blobs, uploadKey(area, rel));
}
