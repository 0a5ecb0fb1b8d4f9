// Reads one CommerceML file (import / offers / prices / rests / contragents, any version
// 2.03–3.1) and emits mirror records in bounded batches. The caller awaits each batch before
// more of the file is read, so memory stays flat on files of hundreds of megabytes.
import type { EntityName, MirrorRecords } from '../../../src/mirror/records.ts';
import { type FileHeader, type ItemPlace, readItems, type SectionName } from './item-reader.ts';
import {
  addProperty, addUnit, type ClassifierDict, mapCounterparty, mapGroups, mapOffer, mapPriceType, mapProduct,
  mapWarehouse, type Skips, TOTAL_WAREHOUSE,
} from './records-map.ts';
import type { XNode } from './xml-node.ts';

export type RecordBatch = { [E in EntityName]?: MirrorRecords[E][] };

export interface ParseResult {
  header: FileHeader;
  version?: string;
  /** Records emitted per entity. */
  counts: Partial<Record<EntityName, number>>;
  /** Elements found per entity, taken or not (`read` − `counts` = skipped by the parser). */
  read: Partial<Record<EntityName, number>>;
  /** Records emitted as deletion marks, per entity (part of `counts`). */
  marks: Partial<Record<EntityName, number>>;
  /** Why the parser skipped records, per entity: reason → count. */
  skipped: Partial<Record<EntityName, Skips>>;
  /** Data elements in places no reader looks, by path. */
  unread: { path: string; count: number }[];
  properties: number;
  units: number;
  documents: number;
  /** Entities this file declares complete (`СодержитТолькоИзменения=false`). */
  fullEntities: EntityName[];
  /** Human-readable problems that did not stop the file: unread elements by path. */
  notes: string[];
}

export interface ParseOptions {
  /** Updated in place when the file carries a classifier. */
  classifier: ClassifierDict;
  onBatch(batch: RecordBatch): Promise<void>;
  onDocument?(doc: XNode, place: ItemPlace): void;
  /** Records held before a flush (all entities together). */
  batchSize?: number;
}

const SECTION_OF: Partial<Record<EntityName, SectionName[]>> = {
  groups: ['Классификатор'],
  priceTypes: ['Классификатор', 'ПакетПредложений'],
  warehouses: ['Классификатор', 'ПакетПредложений'],
  products: ['Каталог'],
  offers: ['ПакетПредложений'],
  prices: ['ПакетПредложений'],
  stock: ['ПакетПредложений'],
  counterparties: ['Контрагенты'],
};

const PRODUCT_UNREAD = new Set(['Цены', 'Остатки', 'Остаток', 'Склад']);

