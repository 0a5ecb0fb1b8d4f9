// The product page: one offer's row (price, stock) plus what the catalog list leaves out.
import type { Db } from '../../infra/db/knex.ts';
import { type CatalogRow, offerRows } from './catalog.ts';
import { imageUrl } from './images.ts';
import type { PriceScope } from '../pricing/pricing.ts';

export interface ProductDetails {
  row: CatalogRow;
  description: string | null;
  barcode: string | null;
  properties: Record<string, string>;
  images: string[];
  group: { id: number; name: string } | null;
  /** Other offers (characteristics) of the same product. */
  siblings: { offerId: number; name: string }[];
  asOf: string | null;
}

export async function productDetails(db: Db, scope: PriceScope, offerId: number): Promise<ProductDetails | null> {
  const [row] = await offerRows(db, scope, [offerId]);
  if (!row) return null;
  const { rows } = await db.raw(
    `SELECT p.description, coalesce(o.barcode, p.barcode) AS barcode, p.properties, p.images,
            (SELECT json_build_object('id', g.id, 'name', g.name) FROM product_groups g
              WHERE g.source_id = p.source_id AND g.external_id = p.group_external_id AND NOT g.deleted) AS grp,
            (SELECT coalesce(json_agg(json_build_object('offerId', s.id, 'name', coalesce(s.name, s.sku, s.external_id)) ORDER BY s.id), '[]')
               FROM offers s WHERE s.product_id = p.id AND s.id <> o.id AND NOT s.deleted) AS siblings,
            (SELECT as_of FROM sources WHERE id = p.source_id) AS as_of
       FROM offers o JOIN products p ON p.id = o.product_id WHERE o.id = ?`,
    [offerId],
  );
  const d = rows[0];
  return {
    row,
    description: d.description,
    barcode: d.barcode,
    properties: d.properties ?? {},
    images: Array.isArray(d.images) ? d.images.map((x: unknown) => (typeof x === 'string' ? imageUrl(x, 640) : null)).filter((x: string | null): x is string => x !== null) : [],
    group: d.grp,
    siblings: d.siblings,
    asOf: d.as_of ? new Date(d.as_of).toISOString() : null,
  };
}
