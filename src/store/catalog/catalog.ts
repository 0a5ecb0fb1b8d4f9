// The catalog page: filters, search, sort and one page of offers with the buyer's price and
// availability per warehouse: one query for the page's ids, one prepared statement for their
// rows (plus a capped, cached count); the unfiltered catalog both in one prepared statement.
import { imageUrl } from './images.ts';
import type { Knex } from 'knex';
import type { Db } from '../../infra/db/knex.ts';
import { type PreparedStatement, prepare, runPrepared, runText } from '../../infra/db/prepared.ts';
import { availableCondition } from './availability.ts';
import { BUYER_PRICE, PRICE_LATERAL, type PriceScope, TERMS_CTE } from '../pricing/pricing.ts';
import { effectiveCommission } from '../settings/settings.ts';
import { ClearableWeakMap, registerCache } from '../../infra/caches.ts';

export const SORTS = ['name', 'price', 'price_desc', 'stock', 'relevance'] as const;
export type Sort = (typeof SORTS)[number];

export interface CatalogQuery {
  q?: string;
  /** Set by catalogPage: 'exact' = full text / SKU / barcode; 'fuzzy' = trigram (typos), used when exact finds nothing. */
  match?: 'exact' | 'fuzzy';
  /** Group filter: external ids (the group and its descendants) of one source. */
  group?: { sourceId: number; externalIds: string[] };
  inStock?: boolean;
  warehouseId?: number;
  props?: Record<string, string>;
  priceMin?: string;
  priceMax?: string;
  sort: Sort;
  page: number;
  perPage: number;
}

export interface CatalogRow {
  offerId: number;
  productId: number;
  sku: string | null;
  name: string;
  unit: string | null;
  vatRate: string | null;
  image: string | null;
  characteristics: Record<string, string>;
  price: string | null;
  currency: string | null;
  vatIncluded: boolean | null;
  priceOrigin: string | null;
  /** partner warehouse id → price there (commission included) */
  partner: Record<string, string>;
  /** warehouse id → available quantity */
  stock: Record<string, string>;
  /** available over all warehouses */
  totalQty: string;
}

export interface CatalogPage {
  rows: CatalogRow[];
  /** Matches, counted up to COUNT_CAP + 1 (more is shown as "10,000+"). */
  total: number;
  totalCapped: boolean;
  asOf: string | null;
}

export const COUNT_CAP = 2_000;

/**
 * Catalog rows of the given offers, in that order: the price chain, partner prices and
 * availability per warehouse. One statement of fixed text for the page, the product page and
 * live updates, run as a named prepared statement: Postgres parses it once per connection and,
 * its shape fixed by the ids array, soon reuses one generic plan. Parsing and planning this
 * text were more than half of its cost. The rows come back as one JSON array of CatalogRow
 * objects (one field, one JSON.parse), not 50 rows × 15 fields each converted by pg and copied
 * into a CatalogRow (with runText for the ids: a quarter less web CPU for the page's data).
 * `pageIds` is the SQL of a one-row `a` column, the offer ids in page order: a bound array, or
 * the page's own query (offerRowsOfPageSql). Bindings: contractId, counterpartyId, then those of `pageIds`.
 */
