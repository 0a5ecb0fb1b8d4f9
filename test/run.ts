// `npm test`: every run gets its own PostgreSQL database and Redis key prefix, created here and
// removed afterwards, so two runs never collide. Prints `N passed, N failed` last (CI reads it).
//   npm test                      all tests
//   npm test -- test/sync         only files under a path
//   npm test -- --grep "soft"     only matching tests
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import Mocha from 'mocha';
import pg from 'pg';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);
const grepAt = args.indexOf('--grep');
const grep = grepAt >= 0 ? args.splice(grepAt, 2)[1] : undefined;
const roots = args.length ? args.map((a) => path.resolve(a)) : [path.join(root, 'test')];

function findTests(p: string): string[] {
  if (!fs.existsSync(p)) throw new Error(`no such test path: ${p}`);
  if (fs.statSync(p).isFile()) return [p];
  return fs
    .readdirSync(p, { withFileTypes: true })
    .flatMap((e) => (e.isDirectory() ? findTests(path.join(p, e.name)) : e.name.endsWith('.test.ts') ? [path.join(p, e.name)] : []))
    .sort();
}

const adminUrl = process.env.TEST_DATABASE_ADMIN_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const startedAt = Date.now();
const runId = `${Date.now().toString(36)}_${process.pid}`;
const dbName = `cp_test_${runId}`;
const admin = new pg.Client({ connectionString: adminUrl });
await admin.connect();
await admin.query(`CREATE DATABASE ${dbName}`);
const dbUrl = new URL(adminUrl);
dbUrl.pathname = `/${dbName}`;

process.env.NODE_ENV = 'test';
process.env.DATABASE_URL = dbUrl.toString();
process.env.REDIS_URL ??= 'redis://127.0.0.1:6379';
process.env.REDIS_PREFIX = `cptest_${runId}`;
process.env.LOG_LEVEL ??= 'silent';
process.env.SESSION_SECRET ??= 'test-secret-test-secret-test-secret';
process.env.DATA_DIR = path.join(root, '.data', 'test', runId);

let passed = 0;
let failed = 0;
let pending = 0;
try {
  const { closeTestRuntime } = await import('./support/runtime.ts');
  const { resetCaches } = await import('../src/infra/caches.ts');
  const mocha = new Mocha({
    timeout: 30_000,
    reporter: 'spec',
    grep,
    rootHooks: { afterAll: closeTestRuntime },
  });
  for (const f of roots.flatMap(findTests)) mocha.addFile(f);
  await mocha.loadFilesAsync();
  await new Promise<void>((resolve) => {
    const runner = mocha.run(() => resolve());
    // Each test file starts with empty per-process caches (src/infra/caches.ts): a file never
    // sees warehouses, counts or parsed files an earlier file cached. The event comes before
    // the suite's own hooks.
    let file: string | undefined;
    runner.on('suite', (suite) => {
      if (suite.file && suite.file !== file) {
        file = suite.file;
        resetCaches();
      }
    });
    runner.on('pass', () => passed++);
    runner.on('fail', () => failed++);
    runner.on('pending', () => pending++);
  });
} catch (err) {
  console.error(err);
  failed++;
} finally {
  await admin.query(`DROP DATABASE IF EXISTS ${dbName} WITH (FORCE)`).catch((e) => console.error(`could not drop ${dbName}: ${e.message}`));
  await admin.end();
  await (await import('./support/redis-cleanup.ts'))
    .deleteKeys(process.env.REDIS_URL!, `cptest_${runId}`)
    .catch((e) => console.error(`could not delete the Redis keys cptest_${runId}*: ${e.message}`));
  fs.rmSync(process.env.DATA_DIR!, { recursive: true, force: true });
}
console.log(`\nwall time ${((Date.now() - startedAt) / 1000).toFixed(1)} s`);
console.log(`${passed} passed, ${failed} failed${pending ? `, ${pending} skipped` : ''}`);
process.exit(failed ? 1 : 0);
