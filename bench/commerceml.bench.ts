// CommerceML through the real protocol: a generated full package (50k products × 12 warehouses
// × 10 price types, version 2.10, zipped) pushed by the 1C client into a web process and
// imported by a separate worker process. Wall time from the first `file` call to the last
// `success` (complete), and the worker's peak RSS (VmHWM). Targets: ≤ 35 s, ≤ 300 MB. The parser
// alone on the same files is measured against its ceiling in the same run: bare saxes (no-op
// handlers) over the same bytes decoded the same way.
import { type ChildProcess, spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { SaxesParser } from 'saxes';
import { parseCommerceML } from '../connectors/commerceml/parse/parse-file.ts';
import { emptyClassifier } from '../connectors/commerceml/parse/records-map.ts';
import { OneCClient, zipFiles } from '../sim/commerceml/client.ts';
import { generatePackage } from '../sim/commerceml/generator.ts';
import { ensureSource } from '../src/sync/index.ts';
import type { Benchmark, BenchFigure } from './types.ts';

const here = path.dirname(fileURLToPath(import.meta.url));
const PASSWORD_ENV = 'CML_BENCH_PASSWORD';

/** Heap cap of the worker (V8 otherwise lets garbage grow far past the live set before a full GC). */
const WORKER_HEAP_MB = Number(process.env.CML_BENCH_WORKER_HEAP_MB ?? 128);

function startRole(role: 'web' | 'worker'): Promise<{ child: ChildProcess; port: number; startRss: () => number }> {
  // CML_BENCH_WORKER_FLAGS: more node flags for the worker, e.g. "--cpu-prof --cpu-prof-dir=/tmp/p"
  // to see where the import's time goes (NODE_OPTIONS does not take --cpu-prof).
  const extra = (process.env.CML_BENCH_WORKER_FLAGS ?? '').split(/\s+/).filter(Boolean);
  const flags = role === 'worker' ? [`--max-old-space-size=${WORKER_HEAP_MB}`, ...extra] : [];
  const child = spawn(process.execPath, [...flags, '--import', 'tsx', path.join(here, 'support/commerceml-role.ts'), role], {
    env: process.env,
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  return new Promise((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (d) => {
      out += d;
      const m = /ready (\d+)/.exec(out);
      const r = /rss ([\d.]+)/.exec(out);
      if (m && r) resolve({ child, port: Number(m[1]), startRss: () => Number(r[1]) });
    });
    child.once('exit', (code) => reject(new Error(`${role} process exited with ${code}`)));
  });
}

const WALL_TARGET_S = 35;

/** The ceiling of any saxes-based reader: saxes with no-op handlers, fed like the real reader. */
async function bareSaxes(input: AsyncIterable<Uint8Array>): Promise<void> {
  const parser = new SaxesParser({ xmlns: false, position: true });
  const noop = () => {};
  parser.on('opentag', noop);
  parser.on('text', noop);
  parser.on('closetag', noop);
  const decoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false });
  for await (const c of input) parser.write(decoder.decode(c, { stream: true }));
  parser.write(decoder.decode());
  parser.close();
}

/** Peak resident set of a process (Linux VmHWM), in MB. */
function peakRssMb(pid: number): number {
  const m = /VmHWM:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) / 1024 : Number.NaN;
}

