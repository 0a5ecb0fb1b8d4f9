// Exporter: the store's orders to the accounting system, and order statuses back. The order is
// a plain object the job reads from the store's tables; the mapping says which SOAP element
// carries which field. CreateOrder must be idempotent by the idempotency key on the system side.
import type { SoapAdapter, SoapArgs } from './adapter.ts';
import { MappingDataError } from './errors.ts';
import { type EntityMapperLike, mapStatus, type StatusRecord } from './status-mapper.ts';
import { itemsAt, valueAt } from './mapper.ts';
import type { Mapping } from './mapping-schema.ts';
import type { ExportOrderLine } from '../../src/mirror/order-export.ts';

export type { StatusRecord } from './status-mapper.ts';

/** A line as the one read model gives it (src/mirror/order-export.ts); SOAP sends no product id. */
export type OrderLineForExport = Omit<ExportOrderLine, 'productExternalId'>;

export interface OrderForExport {
  idempotencyKey: string;
  orderId: number;
  number: string;
  counterpartyExternalId: string;
  contractExternalId: string | null;
  comment: string;
  total: string;
  currency: string;
  createdAt: string;
  lines: OrderLineForExport[];
}

/** Sets a value at a dotted path inside an args object ("Lines.Line" → { Lines: { Line: … } }). */
export function setPath(target: SoapArgs, path: string, value: SoapArgs[string]): void {
  const keys = path.split('.');
  let o = target;
  for (const k of keys.slice(0, -1)) {
    o[k] ??= {};
    o = o[k] as SoapArgs;
  }
  o[keys.at(-1)!] = value;
}

export function orderArgs(mapping: Mapping, order: OrderForExport): SoapArgs {
  const c = mapping.orders?.create;
  if (!c) throw new MappingDataError('the mapping has no "orders.create" section: orders cannot be sent to this system');
  const root: SoapArgs = {};
  for (const [el, field] of Object.entries(c.fields)) setPath(root, el, order[field as keyof OrderForExport] as string | null);
  const lines = order.lines.map((l) => {
    const o: SoapArgs = {};
    for (const [el, field] of Object.entries(c.lines.fields)) setPath(o, el, l[field as keyof OrderLineForExport]);
    return o;
  });
  setPath(root, c.lines.path, lines);
  return { [c.root]: root };
}

export async function exportOrder(adapter: SoapAdapter, mapping: Mapping, order: OrderForExport): Promise<{ externalId: string; externalNumber: string | null }> {
  const c = mapping.orders?.create;
  if (!c) throw new MappingDataError('the mapping has no "orders.create" section: orders cannot be sent to this system');
  const answer = await adapter.call(c.operation, orderArgs(mapping, order));
  const id = valueAt(answer, c.result.externalId);
  if (typeof id !== 'string' || !id) throw new MappingDataError(`orders.create.result.externalId: the answer to ${c.operation} has no value at "${c.result.externalId}"`);
  const num = c.result.externalNumber ? valueAt(answer, c.result.externalNumber) : undefined;
  return { externalId: id, externalNumber: typeof num === 'string' && num ? num : null };
}

/** Order statuses after `since`; the caller stores `next` with what it applied. */
export async function pullStatuses(adapter: SoapAdapter, mapping: Mapping, since: string | null): Promise<{ statuses: StatusRecord[]; next: string }> {
  const s = mapping.orders?.statuses;
  if (!s) throw new MappingDataError('the mapping has no "orders.statuses" section');
  const answer = await adapter.call(s.operation, { ...(s.args ?? {}), [s.cursorArg]: since ?? '' });
  const next = valueAt(answer, s.nextCursor);
  if (next === undefined || typeof next === 'object') throw new MappingDataError(`orders.statuses.nextCursor: the answer has no value at "${s.nextCursor}"`);
  const items = itemsAt(answer, s.result);
  const mapper: EntityMapperLike = { fields: s.fields, path: 'orders.statuses', codes: s.codes };
  return { statuses: items.map((it, i) => mapStatus(mapper, it, i, `${s.operation} from cursor "${since ?? ''}"`)), next: String(next) };
}
