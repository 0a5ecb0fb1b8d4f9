// Catalog page in table view (50 items, 12 warehouses, contract prices) on a 100k-product
// mirror with 2,000 counterparties and individual prices: req/s and p50/p99 at 50 connections,
// side by side in the same run with the same template rendered from static data (the Express +
// Handlebars ceiling), at 10 and at 10,000 contracts. Sound on a shared, noisy host: both paths
// warmed up by answers, not seconds; short rounds alternating page and ceiling (in turn first);
// a round whose ceiling served almost nothing has no ratio; and beside the throughput the CPU
// per answer (web process + Postgres backends, from /proc), which the host's other load barely moves.
import { type ChildProcess, spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';
import { seedClients } from '../src/store/accounts/clients.ts';
import { createUser } from '../src/store/accounts/users.ts';
import { addContracts, generateCatalog } from './support/catalog-data.ts';
import type { Runtime } from '../src/infra/runtime.ts';
import type { Benchmark, BenchFigure } from './types.ts';

const here = path.dirname(fileURLToPath(import.meta.url));
const PASSWORD = 'bench password 1';

/** A child process that prints {"port": n} when it listens (its own core; autocannon has another). */
async function startServer(script: string, args: string[] = []): Promise<{ child: ChildProcess; base: string }> {
  // CATALOG_PROF=1 writes a CPU profile of the web process to /tmp/prof (how the template costs were found).
  const prof = process.env.CATALOG_PROF && script === 'catalog-server.ts' ? ['--cpu-prof', '--cpu-prof-dir=/tmp/prof'] : [];
  const child = spawn(process.execPath, [...prof, '--import', 'tsx', path.join(here, 'support', script), ...args], {
    env: process.env,
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const port = await new Promise<number>((resolve, reject) => {
    let buf = '';
    child.stdout!.on('data', (d) => {
      buf += d;
      const line = buf.split('\n')[0];
      if (buf.includes('\n')) resolve(JSON.parse(line!).port);
    });
    child.once('exit', (code) => reject(new Error(`${script} exited (${code})`)));
  });
  return { child, base: `http://127.0.0.1:${port}` };
}

async function login(base: string, email: string): Promise<string> {
  const page = await fetch(`${base}/login`);
  const cookie = page.headers.getSetCookie().map((c) => c.split(';')[0]).join('; ');
  const csrf = (await page.text()).match(/name="_csrf" value="([^"]+)"/)![1]!;
  const res = await fetch(`${base}/login`, {
    method: 'POST',
    redirect: 'manual',
    headers: { cookie, 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ _csrf: csrf, email, password: PASSWORD }),
  });
  if (res.status !== 303) throw new Error(`bench login failed: ${res.status}`);
  return res.headers.getSetCookie().map((c) => c.split(';')[0]).join('; ');
}

interface Load {
  rps: number;
  p50: number;
  p99: number;
  /** answers received: a round with too few says nothing */
  served: number;
  /** CPU per answer (ms): the web process, and the Postgres backends */
  webCpu?: number;
  dbCpu?: number;
}
/** A round counts only when the ceiling answered at least this many requests (an overloaded host served ~0). */
const MIN_SERVED = 20;
/** Answers each path gets before anything is measured (V8 optimises the template's functions after a few hundred). */
const WARM_UP_ANSWERS = 400;
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const medianLoad = (xs: Load[]): Load => ({
  rps: median(xs.map((x) => x.rps)),
  p50: median(xs.map((x) => x.p50)),
  p99: median(xs.map((x) => x.p99)),
  served: xs.reduce((n, x) => n + x.served, 0),
});
const pct = (x: number) => `${Math.round(x * 100)} %`;
const cpuText = (l: Load) => `${(l.webCpu ?? 0).toFixed(1)} + ${(l.dbCpu ?? 0).toFixed(1)} ms`;

/** Closed loop (50 connections, each sends when its last answer came) or, with `rate`, open loop:
 *  requests sent at that many per second whatever the answers do (autocannon counts a late send's
 *  wait into its latency, so a slow server is not hidden by fewer requests). */
async function load(url: string, cookie: string, seconds: number, strict = true, rate?: number): Promise<Load> {
  const r = await autocannon({ url, connections: 50, duration: seconds, headers: { cookie }, timeout: 30, ...(rate ? { overallRate: rate } : {}) });
  if (strict && (r.non2xx || r.errors)) throw new Error(`${url}: ${r.non2xx} non-2xx, ${r.errors} errors (${r.timeouts} timeouts)`);
  return { rps: r.requests.average, p50: r.latency.p50, p99: r.latency.p99, served: r.requests.total };
}

/** CPU time (user + system, ms) of a process from /proc (Linux); a process gone meanwhile counts 0. */
function cpuMs(pid: number): number {
  let stat: string;
  try {
    stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return 0;
    throw err;
  }
  const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return ((Number(f[11]) + Number(f[12])) * 1000) / CLOCK_TICKS;
}
const CLOCK_TICKS = 100; // USER_HZ on Linux

/**
 * CPU spent by the web process and by the Postgres backends of this database while `run` runs:
 * what a request costs, whatever share of the two shared cores the host gave us meanwhile (the
 * throughput figures swing with other load; this does not). Postgres on this host only.
 */
async function cpuDuring<T>(rt: Runtime, webPid: number, run: () => Promise<T>): Promise<{ result: T; webMs: number; dbMs: number }> {
  const backends = async () =>
    ((await rt.db.raw(`SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()`)).rows as { pid: number }[]).map((r) => r.pid);
  const before = new Map((await backends()).map((pid) => [pid, cpuMs(pid)]));
  const web0 = cpuMs(webPid);
  const result = await run();
  const webMs = cpuMs(webPid) - web0;
  let dbMs = 0;
  for (const pid of await backends()) dbMs += cpuMs(pid) - (before.get(pid) ?? 0);
  return { result, webMs, dbMs };
}

/** Median of sequential single requests: the cost of one page without queueing. */
async function single(url: string, cookie: string, n = 20): Promise<number> {
  const times: number[] = [];
  for (let i = 0; i < n; i++) {
    const t = performance.now();
    const r = await fetch(url, { headers: { cookie } });
    await r.text();
    times.push(performance.now() - t);
  }
  times.sort((a, b) => a - b);
  return Math.round(times[Math.floor(n / 2)]! * 10) / 10;
}

/** The page's bytes from plain node:http: the p99 no page of this size can beat here at 50 connections. */
async function bareFloor(html: string, seconds: number) {
  const file = path.join(os.tmpdir(), `cp-catalog-page-${process.pid}.html`);
  fs.writeFileSync(file, html);
  const { child, base } = await startServer('bare-server.ts', [file]);
  try {
    await load(base, '', 1, false);
    return await load(base, '', seconds);
  } finally {
    child.kill('SIGTERM');
    await new Promise((r) => child.once('exit', r));
    fs.rmSync(file, { force: true });
  }
}

type Cost = { ceiling: number; web: number; db: number; ratio: number } | undefined;
const round2 = (x: number) => Math.round(x * 100) / 100;
function costFigures(prefix: string, c: Cost): BenchFigure[] {
  if (!c) return [];
  const at = prefix ? '10,000 contracts' : '10 contracts';
  return [
    { key: `ceiling_${prefix}cpu_ms`, label: `ceiling: CPU per answer (${at})`, value: round2(c.ceiling), unit: 'ms', note: 'web process; no database' },
    {
      key: `table_${prefix}cpu_ms`,
      ratioKey: `table_${prefix}cpu_ratio`,
      label: `catalog table page: CPU per answer (${at})`,
      value: round2(c.web + c.db),
      unit: 'ms',
      ratio: c.ratio,
      note: `web ${round2(c.web)} ms + Postgres ${round2(c.db)} ms; ratio = ceiling's CPU / page's, the host's load aside`,
    },
  ];
}

const bench: Benchmark = {
  name: 'catalog',
  description: 'catalog page, table view, 50 items × 12 warehouses, contract prices, vs the static-template ceiling',
  async run(ctx) {
    const { rt, scale } = ctx;
    const products = Math.max(1000, Math.round(100_000 * scale));
    // Rounds long enough that a p99 has a few hundred answers behind it; more of them at full scale.
    const seconds = scale >= 1 ? 5 : 3;
    const rounds = scale >= 1 ? 5 : 3;
    let t = Date.now();
    const { sourceId } = await generateCatalog(rt.db, products);
    await addContracts(rt.db, sourceId, 10, 200);
    await seedClients(rt.db);
    await rt.db.raw('ANALYZE');
    ctx.log(`mirror: ${products} products, 12 warehouses, 2000 counterparties in ${((Date.now() - t) / 1000).toFixed(1)} s`);
    // The buyer of counterparty cp1 on contract k1; individual prices on the first page too.
    const client = await rt.db('clients as c').join('counterparties as cp', 'cp.id', 'c.head_counterparty_id').where('cp.external_id', 'cp1').first('c.id');
    const userId = await createUser(rt.db, { email: 'bench@buyer.test', role: 'buyer', clientId: client.id, password: PASSWORD });
    await rt.db('users').where({ id: userId }).update({ preferences: { catalogView: 'table' } });
    await rt.db.raw(
      `INSERT INTO contract_prices (source_id, contract_id, offer_id, value)
       SELECT ?, (SELECT id FROM contracts WHERE external_id = 'k1'), o.id, 42.00
         FROM (SELECT o.id FROM products p JOIN offers o ON o.product_id = p.id ORDER BY lower(p.name), p.id LIMIT 50) o
        WHERE o.id % 3 = 0 ON CONFLICT DO NOTHING`,
      [sourceId],
    );
    const { child, base } = await startServer('catalog-server.ts');
    const figures: BenchFigure[] = [];
    try {
      const cookie = await login(base, 'bench@buyer.test');
      const page = await fetch(`${base}/catalog`, { headers: { cookie } });
      const html = await page.text();
      const rows = (html.match(/<tr id="o\d+">/g) ?? []).length;
      const whCols = (html.match(/<th[^>]*class="num wh/g) ?? []).length;
      if (rows !== 50 || whCols !== 12) throw new Error(`unexpected page: ${rows} rows, ${whCols} warehouse columns`);
      // Warm-up of both paths (JIT, view cache, Postgres buffers, each pooled connection's prepared
      // statements past their first custom plans): counted in answers, not seconds, so that a
      // starved host warms up as much as an idle one.
      const warmUp = async (url: string) => {
        const t0 = Date.now();
        let served = 0;
        while (served < WARM_UP_ANSWERS && Date.now() - t0 < 60_000) served += (await load(url, cookie, 2, false)).served;
        ctx.log(`warm-up ${url.slice(base.length)}: ${served} answers in ${((Date.now() - t0) / 1000).toFixed(0)} s`);
      };
      await warmUp(`${base}/catalog`);
      await warmUp(`${base}/__ceiling`);
      const one = { page: await single(`${base}/catalog`, cookie), ceiling: await single(`${base}/__ceiling`, cookie) };
      ctx.log(`one request alone: catalog ${one.page} ms, ceiling ${one.ceiling} ms (median of 20)`);
      figures.push({ key: 'single_ms', label: 'one request alone (median)', value: one.page, unit: 'ms', note: `ceiling ${one.ceiling} ms` });
      figures.push({ key: 'single_ceiling_ms', label: 'ceiling: one request alone (median)', value: one.ceiling, unit: 'ms' });

      const floor = await bareFloor(html, seconds);
      ctx.log(`floor (bare node:http, same bytes): ${floor.rps.toFixed(0)} req/s, p50 ${floor.p50} ms, p99 ${floor.p99} ms`);
      // The machine's speed drifts (shared host): ceiling and page alternate in short rounds, each
      // round in the other order than the last (drift does not always favour the second), and
      // each figure is the median of its rounds, the ratio the median of the rounds' ratios.
      // A round whose ceiling served almost nothing (an overloaded host) has no ratio: it is left
      // out, and a run with no such round reports none rather than Infinity or 0.
      const sideBySide = async (label: string) => {
        const all: { ceiling: Load; page: Load }[] = [];
        const measured = async (which: string) => {
          const m = await cpuDuring(rt, child.pid!, () => load(`${base}/${which}`, cookie, seconds));
          const n = Math.max(1, m.result.served);
          return { ...m.result, webCpu: m.webMs / n, dbCpu: m.dbMs / n };
        };
        for (let i = 0; i < rounds; i++) {
          const ceilingFirst = i % 2 === 0;
          const first = await measured(ceilingFirst ? '__ceiling' : 'catalog');
          const second = await measured(ceilingFirst ? 'catalog' : '__ceiling');
          const r = ceilingFirst ? { ceiling: first, page: second } : { ceiling: second, page: first };
          all.push(r);
          const verdict = r.ceiling.served >= MIN_SERVED ? `ratio ${pct(r.page.rps / r.ceiling.rps)}` : `left out: the ceiling served ${r.ceiling.served}`;
          const cpu = `CPU/answer: ceiling ${cpuText(r.ceiling)}, page ${cpuText(r.page)}`;
          ctx.log(`${label}, round ${i + 1}: ceiling ${r.ceiling.rps.toFixed(0)} req/s (p99 ${r.ceiling.p99} ms), page ${r.page.rps.toFixed(0)} req/s (p50 ${r.page.p50} ms, p99 ${r.page.p99} ms); ${verdict}; ${cpu}`);
        }
        const valid = all.filter((r) => r.ceiling.served >= MIN_SERVED);
        const used = valid.length ? valid : all;
        const ratios = valid.map((r) => r.page.rps / r.ceiling.rps);
        // The cost ratio: the ceiling's CPU per answer over the page's (web + Postgres), per round.
        const costs = valid.filter((r) => r.page.served >= MIN_SERVED).map((r) => ({
          ceiling: r.ceiling.webCpu! + r.ceiling.dbCpu!,
          web: r.page.webCpu!,
          db: r.page.dbCpu!,
        }));
        const spread = ratios.length ? `, round ratios ${pct(Math.min(...ratios))}–${pct(Math.max(...ratios))}` : '';
        return {
          ceiling: medianLoad(used.map((r) => r.ceiling)),
          page: medianLoad(used.map((r) => r.page)),
          ratio: ratios.length ? median(ratios) : undefined,
          cost: costs.length
            ? {
                ceiling: median(costs.map((c) => c.ceiling)),
                web: median(costs.map((c) => c.web)),
                db: median(costs.map((c) => c.db)),
                ratio: median(costs.map((c) => c.ceiling / (c.web + c.db))),
              }
            : undefined,
          note: `median of ${valid.length}/${all.length} rounds of ${seconds} s${spread}`,
        };
      };
      const small = await sideBySide('10 contracts');

      // Open loop at half the ceiling's closed-loop throughput: the latency a user sees at a load
      // the template alone carries easily, page and ceiling at the same arrival rate. Without a
      // ceiling that served anything there is no such rate: no open-loop figures.
      const rate = small.ratio === undefined ? undefined : Math.max(1, Math.round(small.ceiling.rps / 2));
      const open = rate
        ? { ceiling: await load(`${base}/__ceiling`, cookie, 2 * seconds, true, rate), page: await load(`${base}/catalog`, cookie, 2 * seconds, true, rate) }
        : undefined;
      if (open) {
        ctx.log(`open loop at ${rate} req/s: ceiling p50 ${open.ceiling.p50} ms, p99 ${open.ceiling.p99} ms; page ${open.page.rps.toFixed(0)} req/s, p50 ${open.page.p50} ms, p99 ${open.page.p99} ms`);
      } else ctx.log('open loop skipped: no round where the ceiling served anything');

      t = Date.now();
      await addContracts(rt.db, sourceId, 10_000, 20);
      const cp = (await rt.db.raw<{ rows: { n: number }[] }>('SELECT count(*)::int AS n FROM contract_prices')).rows[0];
      ctx.log(`contracts: 10,000 (${cp?.n} individual prices) in ${((Date.now() - t) / 1000).toFixed(1)} s`);
      await warmUp(`${base}/catalog`);
      // Latency flat from 10 to 10,000 contracts: the unloaded request is the cleanest measure of it.
      const one10k = { page: await single(`${base}/catalog`, cookie), ceiling: await single(`${base}/__ceiling`, cookie) };
      ctx.log(`one request alone at 10,000 contracts: catalog ${one10k.page} ms, ceiling ${one10k.ceiling} ms`);
      const big = await sideBySide('10,000 contracts');

      figures.push(
        { key: 'floor_50c_req_per_s', label: 'floor: bare node:http, the same bytes', value: Math.round(floor.rps), unit: 'req/s', note: `p50 ${floor.p50} ms, p99 ${floor.p99} ms` },
        { key: 'ceiling_50c_req_per_s', label: 'ceiling: same template, static data', value: Math.round(small.ceiling.rps), unit: 'req/s', note: `p50 ${small.ceiling.p50} ms, p99 ${small.ceiling.p99} ms; ${small.note}` },
        { key: 'table_50c_req_per_s', ratioKey: 'table_50c_ratio', label: 'catalog table page, 10 contracts', value: Math.round(small.page.rps), unit: 'req/s', ratio: small.ratio, note: `p50 ${small.page.p50} ms, p99 ${small.page.p99} ms; ${small.note}` },
      );
      if (open && rate) {
        figures.push(
          { key: 'open_loop_rate_req_per_s', label: 'open loop: arrival rate (half the ceiling)', value: rate, unit: 'req/s', note: `10 contracts, 50 connections, ${2 * seconds} s each` },
          { key: 'open_loop_req_per_s', ratioKey: 'open_loop_ratio', label: 'open loop: catalog table page served', value: Math.round(open.page.rps), unit: 'req/s', ratio: open.page.rps / rate, note: 'ratio = share of the arrival rate' },
          { key: 'open_loop_p50_ms', label: 'open loop: catalog table page p50', value: open.page.p50, unit: 'ms', note: `ceiling p50 ${open.ceiling.p50} ms` },
          { key: 'open_loop_p99_ms', label: 'open loop: catalog table page p99', value: open.page.p99, unit: 'ms', note: `ceiling p99 ${open.ceiling.p99} ms` },
          { key: 'open_loop_ceiling_p50_ms', label: 'open loop: ceiling p50', value: open.ceiling.p50, unit: 'ms' },
          { key: 'open_loop_ceiling_p99_ms', label: 'open loop: ceiling p99', value: open.ceiling.p99, unit: 'ms' },
        );
      }
      figures.push(
        { key: 'ceiling_10k_50c_req_per_s', label: 'ceiling, rounds at 10,000 contracts', value: Math.round(big.ceiling.rps), unit: 'req/s', note: `p50 ${big.ceiling.p50} ms, p99 ${big.ceiling.p99} ms; ${big.note}` },
        { key: 'table_10k_50c_req_per_s', ratioKey: 'table_10k_50c_ratio', label: 'catalog table page, 10,000 contracts', value: Math.round(big.page.rps), unit: 'req/s', ratio: big.ratio, note: `p50 ${big.page.p50} ms, p99 ${big.page.p99} ms; ${big.note}` },
        ...costFigures('', small.cost),
        ...costFigures('10k_', big.cost),
        { key: 'table_50c_p50_ms', label: 'p50 at 10 contracts', value: small.page.p50, unit: 'ms' },
        { key: 'table_50c_p99_ms', label: 'p99 at 10 contracts', value: small.page.p99, unit: 'ms', note: `ceiling p99 ${small.ceiling.p99} ms` },
        { key: 'ceiling_50c_p99_ms', label: 'ceiling p99 at 50 connections', value: small.ceiling.p99, unit: 'ms' },
        { key: 'table_10k_50c_p50_ms', label: 'p50 at 10,000 contracts', value: big.page.p50, unit: 'ms' },
        { key: 'table_10k_50c_p99_ms', label: 'p99 at 10,000 contracts', value: big.page.p99, unit: 'ms' },
        { key: 'p50_change_10_to_10k_ms', label: 'p50 change 10 → 10,000 contracts', value: big.page.p50 - small.page.p50, unit: 'ms' },
        { key: 'single_10k_ms', label: 'one request alone at 10,000 contracts (median)', value: one10k.page, unit: 'ms', note: `ceiling ${one10k.ceiling} ms; 10 contracts: ${one.page} ms` },
      );
    } finally {
      child.kill('SIGTERM');
      await new Promise((r) => child.once('exit', r));
    }
    return figures;
  },
};

export default bench;
