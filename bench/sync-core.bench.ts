// Sync-core apply of 100k products + 1M prices + 1.2M stock rows: first full apply, unchanged
// re-apply, 10 % changed — side by side with a raw COPY of the same rows (the ceiling).
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import type { MirrorRecords } from '../src/mirror/records.ts';
import { ensureSource, openSyncRun } from '../src/sync/index.ts';
import { trackRss } from './support/rss.ts';
import type { Benchmark, BenchFigure } from './types.ts';

const CHUNK = 20_000;
const PRICE_TYPES = 10;
const WAREHOUSES = 12;

/** Deterministic rows; `version` > 0 changes every 10th offer's prices and stock. */
function* chunks<T>(n: number, make: (i: number) => T): Generator<T[]> {
  for (let start = 0; start < n; start += CHUNK) {
    const out: T[] = [];
    for (let i = start; i < Math.min(n, start + CHUNK); i++) out.push(make(i));
    yield out;
  }
}
const price = (i: number, t: number, v: number) => `${100 + ((i * 7 + t * 13) % 9000)}.${String((i + t + (v && i % 10 === 0 ? 1 : 0)) % 100).padStart(2, '0')}`;
const qty = (i: number, w: number, v: number) => String(((i * 31 + w * 17) % 50) + (v && i % 10 === 0 ? 3 : 0));

function makeBatch(products: number, version: number) {
  return {
    products: () => chunks<MirrorRecords['products']>(products, (i) => ({
      externalId: `p${i}`, sku: `SKU-${i}`, name: `Товар номер ${i} для опта`, unit: 'шт', groupExternalId: `g${i % 300}`, properties: { Бренд: `B${i % 50}` },
    })),
    offers: () => chunks<MirrorRecords['offers']>(products, (i) => ({ externalId: `p${i}`, productExternalId: `p${i}` })),
    prices: () => chunks<MirrorRecords['prices']>(products * PRICE_TYPES, (k) => {
      const i = Math.floor(k / PRICE_TYPES);
      const t = k % PRICE_TYPES;
      return { offerExternalId: `p${i}`, priceTypeExternalId: `pt${t}`, value: price(i, t, version) };
    }),
    stock: () => chunks<MirrorRecords['stock']>(products * WAREHOUSES, (k) => {
      const i = Math.floor(k / WAREHOUSES);
      const w = k % WAREHOUSES;
      return { offerExternalId: `p${i}`, warehouseExternalId: `w${w}`, quantity: qty(i, w, version) };
    }),
  };
}


