// Invoices and shipment documents 1C sends (CommerceML `Документ` with ХозОперация «Счет на
// оплату», «Отпуск товара» / «Реализация товаров», in 2.x files or 3.x `Контейнер`s) are
// counterparty documents: they are mirrored (`documents`, through ONE sync run of the file) like
// the SOAP connector's, and linked to the store's order they name (`Основание`, else the order
// document of the same `Контейнер`) by the mirror's linker. The buyer is the document's
// `Контрагент` when the mirror knows it, else the named order's counterparty.
import type { Db } from '../../../src/infra/db/knex.ts';
import { type DocumentOrderLink, linkDocumentOrders, orderCounterparties } from '../../../src/mirror/document-orders.ts';
import type { DocumentLine, DocumentRecord } from '../../../src/mirror/records.ts';
import { openSyncRun, type SyncDeps } from '../../../src/sync/index.ts';
import type { OrderDocument } from '../parse/documents.ts';

export interface DocumentMirrorResult {
  /** Invoice and shipment documents read, and how many the mirror took (new, changed or unchanged). */
  read: number;
  applied: number;
  linked: number;
  warnings: string[];
}

const ymd = (d: Date | null | undefined) => (d ? d.toISOString().slice(0, 10) : null);

/** The document's status in words, from its flags (what the buyer sees in the list). */
function statusOf(d: OrderDocument): string | null {
  if (d.kind === 'invoice') {
    if (d.paid === true) return 'Оплачен';
    if (d.paid === false) return 'Не оплачен';
  } else if (d.shipped === true) return 'Отгружен';
  if (d.posted === true) return 'Проведён';
  if (d.posted === false) return 'Не проведён';
  return null;
}

/** The order keys a document names: `Основание`, else the order of its `Контейнер`. */
function orderKeysOf(d: OrderDocument, containerOrders: Map<number, string[]>): string[] {
  if (d.base) return [d.base];
  return d.container !== undefined ? (containerOrders.get(d.container) ?? []) : [];
}

/** Mirrors the file's invoice and shipment documents; nothing to do (no run opened) when it has none. */
export async function mirrorDocuments(deps: SyncDeps & { db: Db }, sourceId: number, docs: OrderDocument[]): Promise<DocumentMirrorResult | undefined> {
  const mine = docs.filter((d) => d.kind === 'invoice' || d.kind === 'shipment');
  if (!mine.length) return undefined;
  const containerOrders = new Map<number, string[]>();
  for (const d of docs) {
    if (d.kind === 'order' && d.container !== undefined) containerOrders.set(d.container, [d.externalId, d.number].filter((x): x is string => Boolean(x)));
  }
  const keys = mine.map((d) => orderKeysOf(d, containerOrders));
  const fromOrders = await orderCounterparties(deps.db, sourceId, keys);
  const named = [...new Set(mine.map((d) => d.counterpartyId).filter((x): x is string => Boolean(x)))];
  const known = new Set(
    named.length
      ? (await deps.db('counterparties').where({ source_id: sourceId }).whereIn('external_id', named).select('external_id')).map((r) => r.external_id as string)
      : [],
  );
  const records: DocumentRecord[] = [];
  const links: DocumentOrderLink[] = [];
  const noId: string[] = [];
  const noSum: string[] = [];
  const noBuyer: string[] = [];
  let noLineSum = 0;
  for (const [i, d] of mine.entries()) {
    const number = d.number1c ?? d.number;
    const name = number ?? d.externalId ?? '?';
    const kind = d.kind as 'invoice' | 'shipment';
    const externalId = d.externalId ?? (number ? `${kind}:${number}` : undefined);
    const date = ymd(d.date1c ?? d.date);
    if (!externalId || !number || !date || externalId.length > 500) {
      noId.push(d.operation ?? name);
      continue;
    }
    if (d.sum === null || d.sum === undefined) {
      noSum.push(name);
      continue;
    }
    const counterparty = d.counterpartyId && known.has(d.counterpartyId) ? d.counterpartyId : fromOrders[i];
    if (!counterparty) {
      noBuyer.push(name);
      continue;
    }
    const lines: DocumentLine[] = [];
    for (const [n, it] of d.items.entries()) {
      if (!it.amount || !it.name.trim()) {
        noLineSum++;
        continue;
      }
      lines.push({
        lineNo: n + 1, name: it.name, sku: it.sku ?? null, unit: it.unit ?? null, quantity: it.quantity, price: it.price ?? null, amount: it.amount,
        vatRate: it.vatRate ?? null, vatAmount: it.vatAmount ?? null,
      });
    }
    records.push({
      externalId, counterpartyExternalId: counterparty, kind, number, date, amount: d.sum, vatAmount: d.vatAmount ?? null,
      currency: d.currency ?? null, status: statusOf(d), lines, deleted: d.deleted,
    });
    if (keys[i]!.length) links.push({ externalId, orderKeys: keys[i]! });
  }
  const eg = (xs: string[]) => xs.slice(0, 5).join(', ');
  // What never reached the sync run: said in the answer and kept in the run's warnings.
  const skips: { message: string; count: number; sample: string[] }[] = [];
  if (noId.length) skips.push({ message: `${noId.length} invoice/shipment document(s) not mirrored: no Ид or Номер, or no Дата (${eg(noId)})`, count: noId.length, sample: noId.slice(0, 5) });
  if (noSum.length) skips.push({ message: `${noSum.length} invoice/shipment document(s) not mirrored: Сумма missing or not a number (${eg(noSum)})`, count: noSum.length, sample: noSum.slice(0, 5) });
  if (noBuyer.length) {
    skips.push({
      message: `${noBuyer.length} invoice/shipment document(s) not mirrored: their Контрагент is not in the mirror and they name no order of this source (${eg(noBuyer)})`,
      count: noBuyer.length,
      sample: noBuyer.slice(0, 5),
    });
  }
  if (noLineSum) skips.push({ message: `${noLineSum} document line(s) left out: no Наименование or Сумма`, count: noLineSum, sample: [] });
  const warnings = skips.map((w) => `warning: ${w.message}`);
  let applied = 0;
  if (records.length) {
    const run = await openSyncRun(deps, { sourceId, kind: 'commerceml documents', mode: 'delta' });
    await run.add('documents', records);
    const res = await run.commit();
    if (skips.length) {
      await deps.db.raw(`UPDATE sync_runs SET warnings = coalesce(warnings, '[]'::jsonb) || ?::jsonb WHERE id = ?`, [
        JSON.stringify(skips.map((w) => ({ entity: 'documents', ...w }))),
        res.runId,
      ]);
    }
    const c = res.counts.documents;
    applied = c ? c.inserted + c.updated + c.unchanged + c.deleted : 0;
    for (const w of res.warnings) warnings.push(`warning: ${w.message}${w.sample.length ? ` (e.g. ${w.sample.slice(0, 3).join(', ')})` : ''}`);
  }
  const link = await linkDocumentOrders(deps.db, sourceId, links);
  if (link.unknown.length) warnings.push(`warning: ${link.unknown.length} invoice/shipment document(s) name an order this source does not have: ${eg(link.unknown)}`);
  return { read: mine.length, applied, linked: link.linked, warnings };
}

/** Report lines for 1C's log. */
export function documentMirrorLines(r: DocumentMirrorResult | undefined): string[] {
  if (!r) return [];
  return [`documents (invoices, shipments) ${r.read} read, ${r.applied} mirrored, ${r.linked} newly linked to an order`, ...r.warnings];
}
