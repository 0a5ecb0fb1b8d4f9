// `npm run bench [-- NAME…] [--scale 0.1]`: runs every bench/*.bench.ts (or the named ones), each
// in a fresh database and Redis prefix, and writes bench/results/latest.json + latest.md.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import pg from 'pg';
import { figureKey, flatFigures, ratioKey } from './support/figure-keys.ts';
import type { BenchFigure, Benchmark } from './types.ts';

const here = path.dirname(fileURLToPath(import.meta.url));
const args = process.argv.slice(2);
const scaleAt = args.indexOf('--scale');
const scale = scaleAt >= 0 ? Number(args.splice(scaleAt, 2)[1]) : 1;
if (!(scale > 0)) throw new Error('--scale takes a positive number');
const wanted = new Set(args);

const adminUrl = process.env.BENCH_DATABASE_ADMIN_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
process.env.NODE_ENV = 'production';
process.env.LOG_LEVEL ??= 'silent';
process.env.REDIS_URL ??= 'redis://127.0.0.1:6379';
process.env.SESSION_SECRET ??= 'bench-secret-bench-secret-bench';

const files = fs.readdirSync(here).filter((f) => f.endsWith('.bench.ts')).sort();
const results: { name: string; description: string; figures: BenchFigure[]; error?: string; seconds: number }[] = [];
const admin = new pg.Client({ connectionString: adminUrl });
await admin.connect();

for (const file of files) {
  const bench: Benchmark = (await import(pathToFileURL(path.join(here, file)).href)).default;
  if (wanted.size && !wanted.has(bench.name)) continue;
  const id = `${Date.now().toString(36)}_${process.pid}`;
  const dbName = `cp_bench_${id}`;
  await admin.query(`CREATE DATABASE ${dbName}`);
  const url = new URL(adminUrl);
  url.pathname = `/${dbName}`;
  process.env.DATABASE_URL = url.toString();
  process.env.REDIS_PREFIX = `cpbench_${id}`;
  process.env.DATA_DIR = path.join(here, '..', '.data', 'bench', id);
  // Config is read once per process: reset the cache so each benchmark sees its own database.
  const { resetConfigForTests } = await import('../src/infra/config.ts');
  resetConfigForTests();
  const { createRuntime } = await import('../src/infra/runtime.ts');
  const rt = await createRuntime({ migrate: true });
  const started = Date.now();
  console.error(`\n▶ ${bench.name}: ${bench.description} (scale ${scale})`);
  try {
    const figures = await bench.run({ rt, scale, log: (m) => console.error(`  ${bench.name}: ${m}`) });
    flatFigures(bench.name, figures); // a malformed or repeated key fails this benchmark, not the report
    results.push({ name: bench.name, description: bench.description, figures, seconds: (Date.now() - started) / 1000 });
  } catch (err) {
    console.error(err);
    results.push({ name: bench.name, description: bench.description, figures: [], error: String((err as Error).message), seconds: (Date.now() - started) / 1000 });
  } finally {
    await rt.shutdown();
    await admin.query(`DROP DATABASE IF EXISTS ${dbName} WITH (FORCE)`);
    const { Redis } = await import('ioredis');
    const r = new Redis(process.env.REDIS_URL);
    const keys = await r.keys(`cpbench_${id}*`);
    if (keys.length) await r.del(...keys);
    r.disconnect();
    fs.rmSync(process.env.DATA_DIR, { recursive: true, force: true });
  }
}
await admin.end();

const fmt = (n: number) => (Math.abs(n) >= 100 ? Math.round(n).toLocaleString('en-US') : n.toFixed(2));
const md = [
  `# Benchmarks — ${new Date().toISOString()} (scale ${scale}, ${process.version}, ${(await import('node:os')).cpus().length} cores)`,
  '',
  '`key` is the figure\'s name in latest.json (`figures`, one flat map); a ratio is there as its own key (shown after the %).',
  '',
  '| benchmark | key | figure | value | unit | ratio to ceiling | note |',
  '|---|---|---|---:|---|---:|---|',
  ...results.flatMap((r) =>
    r.error
      ? [`| ${r.name} | | **failed** | | | | ${r.error} |`]
      : r.figures.map(
          (f) =>
            `| ${r.name} | \`${figureKey(f)}\` | ${f.label} | ${fmt(f.value)} | ${f.unit} | ${f.ratio === undefined ? '' : `${(f.ratio * 100).toFixed(0)} % \`${ratioKey(f)}\``} | ${f.note ?? ''} |`,
        ),
  ),
].join('\n');
const out = path.join(here, 'results');
fs.mkdirSync(out, { recursive: true });
// `figures`: every figure and ratio of the run by its key (`soap_sync.full_rows_per_s`,
// `soap_sync.ratio`); `results`: the same per benchmark with labels, units and notes.
const flat = Object.assign({}, ...results.map((r) => flatFigures(r.name, r.figures))) as Record<string, number>;
const keyed = results.map((r) => ({ ...r, figures: r.figures.map((f) => ({ key: figureKey(f), ...(f.ratio === undefined ? {} : { ratioKey: ratioKey(f) }), ...f })) }));
fs.writeFileSync(path.join(out, 'latest.json'), JSON.stringify({ at: new Date().toISOString(), scale, figures: flat, results: keyed }, null, 2));
fs.writeFileSync(path.join(out, 'latest.md'), `${md}\n`);
console.log(md);
process.exit(results.some((r) => r.error) ? 1 : 0);
