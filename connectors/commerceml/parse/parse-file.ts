// Reads one CommerceML file (import / offers / prices / rests / contragents, any version
// 2.03–3.1) and emits mirror records in bounded batches. The caller awaits each batch before
// more of the file is read, so memory stays flat on files of hundreds of megabytes.
import type { EntityName, MirrorRecords } from '../../../src/mirror/records.ts';
import { type FileHeader, readItems, type SectionName } from './item-reader.ts';
import {
  addProperty, addUnit, type ClassifierDict, mapCounterparty, mapGroups, mapOffer, mapPriceType, mapProduct,
  mapWarehouse, TOTAL_WAREHOUSE,
} from './records-map.ts';
import type { XNode } from './xml-node.ts';

export type RecordBatch = { [E in EntityName]?: MirrorRecords[E][] };

export interface ParseResult {
  header: FileHeader;
  version?: string;
  /** Records emitted per entity. */
  counts: Partial<Record<EntityName, number>>;
  properties: number;
  units: number;
  documents: number;
  /** Entities this file declares complete (`СодержитТолькоИзменения=false`). */
  fullEntities: EntityName[];
  /** Human-readable problems that did not stop the file (e.g. a price that is not a number). */
  notes: string[];
}

export interface ParseOptions {
  /** Updated in place when the file carries a classifier. */
  classifier: ClassifierDict;
  onBatch(batch: RecordBatch): Promise<void>;
  onDocument?(doc: XNode): void;
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

export async function parseCommerceML(input: AsyncIterable<Uint8Array>, opts: ParseOptions): Promise<ParseResult> {
  const batchSize = opts.batchSize ?? 5000;
  const counts: Partial<Record<EntityName, number>> = {};
  let pending: RecordBatch = {};
  let pendingSize = 0;
  let properties = 0;
  let units = 0;
  let documents = 0;
  let badPrices = 0;
  let totalWarehouseSent = false;

  const push = <E extends EntityName>(entity: E, ...recs: MirrorRecords[E][]) => {
    if (!recs.length) return;
    let list = pending[entity] as MirrorRecords[E][] | undefined;
    if (!list) {
      list = [];
      pending[entity] = list as RecordBatch[E];
    }
    for (const r of recs) list.push(r);
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
    onItem(kind, node) {
      switch (kind) {
        case 'group': {
          const groups: MirrorRecords['groups'][] = [];
          mapGroups(node, null, groups);
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
          const r = mapPriceType(node);
          if (r) push('priceTypes', r);
          break;
        }
        case 'warehouse': {
          const r = mapWarehouse(node);
          if (r) push('warehouses', r);
          break;
        }
        case 'product': {
          const r = mapProduct(node, opts.classifier);
          if (r) push('products', r);
          break;
        }
        case 'offer': {
          const m = mapOffer(node, opts.classifier);
          if (!m) break;
          if (m.usesTotalWarehouse && !totalWarehouseSent) {
            push('warehouses', TOTAL_WAREHOUSE);
            totalWarehouseSent = true;
          }
          if (m.offer) push('offers', m.offer);
          push('prices', ...m.prices);
          push('stock', ...m.stock);
          badPrices += m.badPrices;
          break;
        }
        case 'counterparty': {
          const r = mapCounterparty(node);
          if (r) push('counterparties', r);
          break;
        }
        case 'document':
          documents++;
          opts.onDocument?.(node);
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
  const notes: string[] = [];
  if (badPrices) notes.push(`${badPrices} price(s) skipped: ЦенаЗаЕдиницу is not a non-negative number`);
  return { header, version: header.version, counts, properties, units, documents, fullEntities, notes };
}
