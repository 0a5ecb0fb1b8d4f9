// Order documents (`Документ`) as 1C sends them back to the site: its own number, posted /
// paid / shipped flags, status, deletion mark. Requisite names vary between 1C modules, so
// they are read by name from `ЗначенияРеквизитов` as well as from the 2.09+ elements.
import { bool, decimal, lenientDate } from './values.ts';
import { all, textAt, type XNode } from './xml-node.ts';

export interface OrderDocument {
  /** `Ид` — the site's order id as it was sent in `query`. */
  externalId?: string;
  number?: string;
  operation?: string;
  number1c?: string;
  date1c?: Date | null;
  deleted: boolean;
  posted?: boolean;
  paid?: boolean;
  shipped?: boolean;
  deliveryAllowed?: boolean;
  cancelled?: boolean;
  final?: boolean;
  /** «Статус заказа» as written, e.g. "[F] Доставлен". */
  statusText?: string;
  /** Status code: «Статуса заказа ИД», or the letter in "[F] …". */
  statusCode?: string;
  paymentNumber?: string;
  shipmentNumber?: string;
  sum?: string | null;
  lines: number;
  requisites: Record<string, string>;
}

export function mapDocument(n: XNode): OrderDocument {
  const req: Record<string, string> = {};
  for (const r of all(n, 'ЗначенияРеквизитов/ЗначениеРеквизита')) {
    const name = textAt(r, 'Наименование');
    if (name) req[name] = textAt(r, 'Значение') ?? '';
  }
  const statusText = req['Статус заказа'] || undefined;
  const code = req['Статуса заказа ИД'] || req['Статус заказа ИД'] || /^\[(\w+)\]/.exec(statusText ?? '')?.[1];
  const shipmentNumber = req['Номер отгрузки по 1С'] || undefined;
  return {
    externalId: textAt(n, 'Ид'),
    number: textAt(n, 'Номер'),
    operation: textAt(n, 'ХозОперация'),
    number1c: textAt(n, 'Номер1С') ?? (req['Номер по 1С'] || undefined),
    date1c: lenientDate(textAt(n, 'Дата1С') ?? req['Дата по 1С']),
    deleted: bool(textAt(n, 'ПометкаУдаления')) === true || bool(req['ПометкаУдаления']) === true,
    posted: bool(req['Проведен']),
    paid: bool(req['Заказ оплачен']) ?? (req['Номер оплаты по 1С'] ? true : undefined),
    shipped: bool(req['Отгружен']) ?? (shipmentNumber ? true : undefined),
    deliveryAllowed: bool(req['Доставка разрешена']),
    cancelled: bool(req['Отменен']),
    final: bool(req['Финальный статус']),
    statusText,
    statusCode: code || undefined,
    paymentNumber: req['Номер оплаты по 1С'] || req['Номер платежного документа'] || undefined,
    shipmentNumber,
    sum: decimal(textAt(n, 'Сумма')),
    lines: all(n, 'Товары/Товар').length,
    requisites: req,
  };
}