const bench: Benchmark = {
  name: 'commerceml',
  description: 'full CommerceML package (50k products × 12 warehouses × 10 price types, zipped) through the 1C exchange protocol',
  async run({ rt, scale, log }) {
    const products = Math.max(100, Math.round(50_000 * scale));
    process.env[PASSWORD_ENV] = 'bench-password';
    await ensureSource(rt.db, { name: 'cml-bench', kind: 'commerceml', settings: { login: 'bench', passwordEnv: PASSWORD_ENV } });
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cml-bench-'));
    const figures: BenchFigure[] = [];
    const children: ChildProcess[] = [];
    try {
      let t = Date.now();
      // XML only: the figure is the catalog's parse and merge, not 50k picture thumbnails.
      const pkg = await generatePackage(dir, { products, warehouses: 12, priceTypes: 10, version: '2.10', encoding: 'utf-8-bom', pictures: false });
      const zipPath = path.join(dir, 'v8_bench.zip');
      await zipFiles(pkg.files, zipPath);
      const zipBytes = fs.statSync(zipPath).size;
      log(`generated ${(pkg.bytes / 1e6).toFixed(0)} MB of XML (${pkg.counts.offers} offers, ${pkg.counts.prices} prices, ${pkg.counts.stock} stock rows), zip ${(zipBytes / 1e6).toFixed(0)} MB in ${((Date.now() - t) / 1000).toFixed(1)} s`);

      const web = await startRole('web');
      const worker = await startRole('worker');
      children.push(web.child, worker.child);
      const client = new OneCClient(`http://127.0.0.1:${web.port}/exchange/1c`, { login: 'bench', password: 'bench-password', version: '2.10', pollMs: 250 });
      if ((await client.checkauth('catalog')).status !== 'success') throw new Error('checkauth failed');
      await client.init('catalog');

      t = Date.now();
      const up = await client.upload('catalog', { name: 'v8_bench.zip', data: zipPath });
      if (up.status !== 'success') throw new Error(`upload: ${up.lines.join(' ')}`);
      const uploadS = (Date.now() - t) / 1000;
      const perFile: string[] = [];
      for (const f of pkg.files) {
        const s = Date.now();
        const a = await client.importFile('catalog', f.name);
        if (a.status !== 'success') throw new Error(`import ${f.name}: ${a.lines.join(' ')}`);
        perFile.push(`${f.name.split('___')[0]} ${((Date.now() - s) / 1000).toFixed(1)} s`);
      }
      for (const mode of ['deactivate', 'complete']) {
        const a = await client.call('catalog', mode);
        if (a.status !== 'success') throw new Error(`${mode}: ${a.lines.join(' ')}`);
      }
      const wall = (Date.now() - t) / 1000;
      const rss = peakRssMb(worker.child.pid!);
      const webRss = peakRssMb(web.child.pid!);
      log(`upload ${uploadS.toFixed(1)} s; ${perFile.join(', ')}; ${client.polls} import calls; load average ${os.loadavg().map((x) => x.toFixed(1)).join(' ')}`);

      const counts = await rt.db.raw(`SELECT (SELECT count(*) FROM products) p, (SELECT count(*) FROM offers) o, (SELECT count(*) FROM prices) pr, (SELECT count(*) FROM stock) s`);
      const c = counts.rows[0];
      if (Number(c.p) !== products || Number(c.pr) !== pkg.counts.prices || Number(c.s) !== pkg.counts.stock) {
        throw new Error(`mirror counts differ from the package: ${JSON.stringify(c)}`);
      }
      // The same files parsed with no database behind (in this process): the parser's share, and
      // its ceiling — bare saxes with no-op handlers on the same bytes, decoded the same way.
      // Interleaved file by file, so the noise of a shared machine falls on both alike.
      const classifier = emptyClassifier();
      let parseOnly = 0;
      let bare = 0;
      for (const f of pkg.files) {
        const open = () => fs.createReadStream(f.data as string, { highWaterMark: 256 * 1024 });
        let s = performance.now();
        await bareSaxes(open());
        bare += (performance.now() - s) / 1000;
        s = performance.now();
        await parseCommerceML(open(), { classifier, batchSize: 5000, onBatch: async () => {} });
        parseOnly += (performance.now() - s) / 1000;
      }
      const mb = pkg.bytes / 1e6;
      const parseRate = mb / parseOnly;
      const bareRate = mb / bare;
      log(`parse only ${parseOnly.toFixed(1)} s (${parseRate.toFixed(1)} MB/s), bare saxes ${bare.toFixed(1)} s (${bareRate.toFixed(1)} MB/s)`);
      figures.push(
        { key: 'wall_s', ratioKey: 'wall_ratio', label: 'wall time, first file → last success', value: wall, unit: 's', ratio: wall / WALL_TARGET_S, note: `target ≤ ${WALL_TARGET_S} s (ratio = share of it); ${products} products, ${mb.toFixed(0)} MB XML, zip ${(zipBytes / 1e6).toFixed(0)} MB` },
        { key: 'parse_s', ratioKey: 'parse_share_ratio', label: 'parse only, same files, no database', value: parseOnly, unit: 's', ratio: parseOnly / wall, note: 'ratio = share of the exchange wall time' },
        { key: 'parse_mb_per_s', ratioKey: 'parse_ratio', label: 'parse only, MB of XML per second', value: parseRate, unit: 'MB/s', ratio: parseRate / bareRate, note: 'ratio to bare saxes on the same bytes, same run' },
        { key: 'bare_saxes_mb_per_s', label: 'ceiling: bare saxes (no-op handlers), same bytes', value: bareRate, unit: 'MB/s', note: `${bare.toFixed(1)} s for ${mb.toFixed(0)} MB` },
        { key: 'worker_peak_rss_mb', ratioKey: 'worker_rss_ratio', label: 'worker peak RSS', value: rss, unit: 'MB', ratio: rss / 300, note: `target ≤ 300 MB (VmHWM of the worker process, run with --max-old-space-size=${WORKER_HEAP_MB})` },
        { key: 'worker_start_rss_mb', label: 'worker RSS before the exchange', value: worker.startRss(), unit: 'MB', note: 'modules and pools only: the baseline inside the peak' },
        { key: 'web_peak_rss_mb', label: 'web peak RSS', value: webRss, unit: 'MB' },
        { key: 'rows_per_s', label: 'throughput', value: (pkg.counts.prices + pkg.counts.stock + pkg.counts.offers + products) / wall, unit: 'rows/s', note: `upload ${uploadS.toFixed(1)} s; ${perFile.join('; ')}; load average at end ${os.loadavg()[0]!.toFixed(1)} on ${os.cpus().length} cores` },
      );
      return figures;
    } finally {
      for (const ch of children) ch.kill('SIGTERM');
      await Promise.all(children.map((ch) => new Promise((r) => (ch.exitCode !== null ? r(null) : ch.once('exit', r)))));
      fs.rmSync(dir, { recursive: true, force: true });
    }
  },
};

export default bench;
