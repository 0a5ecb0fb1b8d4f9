// Unpacks an archive 1C uploaded (zip=yes) into the session's upload area, once. The archive is
// read from the blob store by ranges (yauzl's random-access reader), never whole. Every entry
// name is checked like an uploaded name (no path traversal), and both the declared and the
// actually inflated sizes count against the session's budget (maxUnzippedBytes is per session,
// not per archive), so a zip bomb stops early. Archives inside the archive are refused, never
// unpacked: 1C packs plain files, and a zip in a zip is how a bomb multiplies past the budget.
import { PassThrough, type Readable } from 'node:stream';
import yauzl from 'yauzl';
import type { BlobStore } from '../../../src/infra/blob/index.ts';
import { safeRelativeName, UploadError, uploadKey } from './files.ts';

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

/** Unpacks the upload `name` of the session area `area` into the same area. */
export async function unzipInto(blobs: BlobStore, area: string, name: string, limits: UnzipLimits): Promise<{ written: string[]; bytes: number }> {
  const zipKey = uploadKey(area, name);
  const size = await blobs.size(zipKey);
  if (size === undefined) throw new UploadError(`${name} was not uploaded in this session`);
  const zip = await new Promise<yauzl.ZipFile>((resolve, reject) =>
    yauzl.fromRandomAccessReader(new BlobReader(blobs, zipKey), size, { lazyEntries: true, autoClose: true }, (err, z) =>
      err ? reject(new UploadError(`${name} is not a readable zip archive: ${err.message}`)) : resolve(z!),
    ),
  );
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
