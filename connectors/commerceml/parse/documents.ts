// Order documents (`Документ`) as 1C sends them back to the site: its own number, posted /
// paid / shipped flags, status, deletion mark. Requisite names vary between 1C modules, so
// they are read by name from `ЗначенияРеквизитов` as well as from the 2.09+ elements.
// CommerceML 3.x sends an order's payments and shipments as documents of their own in the
// order's `Контейнер` (ХозОперация «Выплата безналичных денег», «Выплата наличных денег»,
// «Эквайринговая операция»; «Отпуск товара»), each naming its order in `Основание`.
// Invoices («Счет на оплату») and shipments («Отпуск товара», «Реализация товаров») are also
// counterparty documents for the documents mirror: their buyer, currency, VAT and priced lines.
import { bool, currency, decimal, lenientDate } from './values.ts';
import { all, at, textAt, type XNode } from './xml-node.ts';

/** What a document is, by its ХозОперация (none: an order, as 2.x files from 1C often omit it). */
export type DocumentKind = 'order' | 'payment' | 'shipment' | 'invoice' | 'other';

const PAYMENT_OPERATIONS = ['выплата безналичных денег', 'выплата наличных денег', 'эквайринговая операция', 'оплата'];
const SHIPMENT_OPERATIONS = ['отпуск товара', 'отгрузка', 'реализация товаров', 'реализация товаров и услуг'];
const INVOICE_OPERATIONS = ['счет на оплату', 'счет на оплату покупателю', 'счет покупателю'];

export function documentKind(operation: string | undefined): DocumentKind {
  const op = (operation ?? '').trim().toLowerCase().replaceAll('ё', 'е').replace(/\s+/g, ' ');
  if (!op || op === 'заказ товара') return 'order';
  if (PAYMENT_OPERATIONS.includes(op)) return 'payment';
  if (SHIPMENT_OPERATIONS.includes(op)) return 'shipment';
  if (INVOICE_OPERATIONS.includes(op)) return 'invoice';
  return 'other';
}

/** Requisites that carry the amount paid so far (hand-written processors and some UT 10.3 modules). */
const PAID_AMOUNT_REQUISITES = ['Сумма оплаты', 'Сумма оплаты по 1С', 'Оплачено', 'Оплачено по 1С', 'Сумма оплачено'];

/** A line of a document: the offer `Ид` (with `#характеристика`), its name and quantity. */
export interface DocumentItem {
  id?: string;
  name: string;
  quantity: string | null;
  sku?: string;
  /** The unit's short name (`БазоваяЕдиница` text, else its `НаименованиеКраткое`). */
  unit?: string;
  price?: string | null;
  amount?: string | null;
  /** `СтавкиНалогов/СтавкаНалога/Ставка` as a number ("20"); null for «Без НДС». */
  vatRate?: string | null;
  vatAmount?: string | null;
}

export interface OrderDocument {
  kind: DocumentKind;
  /** `Основание`: the order a payment or shipment belongs to (its number or Ид on the site). */
  base?: string;
  /** The `Контейнер` the document came in (3.x), to find its order when `Основание` is missing. */
  container?: number;
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
  /** «Дата оплаты по 1С» (1C writes "T" for none). */
  paymentDate?: Date | null;
  /** The amount paid so far, when a requisite states it. */
  paidAmount?: string | null;
  shipmentNumber?: string;
  /** «Дата отгрузки по 1С». */
  shipmentDate?: Date | null;
  /** «Идентификатор отправления»: the carrier's tracking number. */
  tracking?: string;
  /** «ПризнакВозврата»: a payment that was returned. */
  returned?: boolean;
  date?: Date | null;
  sum?: string | null;
  /** ISO currency (`руб` → RUB). */
  currency?: string;
  /** The VAT of the document (`Налоги/Налог` named НДС), when stated. */
  vatAmount?: string | null;
  /** The buyer's `Ид` (`Контрагенты/Контрагент` with Роль Покупатель or Плательщик, else the first). */
  counterpartyId?: string;
  lines: number;
  items: DocumentItem[];
  requisites: Record<string, string>;
}

/** 1C writes "T" (an empty date and time) for a date it does not have. */
function dateReq(v: string | undefined): Date | null | undefined {
  if (!v || v.trim() === 'T' || v.trim() === 'Т') return undefined;
  return lenientDate(v);
}

