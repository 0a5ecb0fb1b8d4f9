// Unpacks an archive 1C uploaded (zip=yes) into the session folder, once. Every entry name is
// checked like an uploaded name (no path traversal), and both the declared and the actually
// inflated sizes count against the session's budget (maxUnzippedBytes is per session, not per
// archive), so a zip bomb stops early. Archives inside the archive are refused, never unpacked:
// 1C packs plain files, and a zip in a zip is how a bomb multiplies past the budget.
import fs from 'node:fs';
import path from 'node:path';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import yauzl from 'yauzl';
import { resolveInside, safeRelativeName, UploadError } from './files.ts';

export interface UnzipLimits {
  maxUnzippedBytes: number;
  maxZipEntries: number;
  /** Bytes earlier archives of the session already unpacked. */
  alreadyUnzipped?: number;
}

const ARCHIVE = /\.(zip|rar|7z|gz|tgz|tar|bz2|xz|cab|arj)$/i;

export async function unzipInto(zipPath: string, dir: string, limits: UnzipLimits): Promise<{ written: string[]; bytes: number }> {
  const zip = await new Promise<yauzl.ZipFile>((resolve, reject) =>
    yauzl.open(zipPath, { lazyEntries: true, autoClose: true }, (err, z) => (err ? reject(new UploadError(`${path.basename(zipPath)} is not a readable zip archive: ${err.message}`)) : resolve(z!))),
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
        ? `archives of this session unpack to more than ${limits.maxUnzippedBytes} bytes (${before} bytes unpacked before ${path.basename(zipPath)})`
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
          if (ARCHIVE.test(rel)) throw new UploadError(`${path.basename(zipPath)} contains an archive (${rel}): archives inside archives are not unpacked, pack the files themselves`);
          total += entry.uncompressedSize;
          if (total > limits.maxUnzippedBytes) throw over();
          const target = resolveInside(dir, rel);
          await fs.promises.mkdir(path.dirname(target), { recursive: true });
          const stream = await new Promise<NodeJS.ReadableStream>((res, rej) => zip.openReadStream(entry, (e, s) => (e ? rej(e) : res(s!))));
          let n = 0;
          const guard = new Transform({
            transform(chunk: Buffer, _enc, cb) {
              n += chunk.length;
              if (n > entry.uncompressedSize) return cb(new UploadError(`archive entry "${rel}" inflates beyond its declared size`));
              if (total - entry.uncompressedSize + n > limits.maxUnzippedBytes) return cb(over());
              cb(null, chunk);
            },
          });
          await pipeline(stream, guard, fs.createWriteStream(target));
          written.push(rel);
        })().then(() => zip.readEntry(), (err) => { zip.close(); reject(err); });
      });
      zip.readEntry();
    });
  } catch (err) {
    for (const rel of written) await fs.promises.rm(path.join(dir, rel), { force: true });
    throw err instanceof UploadError ? err : new UploadError(`could not unpack ${path.basename(zipPath)}: ${(err as Error).message}`);
  }
  return { written, bytes: total - before };
}