const offerRowsSql = (pageIds: string) => `
  WITH ${TERMS_CTE},
  page_ids AS MATERIALIZED (${pageIds}),
  ids AS MATERIALIZED (SELECT ids.id, ids.n FROM page_ids, unnest(page_ids.a) WITH ORDINALITY AS ids(id, n)),
  partner_w AS MATERIALIZED (SELECT w.id, ${effectiveCommission('w')} AS pct FROM warehouses w WHERE w.kind = 'partner' AND NOT w.deleted),
  -- availability of every offer in one grouped pass (not one aggregate per row); one index scan
  -- for the ids array (in key order, so no sort before grouping), not a probe per id: a fifth
  -- less Postgres CPU for this statement
  page_stock AS (
    SELECT s.offer_id, json_object_agg(s.warehouse_id, trim_scale(greatest(s.quantity - coalesce(rv.q, 0), 0))::text) AS stock,
           trim_scale(sum(greatest(s.quantity - coalesce(rv.q, 0), 0)))::text AS total
      FROM stock s
      LEFT JOIN (SELECT r.offer_id, r.warehouse_id, sum(r.quantity) AS q FROM ids JOIN reservations r ON r.offer_id = ids.id
                  WHERE r.state = 'active' GROUP BY 1, 2) rv ON rv.offer_id = s.offer_id AND rv.warehouse_id = s.warehouse_id
     WHERE s.offer_id = ANY((SELECT a FROM page_ids)::bigint[]) AND NOT s.deleted
     GROUP BY s.offer_id
  )
  SELECT coalesce(json_agg(json_build_object(
           'offerId', o.id, 'productId', p.id, 'sku', coalesce(o.sku, p.sku),
           'name', CASE WHEN o.name IS NULL OR o.name = p.name THEN p.name WHEN left(o.name, length(p.name)) = p.name THEN o.name ELSE p.name || ' · ' || o.name END,
           'unit', p.unit, 'vatRate', p.vat_rate::text, 'image', p.images->>0, 'characteristics', coalesce(o.characteristics, '{}'),
           'price', bp.price::text, 'currency', pr.currency, 'vatIncluded', pr.vat_included, 'priceOrigin', pr.origin,
           'partner', (SELECT coalesce(json_object_agg(w.id, round(bp.price * (1 + w.pct / 100), 2)::text), '{}')
                         FROM partner_w w WHERE bp.price IS NOT NULL),
           'stock', coalesce(ps.stock, '{}'), 'totalQty', coalesce(ps.total, '0')) ORDER BY ids.n), '[]') AS rows,
         (SELECT min(as_of) FROM sources) AS as_of
    FROM ids JOIN offers o ON o.id = ids.id AND NOT o.deleted JOIN products p ON p.id = o.product_id AND NOT p.deleted
    CROSS JOIN terms t ${PRICE_LATERAL}
    CROSS JOIN LATERAL (SELECT ${BUYER_PRICE} AS price) bp
    LEFT JOIN page_stock ps ON ps.offer_id = o.id`;

const OFFER_ROWS = prepare('catalog_offer_rows', offerRowsSql('SELECT ?::bigint[] AS a'));

/**
 * The page's query and its rows in one statement (one round trip, and with no filter a named
 * statement: nothing left to plan per request). Only for a page query without bindings (the
 * whole catalog by name or stock, LIMIT and OFFSET as literals): its plan is then exactly the
 * one planned with values; one named statement per such text and pooled connection, so pages
 * past ONE_STATEMENT_PAGES keep the two-step path rather than growing that set.
 */
const ONE_STATEMENT_PAGES = 20;
const onePageStatements = new Map<string, PreparedStatement>();
function pageStatement(pageSql: string): PreparedStatement {
  let st = onePageStatements.get(pageSql);
  if (!st) {
    // An aggregate over the ordered subquery keeps its order (as the Postgres manual says of such input).
    st = prepare('catalog_page', offerRowsSql(`SELECT coalesce(array_agg(x.id), '{}') AS a FROM (${pageSql}) x`));
    onePageStatements.set(pageSql, st);
  }
  return st;
}

/** Catalog rows of given offers (the page, product page, live updates): deleted ones left out. */
export async function offerRows(db: Db, scope: PriceScope, offerIds: number[]): Promise<CatalogRow[]> {
  if (!offerIds.length) return [];
  // An aggregate: always exactly one row.
  const [result] = await runPrepared<{ rows: CatalogRow[] }>(db, OFFER_ROWS, [scope.contractId, scope.counterpartyId, offerIds]);
  return withImages(result?.rows ?? []);
}

