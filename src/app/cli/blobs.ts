// `counterpart blobs copy-from-disk`: moving a deployment from BLOB_STORE=fs to postgres. What
// lasts (message attachments, product pictures and their thumbnails) is copied, streamed, from
// the files under DATA_DIR into the configured store; exchange uploads are not (they last one
// exchange). An object already there with the same size is skipped, so a rerun is cheap.
import type { Command } from 'commander';
import { type BlobStore, fsBlobStore } from '../../infra/blob/index.ts';
import type { Runtime } from '../../infra/runtime.ts';

export const LASTING_PREFIXES = ['attachments', 'images', 'thumbs'];

export async function copyBlobs(from: BlobStore, to: BlobStore, prefixes = LASTING_PREFIXES): Promise<{ copied: number; skipped: number; bytes: number }> {
  const done = { copied: 0, skipped: 0, bytes: 0 };
  for (const prefix of prefixes) {
    for (const key of await from.list(prefix)) {
      const size = await from.size(key);
      if (size === undefined) continue;
      if ((await to.size(key)) === size) {
        done.skipped++;
        continue;
      }
      done.bytes += await to.put(key, await from.read(key));
      done.copied++;
    }
  }
  return done;
}

export function registerBlobs(program: Command, withRuntime: <T>(fn: (rt: Runtime) => Promise<T>) => Promise<T>): void {
  const blobs = program.command('blobs').description('the blob store (uploads, attachments, pictures)');
  blobs
    .command('copy-from-disk')
    .description('copy attachments and pictures kept as files under DATA_DIR (BLOB_STORE=fs) into the configured store')
    .option('--dir <path>', 'the old DATA_DIR (default: DATA_DIR)')
    .action((o: { dir?: string }) =>
      withRuntime(async (rt) => {
        if (rt.blobs.kind === 'fs' && !o.dir) throw new Error('BLOB_STORE is fs: the files are the store already (set BLOB_STORE=postgres)');
        const r = await copyBlobs(fsBlobStore(o.dir ?? rt.config.dataDir), rt.blobs);
        console.log(`copied ${r.copied} object(s), ${r.bytes} bytes; ${r.skipped} already there`);
      }),
    );
}
