// The upload area of an exchange session: the blob store's objects under
// `<upload prefix>/<session id>/` (default prefix `exchange`), so the web that takes an upload and
// the worker that imports it need not share a disk (BLOB_STORE=postgres). Chunks of the same
// name are appended (1C cuts files larger than file_limit); names are checked so nothing lands
// outside the session's area.
import type { Readable } from 'node:stream';
import type { BlobStore } from '../../../src/infra/blob/index.ts';

export class UploadError extends Error {}

/** Where uploads go unless the router is told otherwise. */
export const DEFAULT_UPLOAD_PREFIX = 'exchange';

export function sessionPrefix(uploadPrefix: string, sessionId: number): string {
  return `${uploadPrefix}/${sessionId}`;
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

/** The blob key of a file of a session's area; refuses a name safeRelativeName would not give. */
export function uploadKey(area: string, rel: string): string {
  if (safeRelativeName(rel) !== rel) throw new UploadError(`file name "${rel}" points outside the exchange folder`);
  return `${area}/${rel}`;
}

/** Appends a request body to the named upload; refuses when a size limit would be passed. */
export async function appendUpload(
  blobs: BlobStore,
  body: AsyncIterable<Buffer>,
  key: string,
  limits: { maxFileBytes: number; sessionBytesLeft: number; maxChunkBytes?: number; name?: string },
): Promise<number> {
  const existing = (await blobs.size(key)) ?? 0;
  let n = 0;
  // A refused chunk leaves nothing of itself behind: a failed append changes nothing.
  return blobs.append(
    key,
    (async function* () {
      for await (const chunk of body) {
        n += chunk.length;
        if (limits.maxChunkBytes && n > limits.maxChunkBytes) throw new UploadError(`${limits.name ?? 'file'}: chunk is larger than file_limit=${limits.maxChunkBytes} announced at init`);
        if (existing + n > limits.maxFileBytes) throw new UploadError(`file is larger than the limit of ${limits.maxFileBytes} bytes`);
        if (n > limits.sessionBytesLeft) throw new UploadError('the exchange session passed its total size limit');
        yield chunk;
      }
    })(),
  );
}

/** The top-level names of a session's uploads (not what archives unpacked into sub-folders). */
export async function listUploads(blobs: BlobStore, area: string): Promise<string[]> {
  return (await blobs.list(area)).map((k) => k.slice(area.length + 1)).filter((n) => !n.includes('/'));
}

/** The last bytes of an upload (at most `n`). */
export async function tailOf(blobs: BlobStore, key: string, n: number): Promise<Buffer> {
  const size = (await blobs.size(key)) ?? 0;
  const parts: Buffer[] = [];
  for await (const c of await blobs.read(key, { start: Math.max(0, size - n) })) parts.push(c as Buffer);
  return Buffer.concat(parts);
}

/** An upload as the importers read it: its size and its bytes, streamed. */
export interface UploadFile {
  size: number;
  open(range?: { start?: number; end?: number }): Promise<Readable>;
}

export async function uploadFile(blobs: BlobStore, key: string): Promise<UploadFile | undefined> {
  const size = await blobs.size(key);
  return size === undefined ? undefined : { size, open: (range) => blobs.read(key, range) };
}
