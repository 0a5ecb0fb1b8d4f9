// Maps one order-status item with the mapping's `orders.statuses.fields` (same paths and
// modifiers as entity fields; every value is text), and its status text to the store's code
// with `orders.statuses.codes` (exact text after the modifiers; no entry → code null, the text
// is kept and reported by the applier, never dropped).
import { MappingDataError } from './errors.ts';
import { valueAt } from './mapper.ts';
import type { FieldSpec } from './mapping-schema.ts';
import { applyModifier, ModifierError, type Value } from './modifiers.ts';
import type { XmlValue } from './xml-tree.ts';
import type { OrderStatusCode } from '../../src/mirror/order-status.ts';

export interface StatusRecord {
  /** The store's order number, as the system echoes it back. */
  orderNumber: string;
  externalId: string | null;
  externalNumber: string | null;
  /** The system's own status text. */
  status: string;
  /** The store's code for it; null when `codes` has no entry for the text. */
  code: OrderStatusCode | null;
  note: string;
  at: string | null;
}

export interface EntityMapperLike {
  fields: Record<string, FieldSpec>;
  path: string;
  /** Status text → code (`orders.statuses.codes`). */
  codes?: Record<string, OrderStatusCode>;
}

export function mapStatus(m: EntityMapperLike, item: XmlValue, index: number, where: string): StatusRecord {
  const out: Record<string, string | null> = { orderNumber: null, externalId: null, externalNumber: null, status: null, note: '', at: null };
  for (const [name, f] of Object.entries(m.fields)) {
    let v: Value = typeof f === 'string' ? (valueAt(item, f) as Value) : f.from ? (valueAt(item, f.from) as Value) : f.value;
    try {
      if (typeof f === 'object') for (const mod of f.modifiers ?? []) v = applyModifier(mod, v);
    } catch (err) {
      if (err instanceof ModifierError) throw new MappingDataError(`${m.path}.fields.${name}: ${err.message} (item ${index + 1} of ${where})`);
      throw err;
    }
    if (v !== null && v !== undefined && typeof v === 'object') throw new MappingDataError(`${m.path}.fields.${name}: expected text, got a structure (item ${index + 1} of ${where})`);
    out[name] = v === null || v === undefined ? (name === 'note' ? '' : null) : String(v);
  }
  for (const need of ['orderNumber', 'status'] as const) {
    if (!out[need]) throw new MappingDataError(`${m.path}.fields.${need}: is required but the answer has no value (item ${index + 1} of ${where})`);
  }
  const status = out.status!;
  return {
    orderNumber: out.orderNumber!, externalId: out.externalId ?? null, externalNumber: out.externalNumber ?? null,
    status, code: Object.hasOwn(m.codes ?? {}, status) ? m.codes![status]! : null, note: out.note ?? '', at: out.at ?? null,
  };
}
