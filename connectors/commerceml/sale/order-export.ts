// `type=sale&mode=query`: the orders 1C has not taken yet, as a CommerceML document. Orders
// move pending → querying here and → exported only at `success`, so a query 1C did not
// confirm is sent again next time.
import type { Db } from '../../../src/infra/db/knex.ts';
import { type ExportOrder, loadOrdersForExport } from '../../../src/mirror/order-export.ts';
import { encodeCp1251 } from './cp1251.ts';

/** Most orders in one answer; the rest follow in the next exchange. */
export const QUERY_BATCH = 500;

// XML 1.0 forbids these characters, so they are dropped.
// biome-ignore lint/complexity/useRegexLiterals: a literal would trip the control-character rule
const XML_FORBIDDEN = new RegExp('[\\u0000-\\u0008\\u000b\\u000c\\u000e-\\u001f]', 'g');
const esc = (s: unknown) =>
  String(s ?? '').replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]!).replace(XML_FORBIDDEN, '');
const el = (name: string, value: unknown) => (value === null || value === undefined || value === '' ? `<${name}/>` : `<${name}>${esc(value)}</${name}>`);
const req = (name: string, value: unknown) => `<ЗначениеРеквизита>${el('Наименование', name)}${el('Значение', value)}</ЗначениеРеквизита>`;

const isoDate = (d: Date) => d.toISOString().slice(0, 10);
const isoTime = (d: Date) => d.toISOString().slice(11, 19);

function documentXml(o: ExportOrder): string {
  const goods = o.lines
    .map(
      (l) =>
        `<Товар>${el('Ид', l.offerExternalId)}${el('Артикул', l.sku)}${el('Наименование', l.name)}` +
        `<БазоваяЕдиница Код="796" НаименованиеПолное="Штука" МеждународноеСокращение="PCE">${esc(l.unit ?? 'шт')}</БазоваяЕдиница>` +
        `${el('ЦенаЗаЕдиницу', l.price)}${el('Количество', l.quantity)}${el('Сумма', l.amount)}` +
        (l.warehouseExternalId ? `<Склады><Склад>${el('Ид', l.warehouseExternalId)}</Склад></Склады>` : '') +
        `<ЗначенияРеквизитов>${req('ВидНоменклатуры', 'Товар')}${req('ТипНоменклатуры', 'Товар')}</ЗначенияРеквизитов></Товар>`,
    )
    .join('');
  const cp = o.counterparty;
  return (
    `<Документ>${el('Ид', o.number)}${el('Номер', o.number)}${el('Дата', isoDate(o.createdAt))}${el('Время', isoTime(o.createdAt))}` +
    `${el('ХозОперация', 'Заказ товара')}${el('Роль', 'Продавец')}${el('Валюта', o.currency)}${el('Курс', '1')}${el('Сумма', o.total)}` +
    `<Контрагенты><Контрагент>${el('Ид', cp.externalId)}${el('Наименование', cp.name)}${el('ПолноеНаименование', cp.fullName ?? cp.name)}` +
    `${el('ИНН', cp.inn)}${el('КПП', cp.kpp)}${el('Роль', 'Покупатель')}</Контрагент></Контрагенты>` +
    `${el('Комментарий', o.comment)}<Товары>${goods}</Товары>` +
    `<ЗначенияРеквизитов>${req('Статус заказа', o.status)}${req('Дата изменения статуса', `${isoDate(o.updatedAt)} ${isoTime(o.updatedAt)}`)}` +
    `${req('Отменен', o.status === 'cancelled' ? 'true' : 'false')}${req('Заказ оплачен', 'false')}</ЗначенияРеквизитов></Документ>`
  );
}

export interface QueryAnswer {
  body: Buffer;
  contentType: string;
  orderIds: number[];
}

export async function buildOrdersQuery(
  db: Db,
  sourceId: number,
  opts: { encoding: 'utf-8-bom' | 'windows-1251'; version?: string | null; now?: Date },
): Promise<QueryAnswer> {
  const pending: { id: number }[] = await db('orders')
    .where({ source_id: sourceId })
    .whereIn('export_state', ['pending', 'querying'])
    .orderBy('id')
    .limit(QUERY_BATCH)
    .select('id');
  const orders = await loadOrdersForExport(db, pending.map((o) => Number(o.id)));
  const ids = orders.map((o) => o.orderId);
  if (ids.length) await db('orders').whereIn('id', ids).whereIn('export_state', ['pending', 'querying']).update({ export_state: 'querying' });

  const v3 = (opts.version ?? '').startsWith('3');
  const now = opts.now ?? new Date();
  const docs = orders.map((o) => documentXml(o)).map((d) => (v3 ? `<Контейнер>${d}</Контейнер>` : d));
  const cp1251 = opts.encoding === 'windows-1251';
  const xml =
    `<?xml version="1.0" encoding="${cp1251 ? 'windows-1251' : 'UTF-8'}"?>\n` +
    `<КоммерческаяИнформация ВерсияСхемы="${v3 ? '3.1' : '2.05'}" ДатаФормирования="${isoDate(now)}T${isoTime(now)}" ` +
    `ФорматДаты="ДФ=yyyy-MM-dd; ДЛФ=DT" ФорматВремени="ДФ=ЧЧ:мм:сс; ДЛФ=T" РазделительДатаВремя="T" ` +
    `ФорматСуммы="ЧЦ=18; ЧДЦ=2; ЧРД=." ФорматКоличества="ЧЦ=18; ЧДЦ=3; ЧРД=.">\n${docs.join('\n')}\n</КоммерческаяИнформация>\n`;
  return {
    body: cp1251 ? encodeCp1251(xml) : Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(xml, 'utf8')]),
    contentType: `application/xml; charset=${cp1251 ? 'windows-1251' : 'utf-8'}`,
    orderIds: ids,
  };
}

/**
 * `success` after a query: only now are the queried orders exported, and their 'order.create'
 * outbox rows delivered, in one transaction. The row is kept rather than not written for a
 * CommerceML source: the outbox stays the one record of what reached each accounting system
 * (and when), whichever connector delivered it, and the purge treats both kinds alike.
 */
export async function confirmQueried(db: Db, orderIds: number[]): Promise<number> {
  if (!orderIds.length) return 0;
  return db.transaction(async (trx) => {
    const confirmed: { id: number }[] = await trx('orders')
      .whereIn('id', orderIds)
      .where({ export_state: 'querying' })
      .update({ export_state: 'exported', exported_at: trx.fn.now() })
      .returning('id');
    if (confirmed.length) {
      await trx('outbox')
        .where({ kind: 'order.create', state: 'pending' })
        .whereRaw("payload->>'orderId' = ANY(?::text[])", [confirmed.map((o) => String(o.id))])
        .update({ state: 'delivered', delivered_at: trx.fn.now(), attempts: trx.raw('attempts + 1'), last_error: null });
    }
    return confirmed.length;
  });
}
