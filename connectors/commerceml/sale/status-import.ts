// Order changes sent by 1C (sale `file`/`import`, or documents inside a catalog package): its
// own number, posted / paid / shipped flags, status, deletion. Each order document becomes one
// report for the store's status applier (src/mirror/order-status.ts), which updates the order and
// adds a line to the status history the buyer sees when something changed. Payments and
// shipments — 3.x documents of their own (`Основание` or their `Контейнер` names the order) and
// 2.x order requisites («Номер оплаты по 1С», «Номер отгрузки по 1С», a paid amount) — go to
// the settlement applier (src/mirror/order-settlements.ts) first, so the order's status is never
// set below what they establish. One transaction per file: a broken file changes no order.
// Invoices and shipments are also mirrored as the counterparty's documents (./document-mirror.ts),
// before the orders' transaction (a file whose documents fail changes no order either).
import { applySettlements, type PaymentReport, type ShipmentReport } from '../../../src/mirror/order-settlements.ts';
import { type AccountingStatus, applyAccountingStatuses, type OrderStatusCode } from '../../../src/mirror/order-status.ts';
import type { SyncDeps } from '../../../src/sync/index.ts';
import type { OrderDocument } from '../parse/documents.ts';
import { type DocumentMirrorResult, documentMirrorLines, mirrorDocuments } from './document-mirror.ts';

