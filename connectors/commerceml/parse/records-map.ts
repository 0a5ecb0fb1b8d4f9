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
    const texts = childrenOf(pv, 'Значение')
      .map((v) => v.text.trim())
      .filter(Boolean)
      .map((v) => prop?.values?.[v] ?? v);
    if (!texts.length) continue;
    const key = prop?.name ?? pid;
    out[key] = out[key] ? `${out[key]}, ${texts.join(', ')}` : texts.join(', ');
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

export interface MappedOffer {
  offer?: OfferRecord;
  prices: PriceRecord[];
  stock: StockRecord[];
  /** Prices whose value was not a number (skipped). */
  badPrices: number;
  usesTotalWarehouse: boolean;
}

export function mapOffer(n: XNode, dict: ClassifierDict): MappedOffer | undefined {
  const id = textAt(n, 'Ид');
  if (!id) return undefined;
  const out: MappedOffer = { prices: [], stock: [], badPrices: 0, usesTotalWarehouse: false };
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
    const pt = textAt(p, 'ИдТипаЦены');
    const raw = decimal(textAt(p, 'ЦенаЗаЕдиницу'));
    if (!pt) continue;
    const value = raw === null ? null : roundDecimal(raw, 4);
    if (value === null || value.startsWith('-') || value.split('.')[0]!.length > 14) {
      out.badPrices++;
      continue;
    }
    out.prices.push({ offerExternalId: id, priceTypeExternalId: pt, value, currency: currency(textAt(p, 'Валюта')) ?? null });
  }
  // Three stock shapes: <Склад ИдСклада КоличествоНаСкладе/> (2.07/2.08),
  // Остатки/Остаток/Склад{Ид,Количество} (2.09+), or one total Количество.
  for (const s of childrenOf(n, 'Склад')) {
    const wh = s.attrs['ИдСклада'];
    const q = qty(s.attrs['КоличествоНаСкладе']);
    if (wh && q !== null) out.stock.push({ offerExternalId: id, warehouseExternalId: wh, quantity: q });
  }
  let total: string | null = null;
  for (const r of all(n, 'Остатки/Остаток')) {
    const whs = childrenOf(r, 'Склад');
    for (const s of whs) {
      const wh = textAt(s, 'Ид');
      const q = qty(textAt(s, 'Количество'));
      if (wh && q !== null) out.stock.push({ offerExternalId: id, warehouseExternalId: wh, quantity: q });
    }
    if (!whs.length) total = qty(textAt(r, 'Количество'));
  }
  total ??= qty(textAt(n, 'Количество'));
  if (!out.stock.length && total !== null) {
    out.stock.push({ offerExternalId: id, warehouseExternalId: TOTAL_WAREHOUSE.externalId, quantity: total });
    out.usesTotalWarehouse = true;
  }
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