const bench: Benchmark = {
  name: 'sync-core',
  description: 'apply 100k products + 1M prices + 1.2M stock through the sync core vs raw COPY',
  async run({ rt, scale, log }) {
    const products = Math.round(100_000 * scale);
    const totalRows = products * (2 + PRICE_TYPES + WAREHOUSES);
    const sourceId = await ensureSource(rt.db, { name: 'bench', kind: 'soap' });
    // Reference data the big entities point to.
    const setup = await openSyncRun(rt, { sourceId, kind: 'bench', mode: 'full' });
    await setup.add('priceTypes', Array.from({ length: PRICE_TYPES }, (_, t) => ({ externalId: `pt${t}`, name: `Цена ${t}`, isBase: t === 0 })));
    await setup.add('warehouses', Array.from({ length: WAREHOUSES }, (_, w) => ({ externalId: `w${w}`, name: `Склад ${w}` })));
    await setup.commit();

    // Ceiling: raw COPY of the same rows into same-shaped, indexed tables (ids pre-resolved).
    const conn = (await (rt.db.client as unknown as { acquireConnection(): Promise<pg.Client> }).acquireConnection());
    for (const t of ['products', 'offers', 'prices', 'stock']) await conn.query(`CREATE TABLE ceiling_${t} (LIKE ${t} INCLUDING ALL)`);
    const copy = async (table: string, cols: string, rows: Iterable<string[]>) => {
      for (const lines of rows) await pipeline(Readable.from([`${lines.join('\n')}\n`]), conn.query(copyFrom(`COPY ${table} (${cols}) FROM STDIN`)));
    };
    const b0 = makeBatch(products, 0);
    const t0 = performance.now();
    await copy('ceiling_products', 'id, source_id, external_id, sku, name, unit, group_external_id, properties',
      (function* () { let id = 0; for (const c of b0.products()) yield c.map((p) => `${++id}\t${sourceId}\t${p.externalId}\t${p.sku}\t${p.name}\t${p.unit}\t${p.groupExternalId}\t${JSON.stringify(p.properties)}`); })());
    await copy('ceiling_offers', 'id, source_id, external_id, product_id',
      (function* () { let id = 0; for (const c of b0.offers()) yield c.map((o) => { id++; return `${id}\t${sourceId}\t${o.externalId}\t${id}`; }); })());
    await copy('ceiling_prices', 'source_id, offer_id, price_type_id, value',
      (function* () { let k = 0; for (const c of b0.prices()) yield c.map((p) => { const i = Math.floor(k / PRICE_TYPES); const t = k++ % PRICE_TYPES; return `${sourceId}\t${i + 1}\t${t + 1}\t${p.value}`; }); })());
    await copy('ceiling_stock', 'source_id, offer_id, warehouse_id, quantity',
      (function* () { let k = 0; for (const c of b0.stock()) yield c.map((s) => { const i = Math.floor(k / WAREHOUSES); const w = k++ % WAREHOUSES; return `${sourceId}\t${i + 1}\t${w + 1}\t${s.quantity}`; }); })());
    const ceilingS = (performance.now() - t0) / 1000;
    for (const t of ['products', 'offers', 'prices', 'stock']) await conn.query(`DROP TABLE ceiling_${t}`);
    await (rt.db.client as unknown as { releaseConnection(c: pg.Client): Promise<void> }).releaseConnection(conn);
    const ceilingRate = totalRows / ceilingS;
    log(`raw COPY ceiling: ${totalRows} rows in ${ceilingS.toFixed(1)} s`);

    const apply = async (label: string, version: number) => {
      const b = makeBatch(products, version);
      const stop = trackRss();
      const start = performance.now();
      const run = await openSyncRun(rt, { sourceId, kind: 'bench', mode: 'full' });
      for (const entity of ['products', 'offers', 'prices', 'stock'] as const) {
        for (const chunk of b[entity]()) await run.add(entity, chunk as never);
      }
      const res = await run.commit();
      const seconds = (performance.now() - start) / 1000;
      const rss = stop();
      const changed = Object.values(res.counts).reduce((n, c) => n + c.inserted + c.updated + c.deleted, 0);
      log(`${label}: ${seconds.toFixed(1)} s, ${changed} rows written, peak RSS ${(rss / 2 ** 20).toFixed(0)} MB`);
      return { seconds, rss, changed };
    };
    const first = await apply('first apply', 0);
    const same = await apply('unchanged re-apply', 0);
    const tenth = await apply('10 % changed', 1);
    const rate = (s: number) => totalRows / s;
    const figures: BenchFigure[] = [
      { key: 'copy_ceiling_rows_per_s', label: 'raw COPY ceiling', value: ceilingRate, unit: 'rows/s', note: `${totalRows.toLocaleString('en-US')} rows in ${ceilingS.toFixed(1)} s` },
      { key: 'first_apply_rows_per_s', label: 'first full apply', value: rate(first.seconds), unit: 'rows/s', ratio: rate(first.seconds) / ceilingRate, note: `${first.seconds.toFixed(1)} s, target ≥ 60 %` },
      { key: 'unchanged_apply_rows_per_s', label: 'unchanged re-apply', value: rate(same.seconds), unit: 'rows/s', ratio: rate(same.seconds) / ceilingRate, note: `${same.seconds.toFixed(1)} s, ${same.changed} rows written` },
      { key: 'changed_10pct_apply_rows_per_s', label: '10 % changed apply', value: rate(tenth.seconds), unit: 'rows/s', ratio: rate(tenth.seconds) / ceilingRate, note: `${tenth.seconds.toFixed(1)} s, ${tenth.changed} rows written` },
      { key: 'peak_rss_mb', label: 'peak RSS (bench process)', value: Math.max(first.rss, same.rss, tenth.rss) / 2 ** 20, unit: 'MB' },
    ];
    return figures;
  },
};
export default bench;
