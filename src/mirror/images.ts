// Pictures of mirrored products, content-addressed: the bytes are the blob `images/<sha256>`,
// their thumbnails `thumbs/<sha256>/<size>.webp`, and a product's `images` list refers to them as
// `sha256:<hex>` (anything else in the list — a URL a SOAP mapping gave — is kept as it is).
// A picture is decoded once, when it is kept (sharp, with failOn 'warning': a truncated or
// corrupt file is refused), and its thumbnails made then; the web only serves bytes.
import crypto from 'node:crypto';
import sharp from 'sharp';
import { type BlobStore, readAll } from '../infra/blob/index.ts';
import type { Db } from '../infra/db/knex.ts';

export const IMAGE_REF = /^sha256:([0-9a-f]{64})$/;
export const imageRef = (sha: string) => `sha256:${sha}`;
export const shaOf = (ref: string): string | undefined => IMAGE_REF.exec(ref)?.[1];

/** Largest picture kept (a product photo, not a print master). */
export const MAX_IMAGE_BYTES = 20 * 1024 * 1024;
/** Thumbnail widths (and heights: they fit inside a square): catalog tiles and the product page. */
export const THUMB_SIZES = [240, 640] as const;
export type ThumbSize = (typeof THUMB_SIZES)[number];

const FORMATS: Record<string, string> = { jpeg: 'image/jpeg', png: 'image/png', webp: 'image/webp', gif: 'image/gif', avif: 'image/avif', tiff: 'image/tiff' };

export const originalKey = (sha: string) => `images/${sha}`;
export const thumbKey = (sha: string, size: number) => `thumbs/${sha}/${size}.webp`;

export class ImageError extends Error {}

export interface ImageDeps {
  db: Db;
  blobs: BlobStore;
}

export async function makeThumbnail(bytes: Buffer, size: number): Promise<Buffer> {
  return sharp(bytes, { failOn: 'warning' }).rotate().resize(size, size, { fit: 'inside', withoutEnlargement: true }).webp({ quality: 80 }).toBuffer();
}

/**
 * Keeps a picture: its sha256, and — the first time these bytes are seen — the original and its
 * thumbnails in the blob store and a row in `images`. Throws ImageError (with the image
 * library's reason) for a file that is not a picture it can read.
 */
export async function keepImage(deps: ImageDeps, bytes: Buffer): Promise<{ sha: string; created: boolean }> {
  if (bytes.length > MAX_IMAGE_BYTES) throw new ImageError(`${bytes.length} bytes, more than the limit of ${MAX_IMAGE_BYTES}`);
  const sha = crypto.createHash('sha256').update(bytes).digest('hex');
  if (await deps.db('images').where({ sha256: sha }).first('sha256')) return { sha, created: false };
  let meta: sharp.Metadata;
  const thumbs: [number, Buffer][] = [];
  try {
    meta = await sharp(bytes, { failOn: 'warning' }).metadata();
    if (!meta.format || !FORMATS[meta.format] || !meta.width || !meta.height) throw new Error(`unsupported image format ${meta.format ?? '?'}`);
    // decoding for the thumbnails is what finds a truncated or corrupt file
    for (const size of THUMB_SIZES) thumbs.push([size, await makeThumbnail(bytes, size)]);
  } catch (err) {
    throw new ImageError((err as Error).message);
  }
  for (const [size, t] of thumbs) await deps.blobs.put(thumbKey(sha, size), t);
  await deps.blobs.put(originalKey(sha), bytes);
  const inserted = await deps.db('images')
    .insert({ sha256: sha, content_type: FORMATS[meta.format]!, width: meta.width, height: meta.height, bytes: bytes.length })
    .onConflict('sha256')
    .ignore()
    .returning('sha256');
  return { sha, created: inserted.length > 0 };
}

/** What picture paths of a source resolved to when they were last sent. */
export async function knownSourceImages(db: Db, sourceId: number, paths: string[]): Promise<Map<string, string>> {
  if (!paths.length) return new Map();
  const rows: { path: string; sha256: string }[] = await db('source_images').where({ source_id: sourceId }).whereIn('path', paths).select('path', 'sha256');
  return new Map(rows.map((r) => [r.path, r.sha256]));
}

export async function rememberSourceImage(db: Db, sourceId: number, path: string, sha: string): Promise<void> {
  await db('source_images')
    .insert({ source_id: sourceId, path, sha256: sha })
    .onConflict(['source_id', 'path'])
    .merge({ sha256: sha, updated_at: db.fn.now() });
}

export async function imageInfo(db: Db, sha: string): Promise<{ contentType: string; bytes: number } | undefined> {
  const row = await db('images').where({ sha256: sha }).first('content_type', 'bytes');
  return row ? { contentType: row.content_type, bytes: Number(row.bytes) } : undefined;
}

/** A thumbnail's bytes: the one made when the picture was kept, or made now (a size added later). */
export async function thumbnail(deps: ImageDeps, sha: string, size: ThumbSize): Promise<Buffer | undefined> {
  const key = thumbKey(sha, size);
  if ((await deps.blobs.size(key)) !== undefined) return readAll(deps.blobs, key, MAX_IMAGE_BYTES);
  if (!(await imageInfo(deps.db, sha))) return undefined;
  const t = await makeThumbnail(await readAll(deps.blobs, originalKey(sha), MAX_IMAGE_BYTES), size);
  await deps.blobs.put(key, t);
  return t;
}
