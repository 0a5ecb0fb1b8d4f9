// Maps one CommerceML item (a small element tree) to mirror records. Pure functions: the
// classifier dictionary (property names, enumerated values, units) is passed in, because split
// packages reference a classifier that arrived in an earlier file of the session.
import type {
  CounterpartyRecord, GroupRecord, OfferRecord, PriceRecord, PriceTypeRecord, ProductRecord, StockRecord, WarehouseRecord,
} from '../../../src/mirror/records.ts';
import { bool, currency, decimal, inn, isDeletedMark, productIdOf, roundDecimal } from './values.ts';

const qty = (s: string | undefined): string | null => {
  const d = decimal(s);
  return d === null ? null : roundDecimal(d, 3);
};
import { all, at, child, childrenOf, textAt, type XNode } from './xml-node.ts';

/** What later files need from the classifier: kept per exchange session (JSON-serialisable). */
export interface ClassifierDict {
  properties: Record<string, { name: string; values?: Record<string, string>; deleted?: boolean }>;
  units: Record<string, string>;
}

export const emptyClassifier = (): ClassifierDict => ({ properties: {}, units: {} });

/** Stock given as one total (no warehouse) lands on this synthetic warehouse. */
export const TOTAL_WAREHOUSE: WarehouseRecord = { externalId: 'cml-total', name: 'Общий остаток (без склада)' };

function deleted(n: XNode): boolean {
  return isDeletedMark(textAt(n, 'ПометкаУдаления'), textAt(n, 'Статус') ?? n.attrs['Статус']);
}

export function mapGroups(n: XNode, parent: string | null, out: GroupRecord[]): void {
  const id = textAt(n, 'Ид');
  if (!id) return;
  out.push({
    externalId: id,
    parentExternalId: parent,
    name: textAt(n, 'Наименование') ?? id,
    sort: out.length,
    deleted: deleted(n),
  });
  for (const g of all(n, 'Группы/Группа')) mapGroups(g, id, out);
}

export function addProperty(n: XNode, dict: ClassifierDict): void {
  const id = textAt(n, 'Ид');
  if (!id) return;
  const values: Record<string, string> = {};
  for (const v of all(n, 'ВариантыЗначений/Справочник')) {
    const vid = textAt(v, 'ИдЗначения');
    const text = textAt(v, 'Значение');
    if (vid && text) values[vid] = text;
  }
  dict.properties[id] = {
    name: textAt(n, 'Наименование') ?? id,
    ...(Object.keys(values).length ? { values } : {}),
    ...(deleted(n) ? { deleted: true } : {}),
  };
}

export function addUnit(n: XNode, dict: ClassifierDict): void {
  const code = textAt(n, 'Код') ?? textAt(n, 'Ид');
  const name = textAt(n, 'НаименованиеКраткое') ?? textAt(n, 'НаименованиеПолное');
  if (code && name) dict.units[code] = name;
}

export function mapPriceType(n: XNode): PriceTypeRecord | undefined {
  const id = textAt(n, 'Ид');
  if (!id) return undefined;
  const cur = currency(textAt(n, 'Валюта'));
  return {
    externalId: id,
    name: textAt(n, 'Наименование') ?? id,
    ...(cur ? { currency: cur } : {}),
    vatIncluded: bool(textAt(n, 'Налог/УчтеноВСумме')) ?? true,
    deleted: deleted(n),
  };
}

export function mapWarehouse(n: XNode): WarehouseRecord | undefined {
  const id = textAt(n, 'Ид');
  if (!id) return undefined;
  return {
    externalId: id,
    name: textAt(n, 'Наименование') ?? id,
    address: textAt(n, 'Адрес/Представление') ?? null,
    deleted: deleted(n),
  };
}

function unitOf(n: XNode | undefined, dict: ClassifierDict): string | null {
  if (!n) return null;
  const text = n.text.trim();
  if (text) return text;
  const code = n.attrs['Код']?.trim();
  return (code && dict.units[code]) || n.attrs['НаименованиеПолное'] || null;
}

function characteristics(n: XNode): Record<string, string> {
  const out: Record<string, string> = {};
  for (const c of all(n, 'ХарактеристикиТовара/ХарактеристикаТовара')) {
    const name = textAt(c, 'Наименование');
    const value = textAt(c, 'Значение');
    if (name && value !== undefined) out[name] = value;
  }
  return out;
}

