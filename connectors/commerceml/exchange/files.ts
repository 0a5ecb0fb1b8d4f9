// The upload area of an exchange session: `<DATA_DIR>/exchange/<session id>/`. Chunks of the
// same name are appended (1C cuts files larger than file_limit); names are checked so nothing
// lands outside the session folder.
import fs from 'node:fs';
import path from 'node:path';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { log } from '../../../src/infra/log.ts';

export class UploadError extends Error {}

export function sessionDir(baseDir: string, sessionId: number): string {
  return path.join(baseDir, String(sessionId));
}

/**
 * A safe relative path for a name 1C sent. Windows paths ("C:\v8_8789_c.xml") keep their last
 * part; sub-folders like "import_files/ab/x.jpg" are kept; "..", absolute paths, control
 * characters and over-long names are refused (returns undefined).
 */
export function safeRelativeName(raw: string | undefined): string | undefined {
  if (!raw) return undefined;
  let name = raw.replace(/\\/g, '/');
  if (/^[A-Za-z]:\//.test(name)) name = name.slice(name.lastIndexOf('/') + 1);
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are exactly what is refused
  if (name.startsWith('/') || name.length > 1024 || /[\0-\x1f:*?"<>|]/.test(name)) return undefined;
  const parts = name.split('/');
  if (parts.some((p) => p === '' || p === '.' || p === '..' || p.length > 255)) return undefined;
  return parts.join('/');
}

export function resolveInside(dir: string, rel: string): string {
  const full = path.resolve(dir, rel);
  if (!full.startsWith(path.resolve(dir) + path.sep)) throw new UploadError(`file name "${rel}" points outside the exchange folder`);
  return full;
}

/** Appends a request body to the named file; refuses when a size limit would be passed. */
export async function appendUpload(
  body: NodeJS.ReadableStream,
  target: string,
  limits: { maxFileBytes: number; sessionBytesLeft: number; maxChunkBytes?: number; name?: string },
): Promise<number> {
  await fs.promises.mkdir(path.dirname(target), { recursive: true });
  const existing = await fs.promises.stat(target).then((s) => s.size, () => 0);
  let n = 0;
  const counter = new Transform({
    transform(chunk: Buffer, _enc, cb) {
      n += chunk.length;
      if (limits.maxChunkBytes && n > limits.maxChunkBytes) return cb(new UploadError(`${limits.name ?? 'file'}: chunk is larger than file_limit=${limits.maxChunkBytes} announced at init`));
      if (existing + n > limits.maxFileBytes) return cb(new UploadError(`file is larger than the limit of ${limits.maxFileBytes} bytes`));
      if (n > limits.sessionBytesLeft) return cb(new UploadError('the exchange session passed its total size limit'));
      cb(null, chunk);
    },
  });
  try {
    await pipeline(body, counter, fs.createWriteStream(target, { flags: 'a' }));
  } catch (err) {
    // A refused chunk must not leave half of itself behind.
    await fs.promises.truncate(target, existing).catch((e: Error) => log.warn({ file: target, keep: existing, err: e.message }, 'commerceml upload: a refused chunk could not be cut off'));
    throw err;
  }
  return n;
}

/** The names in a session's upload folder; none when the folder is not there (nothing uploaded yet). */
export async function listUploads(dir: string): Promise<string[]> {
  try {
    return await fs.promises.readdir(dir);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw err;
  }
}

export async function wipeDir(dir: string): Promise<void> {
  await fs.promises.rm(dir, { recursive: true, force: true });
  await fs.promises.mkdir(dir, { recursive: true });
}
