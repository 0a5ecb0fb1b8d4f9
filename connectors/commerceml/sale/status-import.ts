// Order changes sent by 1C (sale `file`/`import`, or documents inside a catalog package): its
// own number, posted / paid / shipped flags, status, deletion. Each document becomes one report
// for the store's status applier (src/mirror/order-status.ts), which updates the order and adds
// a line to the status history the buyer sees when something changed. One transaction per
// file: a broken file changes no order.
import type { Db } from '../../../src/infra/db/knex.ts';
import { type AccountingStatus, applyAccountingStatuses, type OrderStatusCode } from '../../../src/mirror/order-status.ts';
import type { OrderDocument } from '../parse/documents.ts';

export interface StatusImportResult {
  matched: number;
  updated: number;
  /** Document ids that match no order of this source. */
  unknown: string[];
  /** Documents that are not orders (payments, shipments). */
  skipped: number;
  /** Status texts 1C sent that no flag or status letter explains (stored with the text). */
  unmapped: { order: string; text: string }[];
}

/**
 * The canonical code, 1C's own status text and a note for the buyer, from one document. The
 * flags decide the code; 1C's status words are kept as the text. A status text without any flag
 * or status letter has no code of its own (null: the applier's rule for unmapped texts applies);
 * a document without any status says nothing about it (undefined).
 */
export function statusFromDocument(d: OrderDocument): { code?: OrderStatusCode | null; text: string; note: string } {
  const notes: string[] = [];
  if (d.number1c) notes.push(`№ в 1С ${d.number1c}`);
  if (d.paid) notes.push(d.paymentNumber ? `оплачен (${d.paymentNumber})` : 'оплачен');
  if (d.shipped) notes.push(d.shipmentNumber ? `отгружен (${d.shipmentNumber})` : 'отгружен');
  if (d.deleted) notes.push('помечен на удаление в 1С');
  let code: OrderStatusCode | null | undefined;
  if (d.deleted || d.cancelled) code = 'cancelled';
  else if (d.final || d.statusCode === 'F') code = 'completed';
  else if (d.shipped) code = 'shipped';
  else if (d.paid) code = 'paid';
  else if (d.posted || d.number1c || d.statusCode) code = 'confirmed';
  else if (d.statusText) code = null;
  return { code, text: d.statusText ?? '', note: notes.join('; ') };
}

export async function applyOrderDocuments(db: Db, sourceId: number, docs: OrderDocument[]): Promise<StatusImportResult> {
  let skipped = 0;
  const reports: AccountingStatus[] = [];
  for (const d of docs) {
    // CML 3.x sends payments and shipments as documents of their own: only orders are matched.
    if (d.operation && d.operation.toLowerCase() !== 'заказ товара') {
      skipped++;
      continue;
    }
    const { code, text, note } = statusFromDocument(d);
    reports.push({ keys: [d.externalId, d.number].filter((x): x is string => Boolean(x)), code, text, note, externalNumber: d.number1c ?? null });
  }
  const r = await db.transaction((trx) => applyAccountingStatuses(trx, sourceId, reports));
  return { matched: r.matched, updated: r.updated, unknown: r.unknownOrders, skipped, unmapped: r.unmapped };
}

/** Report lines (1C's exchange log, the session summary) for status texts stored without a code of their own. */
export function unmappedLines(unmapped: { order: string; text: string }[]): string[] {
  if (!unmapped.length) return [];
  const texts = [...new Set(unmapped.map((u) => u.text))];
  return [`warning: ${unmapped.length} order(s) got a status text with no status flag or letter, kept as the text: ${texts.slice(0, 5).map((t) => `"${t}"`).join(', ')}`];
}