function propertyValues(n: XNode, dict: ClassifierDict): Record<string, string> {
  const out: Record<string, string> = {};
  for (const pv of all(n, 'ЗначенияСвойств/ЗначенияСвойства')) {
    const pid = textAt(pv, 'Ид');
    if (!pid) continue;
    const prop = dict.properties[pid];
    if (prop?.deleted) continue;
    let joined: string | undefined;
    for (const c of pv.children) {
      if (c.name !== 'Значение') continue;
      const v = c.text.trim();
      if (!v) continue;
      const text = prop?.values?.[v] ?? v;
      joined = joined === undefined ? text : `${joined}, ${text}`;
    }
    if (joined === undefined) continue;
    const key = prop?.name ?? pid;
    out[key] = out[key] ? `${out[key]}, ${joined}` : joined;
  }
  return out;
}

export function mapProduct(n: XNode, dict: ClassifierDict): ProductRecord | undefined {
  const id = textAt(n, 'Ид');
  if (!id) return undefined;
  const properties = { ...characteristics(n), ...propertyValues(n, dict) };
  const maker = textAt(n, 'Изготовитель/Наименование');
  if (maker) properties['Изготовитель'] = maker;
  const rawVat = decimal(textAt(n, 'СтавкиНалогов/СтавкаНалога/Ставка'));
  const vat = rawVat === null || rawVat.startsWith('-') ? null : roundDecimal(rawVat, 3);
  return {
    externalId: id,
    groupExternalId: textAt(n, 'Группы/Ид') ?? null,
    sku: textAt(n, 'Артикул') ?? null,
    barcode: textAt(n, 'Штрихкод') ?? null,
    name: textAt(n, 'Наименование') ?? id,
    description: textAt(n, 'Описание') ?? null,
    unit: unitOf(child(n, 'БазоваяЕдиница'), dict),
    vatRate: vat !== null && Number(vat) < 1000 ? vat : null,
    properties,
    images: childrenOf(n, 'Картинка').map((c) => c.text.trim()).filter(Boolean),
    deleted: deleted(n),
  };
}

/** Why records of one item were not taken, with how many: reason → count. */
export type Skips = Record<string, number>;

const skip = (s: Skips, reason: string) => {
  s[reason] = (s[reason] ?? 0) + 1;
};

export interface MappedOffer {
  offer?: OfferRecord;
  prices: PriceRecord[];
  stock: StockRecord[];
  /** `Цена` elements found, taken or not. */
  pricesRead: number;
  /** Stock elements found (a warehouse row or a total), taken or not. */
  stockRead: number;
  skippedPrices: Skips;
  skippedStock: Skips;
  usesTotalWarehouse: boolean;
}

export const PRICE_NOT_A_NUMBER = 'ЦенаЗаЕдиницу is not a non-negative number';
export const PRICE_NO_TYPE = 'Цена without ИдТипаЦены';

/**
 * Stock of one offer in every form 1C nodes send:
 *   <Склад ИдСклада="…" КоличествоНаСкладе="…"/> on the offer (2.07/2.08),
 *   Остатки/Остаток/Склад{Ид,Количество} (2.09+), Остаток/Склад… without Остатки,
 *   Остатки/Остаток/Количество or Остаток/Количество (a total),
 *   a bare <Остаток>40</Остаток> (Bitrix emulators), or Количество on the offer (a total).
 * Per-warehouse rows win over totals; the first total found is used when there are no rows.
 */
function stockRow(out: MappedOffer, id: string, s: XNode, where: string): void {
  const wh = s.attrs['ИдСклада'] ?? textAt(s, 'Ид') ?? textAt(s, 'ИдСклада');
  const raw = s.attrs['КоличествоНаСкладе'] ?? textAt(s, 'Количество') ?? textAt(s, 'КоличествоНаСкладе');
  out.stockRead++;
  const q = qty(raw);
  if (!wh) skip(out.skippedStock, `${where} without a warehouse id`);
  else if (q === null) skip(out.skippedStock, `${where}: quantity ${raw === undefined ? 'missing' : `"${raw.trim()}"`} is not a number`);
  else out.stock.push({ offerExternalId: id, warehouseExternalId: wh, quantity: q });
}