function withImages(rows: CatalogRow[]): CatalogRow[] {
  for (const row of rows) row.image = imageUrl(row.image, 240);
  return rows;
}

const EXACT_MATCH = `(p.search @@ websearch_to_tsquery('russian', ?) OR lower(p.sku) = lower(?) OR lower(o.sku) = lower(?)
                 OR p.barcode = ? OR o.barcode = ? OR lower(p.sku) LIKE lower(?))`;
const exactBindings = (text: string) => [text, text, text, text, text, `${text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`];

interface Built {
  where: string[];
  bindings: Knex.RawBinding[];
  needsPrice: boolean;
}

function buildWhere(q: CatalogQuery): Built {
  const where = ['NOT p.deleted'];
  const bindings: Knex.RawBinding[] = [];
  const text = q.q?.trim();
  if (text && q.match === 'fuzzy') {
    where.push(`(p.name % ? OR ? <% p.name OR p.sku % ?)`);
    bindings.push(text, text, text);
  } else if (text) {
    where.push(EXACT_MATCH);
    bindings.push(...exactBindings(text));
  }
  if (q.group) {
    where.push('p.source_id = ? AND p.group_external_id = ANY(?::text[])');
    bindings.push(q.group.sourceId, q.group.externalIds);
  }
  if (q.warehouseId !== undefined) {
    where.push(availableCondition(true));
    bindings.push(q.warehouseId);
  } else if (q.inStock) where.push(availableCondition(false));
  for (const [k, v] of Object.entries(q.props ?? {})) {
    where.push('p.properties @> ?::jsonb');
    bindings.push(JSON.stringify({ [k]: v }));
  }
  const needsPrice = q.priceMin !== undefined || q.priceMax !== undefined || q.sort === 'price' || q.sort === 'price_desc';
  if (q.priceMin !== undefined) {
    where.push(`${BUYER_PRICE} >= ?::numeric`);
    bindings.push(q.priceMin);
  }
  if (q.priceMax !== undefined) {
    where.push(`${BUYER_PRICE} <= ?::numeric`);
    bindings.push(q.priceMax);
  }
  return { where, bindings, needsPrice };
}

function orderBy(q: CatalogQuery, hasText: boolean): { sql: string; bindings: Knex.RawBinding[] } {
  switch (q.sort) {
    case 'price':
      return { sql: `${BUYER_PRICE} ASC NULLS LAST, lower(p.name), p.id, o.id`, bindings: [] };
    case 'price_desc':
      return { sql: `${BUYER_PRICE} DESC NULLS LAST, lower(p.name), p.id, o.id`, bindings: [] };
    case 'stock':
      return {
        sql: `(SELECT coalesce(sum(s.quantity), 0) FROM stock s WHERE s.offer_id = o.id AND NOT s.deleted) DESC, lower(p.name), p.id, o.id`,
        bindings: [],
      };
    case 'relevance':
      if (hasText && q.match === 'fuzzy') {
        return { sql: `similarity(p.name, ?) DESC, p.id, o.id`, bindings: [q.q!.trim()] };
      }
      if (hasText) {
        return {
          sql: `(lower(p.sku) = lower(?) OR p.barcode = ?) DESC, ts_rank(p.search, websearch_to_tsquery('russian', ?)) DESC, similarity(p.name, ?) DESC, p.id, o.id`,
          bindings: [q.q!.trim(), q.q!.trim(), q.q!.trim(), q.q!.trim()],
        };
      }
      return { sql: 'lower(p.name), p.id, o.id', bindings: [] };
    default:
      return { sql: 'lower(p.name), p.id, o.id', bindings: [] };
  }
}

/** Counts change only with a sync: cached per process for a few seconds, keyed by the query. */
const COUNT_TTL_MS = 5000;
const countCache = registerCache('catalog.counts', new Map<string, { at: number; value: Promise<{ n: number }> }>());

