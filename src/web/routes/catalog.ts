// The catalog: group tree, search, filters, sort, shareable pagination, three views (tiles,
// list, table) remembered per user, and the product page. One URL serves the full page or,
// for htmx (HX-Target: catalog-results), just the results fragment.
import { Router } from 'express';
import type { Runtime } from '../../infra/runtime.ts';
import { key } from '../../infra/i18n/index.ts';
import { listWarehouses, type Warehouse } from '../../store/catalog/availability.ts';
import { type CatalogRow, catalogPage, descendantIds, type GroupNode, groupTree, propertyFacets, type Sort } from '../../store/catalog/catalog.ts';
import { productDetails } from '../../store/catalog/product.ts';
import { optionsFor, storeToday } from '../../store/arrivals/arrivals.ts';
import { parseQuantity } from '../../store/cart/quick-order.ts';
import { optionsView } from '../delivery-options.ts';
import { setPreference } from '../../store/accounts/viewer.ts';
import { offerReservable } from '../../store/reservations/reservable.ts';
import { buyerScope, requireBuyer } from '../auth/context.ts';
import { type CatalogParams, catalogUrl, parseCatalogParams, type View, VIEWS } from './catalog-params.ts';
import { idParam, notFound } from '../errors.ts';
import { tOf } from '../i18n.ts';
import { type Formats, formats } from '../../infra/intl.ts';

export const PER_PAGE = 50;

/** A stock cell as the templates print it (views/partials/stock-cell.hbs). */
export interface StockCell {
  warehouseId: number;
  has: boolean;
  qtyText: string;
  partner: boolean;
  priceText: string | null;
}

// The same few quantities fill most of a page's 600 cells (and every page's): an own
// warehouse's cell is the same for the same quantity, so one frozen object per warehouse and
// quantity is kept and shared by every row and page (no 500 new objects a page), for the
// formats in force (another locale or time zone: other formats, other texts). Partner cells
// carry the row's price: made per row, the price's text kept too.
const MEMO_MAX = 10_000;
interface Memo {
  f: Formats;
  cells: number;
  byWarehouse: Map<number, Map<string, StockCell>>;
  /** A partner warehouse's price (commission included) → its text. */
  prices: Map<string, string>;
}
const memos = new WeakMap<Formats, Memo>();
function memoOf(f: Formats): Memo {
  let memo = memos.get(f);
  if (!memo) {
    memo = { f, cells: 0, byWarehouse: new Map(), prices: new Map() };
    memos.set(f, memo);
  }
  return memo;
}

function ownCell(memo: Memo, warehouseId: number, q: string): StockCell {
  let byQty = memo.byWarehouse.get(warehouseId);
  let cell = byQty?.get(q);
  if (cell) return cell;
  if (memo.cells >= MEMO_MAX) {
    memo.byWarehouse.clear();
    memo.cells = 0;
    byQty = undefined;
  }
  if (!byQty) {
    byQty = new Map();
    memo.byWarehouse.set(warehouseId, byQty);
  }
  cell = Object.freeze({ warehouseId, has: positive(q), qtyText: memo.f.qty(q), partner: false, priceText: null });
  byQty.set(q, cell);
  memo.cells++;
  return cell;
}

function priceText(memo: Memo, price: string): string {
  let text = memo.prices.get(price);
  if (text === undefined) {
    if (memo.prices.size >= MEMO_MAX) memo.prices.clear();
    text = memo.f.money(price, null);
    memo.prices.set(price, text);
  }
  return text;
}

/** A non-negative decimal string above zero (availability is never negative: SQL clamps it). */
const positive = (q: string) => q !== '0' && /[1-9]/.test(q);

/**
 * Rows → what the templates print: cells per warehouse in header order, formatted once here (the
 * live updates send the same cells). Runs for 600 cells a page: no decimal maths. The row is the
 * caller's own (fresh from the database): its cells are added to it, not copied with it.
 */
export function rowView(row: CatalogRow, warehouses: Warehouse[]): CatalogRow & { cells: StockCell[]; inStock: boolean } {
  const memo = memoOf(formats());
  const cells: StockCell[] = new Array(warehouses.length);
  for (let i = 0; i < warehouses.length; i++) {
    const w = warehouses[i]!;
    const own = ownCell(memo, w.id, row.stock[w.id] ?? '0');
    if (w.kind === 'partner') {
      const price = row.partner[w.id];
      cells[i] = { warehouseId: w.id, has: own.has, qtyText: own.qtyText, partner: true, priceText: price ? priceText(memo, price) : null };
    } else cells[i] = own;
  }
  return Object.assign(row, { cells, inStock: positive(row.totalQty) });
}

