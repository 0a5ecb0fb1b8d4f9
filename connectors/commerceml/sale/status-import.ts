// Order changes sent by 1C (sale `file`/`import`, or documents inside a catalog package): its
// own number, posted / paid / shipped flags, status, deletion. Each document updates the order
// and adds a line to the status history the buyer sees (origin 'accounting') when something
// changed. One transaction per file: a broken file changes no order.
import type { Db } from '../../../src/infra/db/knex.ts';
import type { OrderDocument } from '../parse/documents.ts';

export interface StatusImportResult {
  matched: number;
  updated: number;
  /** Document ids that match no order of this source. */
  unknown: string[];
  /** Documents that are not orders (payments, shipments). */
  skipped: number;
}

/** Store status + a note for the buyer, derived from what 1C reports. */
export function statusFromDocument(d: OrderDocument): { status?: string; note: string } {
  const notes: string[] = [];
  if (d.number1c) notes.push(`№ в 1С ${d.number1c}`);
  if (d.statusText) notes.push(d.statusText);
  if (d.paid) notes.push(d.paymentNumber ? `оплачен (${d.paymentNumber})` : 'оплачен');
  if (d.shipped) notes.push(d.shipmentNumber ? `отгружен (${d.shipmentNumber})` : 'отгружен');
  if (d.deleted) notes.push('помечен на удаление в 1С');
  let status: string | undefined;
  if (d.deleted || d.cancelled) status = 'cancelled';
  else if (d.final || d.statusCode === 'F') status = 'completed';
  else if (d.shipped) status = 'shipped';
  else if (d.paid) status = 'paid';
  else if (d.posted || d.number1c || d.statusCode) status = 'confirmed';
  return { status, note: notes.join('; ') };
}

export async function applyOrderDocuments(db: Db, sourceId: number, docs: OrderDocument[]): Promise<StatusImportResult> {
  const result: StatusImportResult = { matched: 0, updated: 0, unknown: [], skipped: 0 };
  await db.transaction(async (trx) => {
    for (const d of docs) {
      // CML 3.x sends payments and shipments as documents of their own: only orders are matched.
      if (d.operation && d.operation.toLowerCase() !== 'заказ товара') {
        result.skipped++;
        continue;
      }
      const keys = [d.externalId, d.number].filter((x): x is string => Boolean(x));
      if (!keys.length) continue;
      const order = await trx('orders')
        .where({ source_id: sourceId })
        .where((q) => q.whereIn('number', keys).orWhereIn('external_id', keys))
        .forUpdate()
        .first('id', 'status', 'external_number');
      if (!order) {
        result.unknown.push(keys[0]!);
        continue;
      }
      result.matched++;
      const { status, note } = statusFromDocument(d);
      const newStatus = status ?? order.status;
      const last = await trx('order_status_history').where({ order_id: order.id, origin: 'accounting' }).orderBy('id', 'desc').first('status', 'note');
      const changed = newStatus !== order.status || (d.number1c && d.number1c !== order.external_number) || !last || last.status !== newStatus || last.note !== note;
      if (!changed) continue;
      await trx('orders').where({ id: order.id }).update({
        status: newStatus,
        ...(d.number1c ? { external_number: d.number1c } : {}),
        updated_at: trx.fn.now(),
      });
      if (!last || last.status !== newStatus || last.note !== note) {
        await trx('order_status_history').insert({ order_id: order.id, status: newStatus, note, origin: 'accounting' });
      }
      result.updated++;
    }
  });
  return result;
}