function readStock(n: XNode, id: string, out: MappedOffer): void {
  for (const s of childrenOf(n, 'Склад')) stockRow(out, id, s, 'Предложение/Склад');

  const totals: { raw: string | undefined; where: string }[] = [];
  const rests: [XNode, string][] = [
    ...all(n, 'Остатки/Остаток').map((r) => [r, 'Остатки/Остаток'] as [XNode, string]),
    ...childrenOf(n, 'Остаток').map((r) => [r, 'Остаток'] as [XNode, string]),
  ];
  for (const s of all(n, 'Остатки/Склад')) stockRow(out, id, s, 'Остатки/Склад');
  for (const [r, where] of rests) {
    const whs = childrenOf(r, 'Склад');
    for (const s of whs) stockRow(out, id, s, where === 'Остаток' ? 'Остаток/Склад' : 'Остатки/Остаток/Склад');
    if (whs.length) continue;
    const q = child(r, 'Количество');
    if (q) totals.push({ raw: q.text, where: `${where}/Количество` });
    else if (!r.children.length) totals.push({ raw: r.text, where });
    else {
      out.stockRead++;
      skip(out.skippedStock, `${where} with neither Склад nor Количество (has ${r.children.map((c) => c.name).join(', ')})`);
    }
  }
  const own = child(n, 'Количество');
  if (own) totals.push({ raw: own.text, where: 'Предложение/Количество' });
  if (!totals.length) return;
  if (out.stock.length) return; // per-warehouse rows are the stock; the total only repeats their sum
  const t = totals[0]!;
  out.stockRead++;
  const q = qty(t.raw);
  if (q === null) {
    skip(out.skippedStock, `${t.where}: quantity "${(t.raw ?? '').trim()}" is not a number`);
    return;
  }
  out.stock.push({ offerExternalId: id, warehouseExternalId: TOTAL_WAREHOUSE.externalId, quantity: q });
  out.usesTotalWarehouse = true;
}

export function mapOffer(n: XNode, dict: ClassifierDict): MappedOffer | undefined {
  const id = textAt(n, 'Ид');
  if (!id) return undefined;
  const out: MappedOffer = {
    prices: [], stock: [], pricesRead: 0, stockRead: 0, skippedPrices: {}, skippedStock: {}, usesTotalWarehouse: false,
  };
  const isDeleted = deleted(n);
  const name = textAt(n, 'Наименование');
  const chars = characteristics(n);
  const props = propertyValues(n, dict);
  // Price-only and stock-only packages repeat just the id: they must not blank the offer.
  if (name || isDeleted || Object.keys(chars).length || textAt(n, 'Артикул') || textAt(n, 'ПометкаУдаления')) {
    out.offer = {
      externalId: id,
      productExternalId: productIdOf(id),
      name: name ?? null,
      sku: textAt(n, 'Артикул') ?? null,
      barcode: textAt(n, 'Штрихкод') ?? null,
      characteristics: { ...props, ...chars },
      deleted: isDeleted,
    };
  }
  for (const p of all(n, 'Цены/Цена')) {
    out.pricesRead++;
    const pt = textAt(p, 'ИдТипаЦены');
    const raw = decimal(textAt(p, 'ЦенаЗаЕдиницу'));
    if (!pt) {
      skip(out.skippedPrices, PRICE_NO_TYPE);
      continue;
    }
    const value = raw === null ? null : roundDecimal(raw, 4);
    if (value === null || value.startsWith('-') || value.split('.')[0]!.length > 14) {
      skip(out.skippedPrices, PRICE_NOT_A_NUMBER);
      continue;
    }
    out.prices.push({ offerExternalId: id, priceTypeExternalId: pt, value, currency: currency(textAt(p, 'Валюта')) ?? null });
  }
  readStock(n, id, out);
  return out;
}

export function mapCounterparty(n: XNode): CounterpartyRecord | undefined {
  const id = textAt(n, 'Ид');
  if (!id) return undefined;
  const person = [textAt(n, 'Фамилия'), textAt(n, 'Имя'), textAt(n, 'Отчество')].filter(Boolean).join(' ');
  const fullName = textAt(n, 'ОфициальноеНаименование') ?? textAt(n, 'ПолноеНаименование') ?? null;
  let email: string | null = null;
  let phone: string | null = null;
  for (const c of all(n, 'Контакты/Контакт')) {
    const type = (textAt(c, 'Тип') ?? '').toLowerCase();
    const value = textAt(c, 'Значение');
    if (!value) continue;
    if (!email && (type.includes('почт') || type.includes('mail'))) email = value;
    else if (!phone && type.includes('телефон')) phone = value;
  }
  const head = at(n, 'ГоловнойКонтрагент');
  const headId = head ? (textAt(head, 'Ид') ?? (head.children.length ? undefined : head.text.trim() || undefined)) : undefined;
  return {
    externalId: id,
    name: textAt(n, 'Наименование') ?? fullName ?? (person || id),
    fullName,
    inn: inn(textAt(n, 'ИНН')),
    kpp: textAt(n, 'КПП') ?? null,
    email,
    phone,
    headExternalId: headId && headId !== id ? headId : null,
    deleted: deleted(n),
  };
}