/**
 * The group tree as a flat run of open/close marks for views/partials/group-tree.hbs: 1C sends
 * trees of any depth, and a recursive partial (or walk) overflows the stack on deep ones, so
 * neither this nor the template recurses. Only the active group's ancestors are unfolded.
 */
export interface GroupMark {
  ul?: true;
  li?: { id: number; name: string; active: boolean; open: boolean };
  endLi?: true;
  endUl?: true;
}

export function groupMarks(roots: GroupNode[], byId: Map<number, GroupNode>, active: number | null): GroupMark[] {
  const open = new Set<number>();
  const target = active === null ? undefined : byId.get(active);
  if (target) {
    // The ancestors of the active group: one walk with an explicit stack of paths' parents.
    const parent = new Map<number, number>();
    const stack = [...roots];
    while (stack.length && !parent.has(target.id)) {
      const n = stack.pop()!;
      for (const c of n.children) {
        if (parent.has(c.id)) continue;
        parent.set(c.id, n.id);
        stack.push(c);
      }
    }
    for (let id: number | undefined = target.id; id !== undefined && !open.has(id); id = parent.get(id)) open.add(id);
  }
  const out: GroupMark[] = [{ ul: true }];
  const frames: { nodes: GroupNode[]; i: number }[] = [{ nodes: roots, i: 0 }];
  while (frames.length) {
    const f = frames[frames.length - 1]!;
    if (f.i >= f.nodes.length) {
      frames.pop();
      out.push({ endUl: true });
      if (frames.length) out.push({ endLi: true });
      continue;
    }
    const n = f.nodes[f.i++]!;
    const isOpen = open.has(n.id);
    out.push({ li: { id: n.id, name: n.name, active: n.id === active, open: isOpen } });
    if (isOpen && n.children.length) {
      out.push({ ul: true });
      frames.push({ nodes: n.children, i: 0 });
    } else {
      out.push({ endLi: true });
    }
  }
  return out;
}

// Catalog keys of the sort and view links' labels (src/infra/i18n).
const SORT_LABELS: [Sort, string][] = [
  ['name', key('catalog.sort.name')],
  ['price', key('catalog.sort.price')],
  ['price_desc', key('catalog.sort.priceDesc')],
  ['stock', key('catalog.sort.stock')],
];
const VIEW_LABELS: Record<View, string> = { table: key('catalog.view.table'), list: key('catalog.view.list'), tiles: key('catalog.view.tiles') };

