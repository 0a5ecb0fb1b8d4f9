// Catalog URL parameters: parsed leniently (a bad value falls back to the default, never a 500)
// and written back in a stable order so every page is a shareable URL.
import type { Sort } from '../../store/catalog/catalog.ts';
import { parseId } from '../errors.ts';

export const VIEWS = ['table', 'list', 'tiles'] as const;
export type View = (typeof VIEWS)[number];

export interface CatalogParams {
  q: string;
  group: number | null;
  stock: boolean;
  wh: number | null;
  props: [string, string][];
  priceMin: string | null;
  priceMax: string | null;
  sort: Sort | null;
  page: number;
  view: View | null;
}

const one = (v: unknown): string | undefined => (Array.isArray(v) ? one(v[0]) : typeof v === 'string' ? v : undefined);
const many = (v: unknown): string[] => (Array.isArray(v) ? v.filter((x) => typeof x === 'string') : typeof v === 'string' ? [v] : []);
const id = (v: unknown) => parseId(one(v));
const decimal = (v: unknown) => {
  const s = one(v)?.trim().replace(',', '.');
  return s && /^\d{1,12}(\.\d{1,2})?$/.test(s) ? s : null;
};

export function parseCatalogParams(query: Record<string, unknown>): CatalogParams {
  const sort = one(query.sort);
  const view = one(query.view);
  const page = Number(one(query.page));
  return {
    q: (one(query.q) ?? '').trim().slice(0, 200),
    group: id(query.group),
    stock: one(query.stock) === '1',
    wh: id(query.wh),
    props: many(query.prop)
      .map((p) => {
        const at = p.indexOf(':');
        return at > 0 ? ([p.slice(0, at), p.slice(at + 1)] as [string, string]) : null;
      })
      .filter((x): x is [string, string] => x !== null)
      .slice(0, 10),
    priceMin: decimal(query.price_min),
    priceMax: decimal(query.price_max),
    sort: (['name', 'price', 'price_desc', 'stock', 'relevance'] as const).find((s) => s === sort) ?? null,
    page: Number.isInteger(page) && page >= 1 && page <= 10_000 ? page : 1,
    view: VIEWS.find((v) => v === view) ?? null,
  };
}

/** The URL of these params with overrides (view is not part of it: it is remembered per user). */
export function catalogUrl(p: CatalogParams, over: Partial<CatalogParams> = {}): string {
  const m = { ...p, ...over };
  const s = new URLSearchParams();
  if (m.q) s.set('q', m.q);
  if (m.group) s.set('group', String(m.group));
  if (m.stock) s.set('stock', '1');
  if (m.wh) s.set('wh', String(m.wh));
  for (const [k, v] of m.props) s.append('prop', `${k}:${v}`);
  if (m.priceMin) s.set('price_min', m.priceMin);
  if (m.priceMax) s.set('price_max', m.priceMax);
  if (m.sort) s.set('sort', m.sort);
  if (m.page > 1) s.set('page', String(m.page));
  if (m.view) s.set('view', m.view);
  const qs = s.toString();
  return `/catalog${qs ? `?${qs}` : ''}`;
}
