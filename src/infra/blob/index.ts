// The blob store of a process, as configured (BLOB_STORE, DATA_DIR, BLOB_CHUNK_BYTES).
import type { Config } from '../config.ts';
import type { Db } from '../db/knex.ts';
import { fsBlobStore } from './fs-store.ts';
import { pgBlobStore } from './pg-store.ts';
import type { BlobStore } from './store.ts';

export * from './store.ts';
export { fsBlobStore } from './fs-store.ts';
export { DEFAULT_CHUNK_BYTES, pgBlobStore } from './pg-store.ts';

export function createBlobStore(cfg: Pick<Config, 'blobStore' | 'dataDir' | 'BLOB_CHUNK_BYTES'>, db: Db): BlobStore {
  return cfg.blobStore === 'postgres' ? pgBlobStore(db, { chunkBytes: cfg.BLOB_CHUNK_BYTES }) : fsBlobStore(cfg.dataDir);
}