export interface StatusImportResult {
  matched: number;
  updated: number;
  /** Document ids that match no order of this source. */
  unknown: string[];
  /** Documents that are neither orders, payments nor shipments, by ХозОперация. */
  skipped: number;
  skippedOperations: Record<string, number>;
  /** Payment and shipment documents read, and how many of them were new or changed. */
  payments: number;
  shipments: number;
  settlementsChanged: number;
  /** Why payment / shipment documents (or their lines) were not taken. */
  settlementWarnings: string[];
  /** Status texts 1C sent that no flag or status letter explains (stored with the text). */
  unmapped: { order: string; text: string }[];
  /** Invoices and shipments mirrored as documents (none in the file: undefined). */
  documents?: DocumentMirrorResult;
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

const iso = (d: Date | null | undefined) => (d ? d.toISOString() : null);
const keysOf = (d: OrderDocument) => [d.externalId, d.number].filter((x): x is string => Boolean(x));

/** A payment or shipment document → the keys of its order: `Основание`, else its container's order. */
function orderKeys(d: OrderDocument, containerOrders: Map<number, string[]>): string[] {
  const keys = d.base ? [d.base] : [];
  if (d.container !== undefined) keys.push(...(containerOrders.get(d.container) ?? []));
  return keys;
}

/** The settlements a file states: 3.x payment / shipment documents and 2.x order requisites. */
export function settlementsFromDocuments(docs: OrderDocument[]): { payments: PaymentReport[]; shipments: ShipmentReport[]; warnings: string[] } {
  const containerOrders = new Map<number, string[]>();
  for (const d of docs) if (d.kind === 'order' && d.container !== undefined) containerOrders.set(d.container, keysOf(d));
  const payments: PaymentReport[] = [];
  const shipments: ShipmentReport[] = [];
  const noId: string[] = [];
  const noSum: string[] = [];
  const noOrder: string[] = [];
  let noQty = 0;
  for (const d of docs) {
    const name = d.number ?? d.externalId ?? '?';
    if (d.kind === 'order') {
      if (d.deleted) continue;
      if (d.paymentNumber || d.paymentDate || (d.paidAmount !== undefined && d.paidAmount !== null)) {
        const hasAmount = d.paidAmount !== undefined && d.paidAmount !== null;
        payments.push({
          orderKeys: keysOf(d), externalId: 'order-requisites', kind: 'Реквизиты заказа', number: d.paymentNumber ?? null,
          paidAt: iso(d.paymentDate), amount: hasAmount ? d.paidAmount! : null, state: hasAmount || d.paid !== false ? 'paid' : 'pending', fromRequisites: true,
        });
      }
      if (d.shipmentNumber || d.shipmentDate) {
        shipments.push({
          orderKeys: keysOf(d), externalId: 'order-requisites', number: d.shipmentNumber ?? null, shippedAt: iso(d.shipmentDate),
          state: d.shipped === false ? 'pending' : 'shipped', tracking: d.tracking ?? null, lines: [], wholeOrder: true, fromRequisites: true,
        });
      }
      continue;
    }
    if (d.kind !== 'payment' && d.kind !== 'shipment') continue;
    const id = d.externalId ?? d.number1c ?? d.number;
    const keys = orderKeys(d, containerOrders);
    if (!id || id.length > 500) {
      noId.push(d.operation ?? '?');
      continue;
    }
    if (!keys.length) {
      noOrder.push(name);
      continue;
    }
    const off = d.deleted || d.cancelled || d.returned;
    if (d.kind === 'payment') {
      if (d.sum === null || d.sum === undefined) {
        noSum.push(name);
        continue;
      }
      payments.push({
        orderKeys: keys, externalId: id, kind: d.operation ?? '', number: d.paymentNumber ?? d.number1c ?? d.number ?? null,
        paidAt: iso(d.paymentDate ?? d.date1c ?? d.date), amount: d.sum, state: off ? 'cancelled' : d.paid === false || d.posted === false ? 'pending' : 'paid',
      });
    } else {
      const lines = d.items.filter((i) => i.quantity !== null && !i.quantity.startsWith('-'));
      noQty += d.items.length - lines.length;
      shipments.push({
        orderKeys: keys, externalId: id, number: d.shipmentNumber ?? d.number1c ?? d.number ?? null, shippedAt: iso(d.shipmentDate ?? d.date1c ?? d.date),
        amount: d.sum ?? null, state: off ? 'cancelled' : d.shipped === false || (d.shipped === undefined && d.posted === false) ? 'pending' : 'shipped',
        tracking: d.tracking ?? null, lines: lines.map((l) => ({ offerExternalId: l.id, name: l.name, quantity: l.quantity! })), wholeOrder: !d.items.length,
      });
    }
  }
  const warnings: string[] = [];
  const eg = (xs: string[]) => xs.slice(0, 5).join(', ');
  if (noId.length) warnings.push(`warning: ${noId.length} payment/shipment document(s) skipped: no Ид, Номер1С or Номер (or one longer than 500 characters) (${eg(noId)})`);
  if (noOrder.length) warnings.push(`warning: ${noOrder.length} payment/shipment document(s) skipped: neither Основание nor an order in their Контейнер names the order (${eg(noOrder)})`);
  if (noSum.length) warnings.push(`warning: ${noSum.length} payment document(s) skipped: Сумма missing or not a number (${eg(noSum)})`);
  if (noQty) warnings.push(`warning: ${noQty} shipment line(s) skipped: Количество missing, not a number or negative`);
  return { payments, shipments, warnings };
}

export async function applyOrderDocuments(deps: SyncDeps, sourceId: number, docs: OrderDocument[]): Promise<StatusImportResult> {
  const db = deps.db;
  const documents = await mirrorDocuments(deps, sourceId, docs);
  const skippedOperations: Record<string, number> = {};
  const reports: AccountingStatus[] = [];
  for (const d of docs) {
    if (d.kind === 'other') {
      const op = d.operation ?? '';
      skippedOperations[op] = (skippedOperations[op] ?? 0) + 1;
      continue;
    }
    if (d.kind !== 'order') continue;
    const { code, text, note } = statusFromDocument(d);
    reports.push({ keys: keysOf(d), code, text, note, externalNumber: d.number1c ?? null });
  }
  const { payments, shipments, warnings } = settlementsFromDocuments(docs);
  const { r, s } = await db.transaction(async (trx) => {
    const s = await applySettlements(trx, sourceId, payments, shipments);
    const r = await applyAccountingStatuses(trx, sourceId, reports);
    return { r, s };
  });
  const settlementWarnings = [...warnings];
  const unknownSettlement = [...new Set(s.unknownOrders)];
  if (unknownSettlement.length) settlementWarnings.push(`warning: ${unknownSettlement.length} payment/shipment document(s) name an order this source does not have: ${unknownSettlement.slice(0, 10).join(', ')}`);
  if (s.unmatchedLines.length) {
    settlementWarnings.push(`warning: ${s.unmatchedLines.length} shipment line(s) name an offer that is on no line of the order, kept by name, not counted as shipped (e.g. ${s.unmatchedLines.slice(0, 3).map((u) => `${u.order}: ${u.line}`).join(', ')})`);
  }
  const docPayments = payments.filter((p) => !p.fromRequisites).length;
  const docShipments = shipments.filter((p) => !p.fromRequisites).length;
  return {
    matched: r.matched, updated: r.updated, unknown: r.unknownOrders, unmapped: r.unmapped,
    skipped: Object.values(skippedOperations).reduce((a, n) => a + n, 0), skippedOperations,
    payments: docPayments, shipments: docShipments, settlementsChanged: s.changed, settlementWarnings, documents,
  };
}

/** Report lines for payments / shipments and for documents that are none of the three. */
export function settlementLines(r: StatusImportResult): string[] {
  const lines: string[] = [];
  if (r.payments || r.shipments || r.settlementsChanged) lines.push(`payments ${r.payments}, shipments ${r.shipments} read; ${r.settlementsChanged} payment(s)/shipment(s) new or changed`);
  lines.push(...r.settlementWarnings, ...documentMirrorLines(r.documents));
  for (const [op, n] of Object.entries(r.skippedOperations)) {
    lines.push(`warning: ${n} document(s) not read: ХозОперация «${op}» is neither an order, a payment, a shipment nor an invoice`);
  }
  return lines;
}

/** Report lines (1C's exchange log, the session summary) for status texts stored without a code of their own. */
export function unmappedLines(unmapped: { order: string; text: string }[]): string[] {
  if (!unmapped.length) return [];
  const texts = [...new Set(unmapped.map((u) => u.text))];
  return [`warning: ${unmapped.length} order(s) got a status text with no status flag or letter, kept as the text: ${texts.slice(0, 5).map((t) => `"${t}"`).join(', ')}`];
}