export function catalogRoutes(rt: Runtime): Router {
  const r = Router();

  r.get('/catalog', ...requireBuyer, async (req, res) => {
    const { viewer, counterpartyId, contractId } = buyerScope(res);
    const params = parseCatalogParams(req.query as Record<string, unknown>);
    // The view: from the URL (and then remembered), else the user's last choice.
    let view = (viewer.preferences.catalogView as View | undefined) ?? 'table';
    if (params.view && params.view !== view) {
      view = params.view;
      await setPreference(rt.db, viewer.userId, 'catalogView', view);
    } else if (params.view) view = params.view;
    if (!VIEWS.includes(view)) view = 'table';
    params.view = null;

    // The mirror's reads go to the replica when there is one (rt.readDb); the buyer's own state does not.
    const [tree, warehouses] = await Promise.all([groupTree(rt.readDb), listWarehouses(rt.readDb)]);
    const groupNode = params.group ? tree.byId.get(params.group) : undefined;
    if (params.group && !groupNode) throw notFound('group');
    const query = {
      q: params.q || undefined,
      group: groupNode ? { sourceId: groupNode.sourceId, externalIds: descendantIds(groupNode) } : undefined,
      inStock: params.stock,
      warehouseId: params.wh ?? undefined,
      props: Object.fromEntries(params.props),
      priceMin: params.priceMin ?? undefined,
      priceMax: params.priceMax ?? undefined,
      sort: params.sort ?? (params.q ? 'relevance' : 'name'),
      page: params.page,
      perPage: PER_PAGE,
    } as const;
    const wantFacets = Boolean(groupNode || params.q || params.props.length);
    const [page, facets] = await Promise.all([
      catalogPage(rt.readDb, { counterpartyId, contractId }, query),
      wantFacets ? propertyFacets(rt.readDb, query) : Promise.resolve([]),
    ]);
    const pages = Math.max(1, Math.ceil(page.total / PER_PAGE));
    const rows = page.rows.map((row) => rowView(row, warehouses));
    const model = {
      title: params.q ? tOf(res)('catalog.searchTitle', { q: params.q }) : (groupNode?.name ?? tOf(res)('catalog.title')),
      view,
      isTable: view === 'table',
      isList: view === 'list',
      isTiles: view === 'tiles',
      params,
      rows,
      warehouses,
      asOf: page.asOf,
      total: page.total,
      totalCapped: page.totalCapped,
      groups: groupMarks(tree.roots, tree.byId, params.group),
      facets: facets.map((f) => ({
        name: f.name,
        values: f.values.map((v) => ({ ...v, checked: params.props.some(([k, x]) => k === f.name && x === v.value) })),
      })),
      sorts: SORT_LABELS.map(([s, label]) => ({ label, url: catalogUrl(params, { sort: s, page: 1 }), active: (params.sort ?? 'name') === s })),
      views: VIEWS.map((v) => ({ name: v, label: VIEW_LABELS[v], url: catalogUrl(params, { view: v }), active: v === view })),
      pagination: {
        page: params.page,
        pages,
        prev: params.page > 1 ? catalogUrl(params, { page: params.page - 1 }) : null,
        next: params.page < pages ? catalogUrl(params, { page: params.page + 1 }) : null,
        first: params.page > 2 ? catalogUrl(params, { page: 1 }) : null,
      },
      selfUrl: catalogUrl(params, { page: params.page }),
      liveIds: rows.map((x) => x.offerId).join(','),
      hasWh: warehouses.map((w) => ({ ...w, selected: w.id === params.wh })),
    };
    res.set('Vary', 'HX-Request, HX-Target');
    if (req.get('hx-request') && req.get('hx-target') === 'catalog-results') {
      res.render('catalog-results', { ...model, layout: false });
    } else res.render('catalog', model);
  });

  r.get('/product/:offerId', ...requireBuyer, async (req, res) => {
    const { counterpartyId, contractId, viewer } = buyerScope(res);
    const offerId = idParam(req.params.offerId, 'product');
    // The reserve box is part of the page (works without JS); htmx only refreshes it live.
    const [details, warehouses, reserveBox] = await Promise.all([
      productDetails(rt.readDb, { counterpartyId, contractId }, offerId),
      listWarehouses(rt.readDb),
      offerReservable(rt.db, offerId, viewer.userId),
    ]);
    if (!details) throw notFound('product');
    // "When can I have it" for ?qty= (1 by default): a bad quantity is a 400 naming it, the rest of the page still shown.
    const asked = typeof req.query.qty === 'string' ? req.query.qty : '1';
    const quantity = parseQuantity(asked);
    const now = new Date();
    const delivery = quantity
      ? optionsView((await optionsFor(rt.db, { counterpartyId, contractId }, [{ offerId, quantity }], now)).get(offerId)!, storeToday(now), details.row.unit, res.locals.lang as string | undefined)
      : null;
    const options = {
      offerId,
      qtyInput: asked.slice(0, 40),
      unit: details.row.unit ?? 'шт',
      delivery,
      error: quantity ? null : `«${asked.slice(0, 40)}» — не количество: укажите положительное число, например 5 или 2,5.`,
    };
    const status = quantity ? 200 : 400;
    res.set('Vary', 'HX-Request, HX-Target');
    if (req.get('hx-request') && req.get('hx-target') === 'delivery-options') {
      // A refused quantity keeps its 400 with htmx too: the layout's responseHandling swaps 4xx answers.
      return res.status(status).render('fragments/delivery-options', { layout: false, ...options });
    }
    const cells = warehouses.map((w) => {
      const q = details.row.stock[String(w.id)] ?? '0';
      return {
        warehouseId: w.id,
        name: w.name,
        partner: w.kind === 'partner',
        deliveryDays: w.deliveryDays,
        qty: q,
        has: /[1-9]/.test(q),
        price: details.row.partner[String(w.id)] ?? details.row.price,
      };
    });
    res.status(status).render('product', {
      ...options,
      title: details.row.name,
      p: details,
      row: details.row,
      cells,
      properties: Object.entries(details.properties).map(([name, value]) => ({ name, value })),
      characteristics: Object.entries(details.row.characteristics).map(([name, value]) => ({ name, value })),
      siblings: details.siblings,
      asOf: details.asOf,
      liveIds: String(offerId),
      reserveBox,
      reserveBack: `/product/${offerId}`,
    });
  });

  return r;
}

export type { CatalogParams };