function cachedCount(db: Db, sql: string, bindings: Knex.RawBinding[]): Promise<{ n: number }> {
  const key = `${sql}\u0000${JSON.stringify(bindings)}`;
  const hit = countCache.get(key);
  if (hit && Date.now() - hit.at < COUNT_TTL_MS) return hit.value;
  if (countCache.size > 1000) countCache.clear();
  const value = db.raw(sql, bindings).then((r) => r.rows[0]);
  value.catch(() => countCache.delete(key));
  countCache.set(key, { at: Date.now(), value });
  return value;
}

/** Whether a text search has exact hits (full text, SKU, barcode); else the fuzzy trigram search runs. */
async function matchMode(db: Db, text: string): Promise<'exact' | 'fuzzy'> {
  const { rows } = await db.raw(
    `SELECT EXISTS (SELECT 1 FROM products p JOIN offers o ON o.product_id = p.id AND NOT o.deleted WHERE NOT p.deleted AND ${EXACT_MATCH}) AS hit`,
    exactBindings(text),
  );
  return rows[0].hit ? 'exact' : 'fuzzy';
}

export async function catalogPage(db: Db, scope: PriceScope, query: CatalogQuery): Promise<CatalogPage> {
  const q = query.q?.trim() && !query.match ? { ...query, match: await matchMode(db, query.q.trim()) } : query;
  const built = buildWhere(q);
  const order = orderBy(q, Boolean(q.q?.trim()));
  const priceJoin = built.needsPrice ? `CROSS JOIN terms t ${PRICE_LATERAL}` : '';
  const from = `products p JOIN offers o ON o.product_id = p.id AND NOT o.deleted ${priceJoin}`;
  const where = built.where.join(' AND ');
  const terms = [scope.contractId, scope.counterpartyId];
  // The page's offer ids: the planner walks an index in order and stops after the page. This
  // text varies with the filters, so it is planned each time with its real values; the rows of
  // those ids then come from the one prepared statement. Sent without knex (its per-query work
  // is wasted on a text built here).
  const withTerms = built.needsPrice ? `WITH ${TERMS_CTE} ` : '';
  const pageSql = `${withTerms}SELECT o.id, (SELECT min(as_of) FROM sources) AS as_of FROM ${from} WHERE ${where} ORDER BY ${order.sql} LIMIT ? OFFSET ?`;
  const offset = (q.page - 1) * q.perPage;
  const countSql = `${withTerms}SELECT count(*)::int AS n FROM (SELECT 1 FROM ${from} WHERE ${where} LIMIT ${COUNT_CAP + 1}) x`;
  // The count does not depend on the viewer unless prices filter it.
  const termBindings = built.needsPrice ? terms : [];
  const countBindings = [...termBindings, ...built.bindings];
  const pageNumber = Math.trunc(q.page);
  if (!built.needsPrice && !built.bindings.length && !order.bindings.length && pageNumber >= 1 && pageNumber <= ONE_STATEMENT_PAGES) {
    const idsSql = `SELECT o.id FROM ${from} WHERE ${where} ORDER BY ${order.sql} LIMIT ${Math.trunc(q.perPage)} OFFSET ${(pageNumber - 1) * Math.trunc(q.perPage)}`;
    const [one, count] = await Promise.all([
      runPrepared<{ rows: CatalogRow[]; as_of: Date | null }>(db, pageStatement(idsSql), terms),
      cachedCount(db, countSql, countBindings),
    ]);
    return pageOf(withImages(one[0]?.rows ?? []), count.n, one[0]?.as_of ?? null);
  }
  const [page, count] = await Promise.all([
    runText<{ id: number; as_of: Date | null }>(db, pageSql, [...termBindings, ...built.bindings, ...order.bindings, q.perPage, offset]),
    cachedCount(db, countSql, countBindings),
  ]);
  const rows = await offerRows(db, scope, page.map((x) => x.id));
  // The oldest source's time: every price and stock figure on the page is at least that fresh.
  const stamp: Date | null = page.length ? page[0]!.as_of : (await db.raw(`SELECT min(as_of) AS as_of FROM sources`)).rows[0].as_of;
  return pageOf(rows, count.n, stamp);
}

