// The blob store port: named byte objects any process of the deployment can write and read —
// 1C exchange uploads, message attachments, product pictures. Two backends, chosen by BLOB_STORE:
// `postgres` (bytea chunks in the database every process already shares; the production default)
// and `fs` (files under DATA_DIR, for one host or a shared volume). Both stream: data goes in and
// out one chunk at a time, never whole.
import type { Readable } from 'node:stream';

export type BlobData = AsyncIterable<Buffer | Uint8Array | string>;

export interface BlobRange {
  /** First byte (default 0). */
  start?: number;
  /** One past the last byte (default: the end). */
  end?: number;
}

export interface BlobStore {
  readonly kind: 'postgres' | 'fs';
  /**
   * Appends to an object (created when missing); returns the bytes appended. An append that
   * fails (the data's iterator throws, the connection drops) leaves the object as it was.
   * Appends to one key are not meant to run concurrently (1C sends a file's chunks in turn).
   */
  append(key: string, data: BlobData): Promise<number>;
  /** Writes a whole object, replacing any with that key only once all of it is written. */
  put(key: string, data: BlobData | Buffer): Promise<number>;
  /** The size in bytes, or undefined when there is no such object. */
  size(key: string): Promise<number | undefined>;
  /** The bytes (or a range of them), streamed; throws BlobNotFound when there is no such object. */
  read(key: string, range?: BlobRange): Promise<Readable>;
  /** Keys under a prefix ("exchange/12" lists "exchange/12/…"), sorted. */
  list(prefix: string): Promise<string[]>;
  remove(key: string): Promise<void>;
  /** Removes every object under a prefix. */
  removePrefix(prefix: string): Promise<void>;
  /**
   * Removes what a `put` cut short by a killed process left behind (its temporary object),
   * untouched for longer than `olderThanMs` — a `put` still running is younger; returns how many.
   */
  sweepTemporaries(olderThanMs: number): Promise<number>;
}

/** A temporary left this long is no `put` in progress (the largest, a package's unzipped entry, takes minutes). */
export const STALE_TEMPORARY_MS = 6 * 3600_000;

export class BlobNotFound extends Error {
  constructor(readonly key: string) {
    super(`no stored object "${key}"`);
  }
}

/**
 * Keys are relative, "/"-separated paths: no empty, "." or ".." segment, no leading "/", no
 * backslash or control character — so the fs backend can never be led outside its root.
 */
export function checkKey(key: string): string {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are exactly what is refused
  if (!key || key.length > 2048 || key.startsWith('/') || /[\0-\x1f\\]/.test(key) || key.split('/').some((p) => p === '' || p === '.' || p === '..')) {
    throw new Error(`invalid blob key "${key}"`);
  }
  return key;
}

export const joinKey = (...parts: (string | number)[]) => checkKey(parts.map(String).join('/'));

/** Reads a whole (small) object into memory, refusing past `max` bytes. */
export async function readAll(store: BlobStore, key: string, max: number): Promise<Buffer> {
  const size = await store.size(key);
  if (size === undefined) throw new BlobNotFound(key);
  if (size > max) throw new Error(`"${key}" is ${size} bytes, more than ${max}`);
  const parts: Buffer[] = [];
  for await (const c of await store.read(key)) parts.push(c as Buffer);
  return Buffer.concat(parts);
}

export async function* asBuffers(data: BlobData | Buffer): AsyncGenerator<Buffer> {
  if (Buffer.isBuffer(data)) {
    yield data;
    return;
  }
  for await (const c of data) yield typeof c === 'string' ? Buffer.from(c) : Buffer.isBuffer(c) ? c : Buffer.from(c.buffer, c.byteOffset, c.byteLength);
}