export function mapDocument(n: XNode, container?: number): OrderDocument {
  const req: Record<string, string> = {};
  for (const r of all(n, 'ЗначенияРеквизитов/ЗначениеРеквизита')) {
    const name = textAt(r, 'Наименование');
    if (name) req[name] = textAt(r, 'Значение') ?? '';
  }
  const statusText = req['Статус заказа'] || undefined;
  const code = req['Статуса заказа ИД'] || req['Статус заказа ИД'] || /^\[(\w+)\]/.exec(statusText ?? '')?.[1];
  const shipmentNumber = req['Номер отгрузки по 1С'] || undefined;
  const paymentDate = dateReq(req['Дата оплаты по 1С']);
  const shipmentDate = dateReq(req['Дата отгрузки по 1С']);
  const paidReq = PAID_AMOUNT_REQUISITES.find((k) => req[k] !== undefined && req[k] !== '');
  const operation = textAt(n, 'ХозОперация');
  return {
    kind: documentKind(operation),
    base: textAt(n, 'Основание'),
    container,
    externalId: textAt(n, 'Ид'),
    number: textAt(n, 'Номер'),
    operation,
    number1c: textAt(n, 'Номер1С') ?? (req['Номер по 1С'] || undefined),
    date1c: lenientDate(textAt(n, 'Дата1С') ?? req['Дата по 1С']),
    deleted: bool(textAt(n, 'ПометкаУдаления')) === true || bool(req['ПометкаУдаления']) === true,
    posted: bool(req['Проведен']),
    paid: bool(req['Заказ оплачен']) ?? bool(req['Оплачен']) ?? (req['Номер оплаты по 1С'] || paymentDate ? true : undefined),
    shipped: bool(req['Отгружен']) ?? (shipmentNumber || shipmentDate ? true : undefined),
    deliveryAllowed: bool(req['Доставка разрешена']),
    cancelled: bool(req['Отменен']),
    final: bool(req['Финальный статус']),
    statusText,
    statusCode: code || undefined,
    paymentNumber: req['Номер оплаты по 1С'] || req['Номер платежного документа'] || undefined,
    paymentDate,
    paidAmount: paidReq ? decimal(req[paidReq]) : undefined,
    shipmentNumber,
    shipmentDate,
    tracking: req['Идентификатор отправления'] || undefined,
    returned: bool(req['ПризнакВозврата']),
    date: lenientDate(textAt(n, 'Дата'), textAt(n, 'Время')),
    sum: decimal(textAt(n, 'Сумма')),
    lines: all(n, 'Товары/Товар').length,
    currency: currency(textAt(n, 'Валюта')),
    vatAmount: vatOf(n),
    counterpartyId: buyerOf(n),
    items: all(n, 'Товары/Товар').map((t) => ({
      id: textAt(t, 'Ид'), name: textAt(t, 'Наименование') ?? '', quantity: decimal(textAt(t, 'Количество')), sku: textAt(t, 'Артикул'),
      unit: textAt(t, 'БазоваяЕдиница') ?? at(t, 'БазоваяЕдиница')?.attrs['НаименованиеКраткое'], price: decimal(textAt(t, 'ЦенаЗаЕдиницу')),
      amount: decimal(textAt(t, 'Сумма')), vatRate: rateOf(t), vatAmount: vatOf(t),
    })),
    requisites: req,
  };
}

/** The VAT sum of a document or line: `Налоги/Налог` named НДС (or the only tax), null when none is stated. */
function vatOf(n: XNode): string | null {
  const taxes = all(n, 'Налоги/Налог');
  const vat = taxes.find((t) => /^ндс/i.test(textAt(t, 'Наименование') ?? '')) ?? (taxes.length === 1 ? taxes[0] : undefined);
  return vat ? decimal(textAt(vat, 'Сумма')) : null;
}

/** The VAT rate of a line, "20" from «20» or «20%»; null for «Без НДС» or none. */
function rateOf(t: XNode): string | null {
  const r = textAt(t, 'СтавкиНалогов/СтавкаНалога/Ставка')?.replace('%', '').trim();
  return decimal(r);
}

/** The buyer of a document: the counterparty whose Роль is Покупатель or Плательщик, else the first. */
function buyerOf(n: XNode): string | undefined {
  const cps = all(n, 'Контрагенты/Контрагент');
  const buyer = cps.find((c) => /^(покупатель|плательщик)$/i.test(textAt(c, 'Роль') ?? '')) ?? cps[0];
  return buyer ? textAt(buyer, 'Ид') : undefined;
}