export async function parseCommerceML(input: AsyncIterable<Uint8Array>, opts: ParseOptions): Promise<ParseResult> {
  const batchSize = opts.batchSize ?? 5000;
  const counts: Partial<Record<EntityName, number>> = {};
  let pending: RecordBatch = {};
  let pendingSize = 0;
  let properties = 0;
  let units = 0;
  let documents = 0;
  let totalWarehouseSent = false;
  const read: Partial<Record<EntityName, number>> = {};
  const marks: Partial<Record<EntityName, number>> = {};
  const skipped: Partial<Record<EntityName, Skips>> = {};
  const saw = (entity: EntityName, n = 1) => {
    if (n) read[entity] = (read[entity] ?? 0) + n;
  };
  const skip = (entity: EntityName, reason: string, n = 1) => {
    if (!n) return;
    const s = skipped[entity] ?? {};
    skipped[entity] = s;
    s[reason] = (s[reason] ?? 0) + n;
  };
  const skipAll = (entity: EntityName, reasons: Skips) => {
    for (const [r, n] of Object.entries(reasons)) skip(entity, r, n);
  };
  /** An item without `Ид` cannot be keyed: counted as read and skipped. */
  const one = <R>(entity: EntityName, r: R | undefined): R | undefined => {
    saw(entity);
    if (!r) skip(entity, 'no Ид');
    return r;
  };

  const push = <E extends EntityName>(entity: E, ...recs: MirrorRecords[E][]) => {
    if (!recs.length) return;
    let list = pending[entity] as MirrorRecords[E][] | undefined;
    if (!list) {
      list = [];
      pending[entity] = list as RecordBatch[E];
    }
    for (const r of recs) {
      list.push(r);
      if ((r as { deleted?: boolean }).deleted) marks[entity] = (marks[entity] ?? 0) + 1;
    }
    counts[entity] = (counts[entity] ?? 0) + recs.length;
    pendingSize += recs.length;
  };
  const flush = async () => {
    if (!pendingSize) return;
    const batch = pending;
    pending = {};
    pendingSize = 0;
    await opts.onBatch(batch);
  };

  const header = await readItems(input, {
    onItem(kind, node, h, place) {
      switch (kind) {
        case 'group': {
          const groups: MirrorRecords['groups'][] = [];
          mapGroups(node, null, groups);
          const found = countNamed(node, 'Группа');
          saw('groups', found);
          skip('groups', 'no Ид', found - groups.length);
          push('groups', ...groups);
          break;
        }
        case 'property':
          addProperty(node, opts.classifier);
          properties++;
          break;
        case 'unit':
          addUnit(node, opts.classifier);
          units++;
          break;
        case 'priceType': {
          const r = one('priceTypes', mapPriceType(node));
          if (r) push('priceTypes', r);
          break;
        }
        case 'warehouse': {
          const r = one('warehouses', mapWarehouse(node));
          if (r) push('warehouses', r);
          break;
        }
        case 'product': {
          const r = one('products', mapProduct(node, opts.classifier));
          if (r) push('products', r);
          // Prices and stock belong to offers: on a product they are not read, and said so.
          for (const c of node.children) {
            if (!PRODUCT_UNREAD.has(c.name)) continue;
            const where = `…/Товары/Товар/${c.name}`;
            h.unread.set(where, (h.unread.get(where) ?? 0) + 1);
          }
          break;
        }
        case 'offer': {
          const m = mapOffer(node, opts.classifier);
          if (!m) {
            one('offers', m);
            break;
          }
          if (m.usesTotalWarehouse && !totalWarehouseSent) {
            push('warehouses', TOTAL_WAREHOUSE);
            saw('warehouses');
            totalWarehouseSent = true;
          }
          // A price-only or stock-only offer carries no offer record: it is read, not skipped.
          if (m.offer) {
            saw('offers');
            push('offers', m.offer);
          }
          saw('prices', m.pricesRead);
          saw('stock', m.stockRead);
          skipAll('prices', m.skippedPrices);
          skipAll('stock', m.skippedStock);
          push('prices', ...m.prices);
          push('stock', ...m.stock);
          break;
        }
        case 'counterparty': {
          const r = one('counterparties', mapCounterparty(node));
          if (r) push('counterparties', r);
          break;
        }
        case 'document':
          documents++;
          opts.onDocument?.(node, place);
          break;
      }
    },
    drain: async () => {
      if (pendingSize >= batchSize) await flush();
    },
  });
  await flush();

  const fullEntities = (Object.keys(SECTION_OF) as EntityName[]).filter(
    (e) => counts[e] && SECTION_OF[e]!.some((s) => header.sections.get(s)?.onlyChanges === false),
  );
  const unread = [...header.unread].map(([path, count]) => ({ path, count }));
  const notes = unread.map(
    (u) => `${u.count} <${u.path.split('/').pop()}> element(s) at ${u.path} not read: no reader looks there, their data was not taken`,
  );
  return { header, version: header.version, counts, read, marks, skipped, unread, properties, units, documents, fullEntities, notes };
}

function countNamed(n: XNode, name: string): number {
  let c = n.name === name ? 1 : 0;
  for (const k of n.children) c += countNamed(k, name);
  return c;
}