function pageOf(rows: CatalogRow[], total: number, stamp: Date | null): CatalogPage {
  const asOf = stamp ? new Date(stamp).toISOString() : null;
  return { rows, total: Math.min(total, COUNT_CAP), totalCapped: total > COUNT_CAP, asOf };
}

export interface GroupNode {
  id: number;
  sourceId: number;
  externalId: string;
  name: string;
  children: GroupNode[];
}

const groupCache = registerCache('catalog.groups', new ClearableWeakMap<Db, { at: number; tree: Promise<{ roots: GroupNode[]; byId: Map<number, GroupNode> }> }>());

/** The group tree (cached 5 s per process: groups change only with a sync). */
export function groupTree(db: Db): Promise<{ roots: GroupNode[]; byId: Map<number, GroupNode> }> {
  const hit = groupCache.get(db);
  if (hit && Date.now() - hit.at < 5000) return hit.tree;
  const tree = db('product_groups')
    .where({ deleted: false })
    .orderBy(['sort', 'name', 'id'])
    .select('id', 'source_id', 'external_id', 'parent_external_id', 'name')
    .then((rows) => {
      const byKey = new Map<string, GroupNode>();
      const byId = new Map<number, GroupNode>();
      for (const r of rows) {
        const node = { id: r.id, sourceId: r.source_id, externalId: r.external_id, name: r.name, children: [] };
        byKey.set(`${r.source_id}:${r.external_id}`, node);
        byId.set(r.id, node);
      }
      const roots: GroupNode[] = [];
      for (const r of rows) {
        const node = byKey.get(`${r.source_id}:${r.external_id}`)!;
        const parent = r.parent_external_id ? byKey.get(`${r.source_id}:${r.parent_external_id}`) : undefined;
        if (parent && parent !== node) parent.children.push(node);
        else roots.push(node);
      }
      return { roots, byId };
    });
  tree.catch(() => groupCache.delete(db));
  groupCache.set(db, { at: Date.now(), tree });
  return tree;
}

export function invalidateGroups(db: Db): void {
  groupCache.delete(db);
}

/** External ids of a group and every group below it (an explicit stack: trees of any depth). */
export function descendantIds(node: GroupNode): string[] {
  const out: string[] = [];
  const seen = new Set<GroupNode>();
  const stack = [node];
  while (stack.length) {
    const n = stack.pop()!;
    if (seen.has(n)) continue;
    seen.add(n);
    out.push(n.externalId);
    for (let i = n.children.length - 1; i >= 0; i--) stack.push(n.children[i]!);
  }
  return out;
}

/** Property values present in a group (or search), most frequent first, for the filter. */
export async function propertyFacets(db: Db, q: CatalogQuery): Promise<{ name: string; values: { value: string; count: number }[] }[]> {
  const built = buildWhere({ ...q, props: {}, priceMin: undefined, priceMax: undefined, sort: 'name' });
  const { rows } = await db.raw(
    `SELECT kv.key, kv.value, count(*)::int AS n
       FROM (SELECT p.properties FROM products p JOIN offers o ON o.product_id = p.id AND NOT o.deleted
              WHERE ${built.where.join(' AND ')} LIMIT 5000) p, jsonb_each_text(p.properties) kv
      GROUP BY 1, 2 ORDER BY 1, 3 DESC, 2 LIMIT 300`,
    built.bindings,
  );
  const byName = new Map<string, { value: string; count: number }[]>();
  for (const r of rows) {
    const list = byName.get(r.key) ?? [];
    if (list.length < 30) list.push({ value: r.value, count: r.n });
    byName.set(r.key, list);
  }
  return [...byName].map(([name, values]) => ({ name, values }));
}
