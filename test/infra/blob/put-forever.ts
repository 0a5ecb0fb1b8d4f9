// A process that replaces a blob and never finishes: `put` of an endless stream, for the test
// that kills it mid-write (store.test.ts). Args: postgres|fs <DATABASE_URL or folder> <key>.
import { fsBlobStore, pgBlobStore } from '../../../src/infra/blob/index.ts';
import { createDb } from '../../../src/infra/db/knex.ts';

const [kind, where, key] = process.argv.slice(2) as ['postgres' | 'fs', string, string];
const store = kind === 'postgres' ? pgBlobStore(createDb(where), { chunkBytes: 4096 }) : fsBlobStore(where);
async function* endless() {
  for (;;) {
    yield Buffer.alloc(4096, 'n');
    await new Promise((r) => setImmediate(r));
  }
}
await store.put(key, endless());
