// `type=sale&mode=query`: the orders 1C has not taken yet, as a CommerceML document. Orders
// move pending → querying here and → exported only at `success`, so a query 1C did not
// confirm is sent again next time.
import type { Db } from '../../../src/infra/db/knex.ts';
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

interface OrderRow {
  id: number;
  number: string;
  status: string;
  currency: string;
  total: string;
  comment: string;
  created_at: Date;
  updated_at: Date;
  cp_external_id: string;
  cp_name: string;
  cp_full_name: string | null;
  cp_inn: string | null;
  cp_kpp: string | null;
}
interface LineRow {
  order_id: number;
  line_no: number;
  offer_external_id: string;
  warehouse_external_id: string | null;
  sku: string | null;
  name: string;
  unit: string | null;
  quantity: string;
  price: string;
  amount: string;
}

const isoDate = (d: Date) => d.toISOString().slice(0, 10);
const isoTime = (d: Date) => d.toISOString().slice(11, 19);

function documentXml(o: OrderRow, lines: LineRow[]): string {
  const goods = lines
    .map(
      (l) =>
        `<Товар>${el('Ид', l.offer_external_id)}${el('Артикул', l.sku)}${el('Наименование', l.name)}` +
        `<БазоваяЕдиница Код="796" НаименованиеПолное="Штука" МеждународноеСокращение="PCE">${esc(l.unit ?? 'шт')}</БазоваяЕдиница>` +
        `${el('ЦенаЗаЕдиницу', l.price)}${el('Количество', l.quantity)}${el('Сумма', l.amount)}` +
        (l.warehouse_external_id ? `<Склады><Склад>${el('Ид', l.warehouse_external_id)}</Склад></Склады>` : '') +
        `<ЗначенияРеквизитов>${req('ВидНоменклатуры', 'Товар')}${req('ТипНоменклатуры', 'Товар')}</ЗначенияРеквизитов></Товар>`,
    )
    .join('');
  return (
    `<Документ>${el('Ид', o.number)}${el('Номер', o.number)}${el('Дата', isoDate(o.created_at))}${el('Время', isoTime(o.created_at))}` +
    `${el('ХозОперация', 'Заказ товара')}${el('Роль', 'Продавец')}${el('Валюта', o.currency)}${el('Курс', '1')}${el('Сумма', o.total)}` +
    `<Контрагенты><Контрагент>${el('Ид', o.cp_external_id)}${el('Наименование', o.cp_name)}${el('ПолноеНаименование', o.cp_full_name ?? o.cp_name)}` +
    `${el('ИНН', o.cp_inn)}${el('КПП', o.cp_kpp)}${el('Роль', 'Покупатель')}</Контрагент></Контрагенты>` +
    `${el('Комментарий', o.comment)}<Товары>${goods}</Товары>` +
    `<ЗначенияРеквизитов>${req('Статус заказа', o.status)}${req('Дата изменения статуса', `${isoDate(o.updated_at)} ${isoTime(o.updated_at)}`)}` +
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
  const orders: OrderRow[] = await db('orders as o')
    .join('counterparties as c', 'c.id', 'o.counterparty_id')
    .where('o.source_id', sourceId)
    .whereIn('o.export_state', ['pending', 'querying'])
    .orderBy('o.id')
    .limit(QUERY_BATCH)
    .select(
      'o.id', 'o.number', 'o.status', 'o.currency', 'o.total', 'o.comment', 'o.created_at', 'o.updated_at',
      'c.external_id as cp_external_id', 'c.name as cp_name', 'c.full_name as cp_full_name', 'c.inn as cp_inn', 'c.kpp as cp_kpp',
    );
  const ids = orders.map((o) => o.id);
  const lines: LineRow[] = ids.length
    ? await db('order_lines as l')
        .join('offers as f', 'f.id', 'l.offer_id')
        .leftJoin('warehouses as w', 'w.id', 'l.warehouse_id')
        .whereIn('l.order_id', ids)
        .orderBy(['l.order_id', 'l.line_no'])
        .select('l.order_id', 'l.line_no', 'f.external_id as offer_external_id', 'w.external_id as warehouse_external_id', 'l.sku', 'l.name', 'l.unit', 'l.quantity', 'l.price', 'l.amount')
    : [];
  const byOrder = new Map<number, LineRow[]>();
  for (const l of lines) byOrder.set(l.order_id, [...(byOrder.get(l.order_id) ?? []), l]);
  if (ids.length) await db('orders').whereIn('id', ids).whereIn('export_state', ['pending', 'querying']).update({ export_state: 'querying' });

  const v3 = (opts.version ?? '').startsWith('3');
  const now = opts.now ?? new Date();
  const docs = orders.map((o) => documentXml(o, byOrder.get(o.id) ?? [])).map((d) => (v3 ? `<Контейнер>${d}</Контейнер>` : d));
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
