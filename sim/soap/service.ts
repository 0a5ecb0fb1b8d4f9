// The operations of the simulated accounting web service: state → SOAP response objects.
// Like many 1C services it writes some decimals with a comma ("7,5") and Russian enum values.
import { moscowDateIn } from '../data/arrivals.ts';
import { printedForm } from '../data/printed-form.ts';
import type { SimContract, SimCounterparty, SimDocument, SimOffer, SimProduct, SimSupplierOrder } from '../data/types.ts';
import { type FeedEntity, SimError, type SimState } from '../state.ts';
import { escapeXml, rendered } from './xml.ts';

type Obj = Record<string, unknown>;

const comma = (v: string) => v.replace('.', ',');

function page(args: Obj, total: number): { from: number; to: number } {
  const n = Number(args.Page ?? 1);
  const size = Number(args.PageSize ?? 1000);
  if (!Number.isInteger(n) || n < 1) throw new SimError('invalid', `Page must be an integer ≥ 1, got "${args.Page}"`);
  if (!Number.isInteger(size) || size < 1 || size > 10_000) throw new SimError('invalid', `PageSize must be 1..10000, got "${args.PageSize}"`);
  const from = (n - 1) * size;
  return { from, to: Math.min(total, from + size) };
}

/** `<Property><Name>…</Name><Value>…</Value></Property>` for each pair (a product's properties, an offer's characteristics). */
function propertiesXml(pairs: Record<string, string>): string {
  let x = '';
  for (const [name, value] of Object.entries(pairs)) x += `<Property><Name>${escapeXml(name)}</Name><Value>${escapeXml(value)}</Value></Property>`;
  return x;
}

/** One product as the WSDL's <Product> element, written straight from the state (see offerXml). */
export function productXml(p: SimProduct): string {
  const barcode = p.barcode ? `<Barcode>${escapeXml(p.barcode)}</Barcode>` : '';
  return `<Product><Id>${escapeXml(p.id)}</Id><GroupId>${escapeXml(p.groupId)}</GroupId><Article>${escapeXml(p.sku)}</Article>${barcode}<Name>${escapeXml(p.name)}</Name><Unit>${escapeXml(p.unit)}</Unit><VatRate>${escapeXml(p.vatRate)}</VatRate><DeletionMark>${p.deleted}</DeletionMark><Properties>${propertiesXml(p.properties)}</Properties></Product>`;
}

const productsXml = (list: SimProduct[]) => ({ $xml: list.map(productXml).join('') });

/**
 * One offer as the WSDL's <Offer> element, written straight from the state: GetOffers pages are
 * the bulk of a full sync, and an object per offer, price and stock cell rendered generically
 * made the simulator — another machine in real life — take a good share of the bench's two cores.
 */
export function offerXml(s: SimState, o: SimOffer): string {
  let x = `<Offer><Id>${escapeXml(o.id)}</Id><ProductId>${escapeXml(o.productId)}</ProductId><Name>${escapeXml(o.name)}</Name><Article>${escapeXml(o.sku)}</Article><DeletionMark>${o.deleted}</DeletionMark><Characteristics>${propertiesXml(o.characteristics)}</Characteristics><Prices>`;
  const pts = s.data.priceTypes;
  for (let i = 0; i < pts.length; i++) {
    const v = s.price(o, i);
    if (v !== undefined) x += `<Price><PriceTypeId>${escapeXml(pts[i]!.id)}</PriceTypeId><Value>${escapeXml(v)}</Value></Price>`;
  }
  x += '</Prices><Stock>';
  const whs = s.data.warehouses;
  for (let i = 0; i < whs.length; i++) {
    const q = s.stock(o, i);
    if (q !== undefined) x += `<Item><WarehouseId>${escapeXml(whs[i]!.id)}</WarehouseId><Quantity>${escapeXml(q)}</Quantity></Item>`;
  }
  return `${x}</Stock></Offer>`;
}

const offersXml = (s: SimState, list: SimOffer[]) => ({ $xml: list.map((o) => offerXml(s, o)).join('') });

function counterparty(c: SimCounterparty): Obj {
  return {
    Id: c.id, Name: c.name, FullName: c.fullName, INN: c.inn, KPP: c.kpp || undefined, Email: c.email, Phone: c.phone,
    HeadId: c.headId ?? undefined, ManagerId: c.managerId, PriceTypeId: c.priceTypeId, Debt: comma(c.debt), CreditLimit: comma(c.creditLimit),
    DeletionMark: c.deleted, LegalAddress: c.legalAddress || undefined, BankName: c.bankName || undefined, BIC: c.bic || undefined,
    Account: c.account || undefined, CorrAccount: c.corrAccount || undefined,
  };
}

const ruDate = (iso: string | null) => (iso ? `${iso.slice(8, 10)}.${iso.slice(5, 7)}.${iso.slice(0, 4)}` : undefined);
const orNone = (v: string) => (v === '' ? undefined : comma(v));

function document(d: SimDocument): Obj {
  return {
    Ид: d.id, Контрагент: d.counterpartyId, Вид: d.kind, Номер: d.number, Дата: ruDate(d.date), Сумма: comma(d.amount), СуммаНДС: comma(d.vatAmount),
    Валюта: 'руб.', Статус: d.status, ПериодС: ruDate(d.periodFrom), ПериодПо: ruDate(d.periodTo),
    Строки: {
      Строка: d.lines.map((l, i) => ({
        НомерСтроки: i + 1, Наименование: l.name, Артикул: l.sku || undefined, ЕдиницаИзмерения: l.unit || undefined, Количество: orNone(l.quantity),
        Цена: orNone(l.price), Сумма: comma(l.amount), СтавкаНДС: l.vatRate ? `${l.vatRate}%` : undefined, СуммаНДС: orNone(l.vatAmount),
      })),
    },
    ИмяФайла: d.hasFile ? `${d.id}.pdf` : undefined,
    Файл: d.hasFile ? printedForm([`Document ${d.id}`, `Amount ${d.amount} RUB`, `Date ${d.date}`]).toString('base64') : undefined,
    ПометкаУдаления: d.deleted,
  };
}

function supplierOrder(s: SimState, o: SimSupplierOrder): Obj {
  const now = s.now();
  return {
    Ид: o.id, Номер: o.number, Склад: o.warehouseId, Статус: o.status,
    Товары: { Строка: o.lines.map((l) => ({ Ид: l.id, Номенклатура: l.offerId, Количество: comma(l.quantity), ДатаПоступления: ruDate(moscowDateIn(now, l.inDays)) })) },
  };
}

/** A counterparty's settlements the way 1C names them, as of their last movement. */
function settlement(s: SimState, c: SimCounterparty): Obj {
  return {
    Контрагент: c.id, Задолженность: comma(c.debt), Просрочено: comma(c.overdue), Лимит: c.creditLimit ? comma(c.creditLimit) : undefined,
    ПриПревышенииЛимита: c.creditPolicy, Валюта: 'руб.', НаДату: s.settlementAsOf(c.id),
  };
}

function contract(c: SimContract): Obj {
  return {
    Id: c.id, CounterpartyId: c.counterpartyId, Name: c.name, Number: c.number, PriceTypeId: c.priceTypeId, DiscountPct: comma(c.discountPct),
    Currency: c.currency, ValidFrom: c.validFrom, ValidTo: c.validTo, IsDefault: c.isDefault, DeletionMark: c.deleted,
    Prices: { Price: [...c.prices].map(([OfferId, Value]) => ({ OfferId, Value })) },
  };
}

const priceTypes = (s: SimState) => ({
  PriceType: s.data.priceTypes.map((p) => ({ Id: p.id, Name: p.name, Currency: p.currency, VatIncluded: p.vatIncluded, IsBase: p.isBase })),
});
const warehouses = (s: SimState) => ({
  Warehouse: s.data.warehouses.map((w) => ({
    Id: w.id, Name: w.name, Kind: w.kind === 'own' ? 'Собственный' : 'Партнёрский', CommissionPct: comma(w.commissionPct),
    DeliveryDays: w.deliveryDays, Address: w.address,
  })),
});
const groups = (s: SimState) => ({ Group: s.data.groups.map((g) => ({ Id: g.id, ParentId: g.parentId ?? undefined, Name: g.name })) });
const managers = (s: SimState) => ({ Manager: s.data.managers.map((m) => ({ Id: m.id, Name: m.name, Email: m.email, Phone: m.phone })) });

function str(v: unknown): string {
  return v === undefined || v === null ? '' : String(v);
}

function asList<T>(v: T | T[] | undefined): T[] {
  return v === undefined ? [] : Array.isArray(v) ? v : [v];
}

function changes(s: SimState, args: Obj): Obj {
  const limit = Number(args.Limit ?? 1000);
  const { entries, next, hasMore } = s.changesSince(str(args.SinceCursor), Number.isInteger(limit) && limit > 0 ? limit : 1000);
  const ids = (e: FeedEntity) => new Set(entries.filter((x) => x.entity === e).map((x) => x.id));
  const offerIds = ids('offers');
  const productIds = ids('products');
  const cpIds = ids('counterparties');
  const contractIds = ids('contracts');
  const documentIds = ids('documents');
  const supplierOrderIds = ids('supplierOrders');
  const settlementIds = new Set([...ids('settlements'), ...cpIds]);
  return {
    NextCursor: next,
    HasMore: hasMore,
    ServerTime: s.now().toISOString(),
    Products: productsXml([...productIds].map((id) => s.product(id)!)),
    Offers: offersXml(s, [...offerIds].map((id) => s.offer(id))),
    Counterparties: rendered({ Counterparty: [...cpIds].map((id) => counterparty(s.counterparty(id)!)) }),
    Contracts: rendered({ Contract: [...contractIds].map((id) => contract(s.contract(id)!)) }),
    Документы: rendered({ Документ: [...documentIds].map((id) => document(s.document(id)!)) }),
    Взаиморасчеты: rendered({ Взаиморасчет: [...settlementIds].map((id) => settlement(s, s.counterparty(id)!)) }),
    ЗаказыПоставщикам: rendered({ ЗаказПоставщику: [...supplierOrderIds].map((id) => supplierOrder(s, s.supplierOrder(id)!)) }),
  };
}

/** One function per operation of the WSDL. Each may throw SimError (→ a SOAP fault). */
export function operations(s: SimState): Record<string, (args: Obj) => Obj> {
  return {
    GetServerInfo: () => ({ ServerTime: s.now().toISOString(), FeedCursor: s.cursor(), Version: 'AccountingSim 1.0' }),
    GetPriceTypes: () => ({ PriceTypes: priceTypes(s) }),
    GetWarehouses: () => ({ Warehouses: warehouses(s) }),
    GetProductGroups: () => ({ Groups: groups(s) }),
    GetManagers: () => ({ Managers: managers(s) }),
    GetProducts: (a) => {
      const { from, to } = page(a, s.data.products.length);
      return { Products: productsXml(s.data.products.slice(from, to)), Total: s.data.products.length };
    },
    GetOffers: (a) => {
      const { from, to } = page(a, s.data.offers.length);
      return { Offers: offersXml(s, s.data.offers.slice(from, to)), Total: s.data.offers.length };
    },
    GetStock: (a) => {
      const wi = s.data.warehouses.findIndex((w) => w.id === str(a.WarehouseId));
      if (wi < 0) throw new SimError('not_found', `no warehouse with id ${str(a.WarehouseId)}`);
      const { from, to } = page(a, s.data.offers.length);
      const items = s.data.offers.slice(from, to).flatMap((o) => {
        const q = s.stock(o, wi);
        return q === undefined ? [] : [{ OfferId: o.id, Quantity: q }];
      });
      return { Items: rendered({ Item: items }), Total: s.data.offers.length };
    },
    GetCounterparties: (a) => {
      const { from, to } = page(a, s.data.counterparties.length);
      return { Counterparties: rendered({ Counterparty: s.data.counterparties.slice(from, to).map(counterparty) }), Total: s.data.counterparties.length };
    },
    GetContracts: (a) => {
      const { from, to } = page(a, s.data.contracts.length);
      return { Contracts: rendered({ Contract: s.data.contracts.slice(from, to).map(contract) }), Total: s.data.contracts.length };
    },
    GetDocuments: (a) => {
      const { from, to } = page({ Page: a.Страница, PageSize: a.РазмерСтраницы }, s.data.documents.length);
      return { Документы: rendered({ Документ: s.data.documents.slice(from, to).map(document) }), Всего: s.data.documents.length };
    },
    GetSupplierOrders: (a) => {
      const list = s.data.supplierOrders;
      const { from, to } = page({ Page: a.Страница, PageSize: a.РазмерСтраницы }, list.length);
      return { ЗаказыПоставщикам: rendered({ ЗаказПоставщику: list.slice(from, to).map((o) => supplierOrder(s, o)) }), Всего: list.length };
    },
    GetSettlements: (a) => {
      const { from, to } = page({ Page: a.Страница, PageSize: a.РазмерСтраницы }, s.data.counterparties.length);
      const items = s.data.counterparties.slice(from, to).filter((c) => !c.deleted).map((c) => settlement(s, c));
      return { Взаиморасчеты: rendered({ Взаиморасчет: items }), Всего: s.data.counterparties.length };
    },
    GetChanges: (a) => changes(s, a),
    CreateOrder: (a) => {
      const o = (a.Order ?? {}) as Obj;
      if (!str(o.StoreOrderId)) throw new SimError('invalid', 'Order.StoreOrderId is required');
      const lines = asList((o.Lines as Obj | undefined)?.Line as Obj | Obj[] | undefined).map((l) => ({
        offerId: str(l.OfferId), warehouseId: str(l.WarehouseId) || null, quantity: str(l.Quantity), price: str(l.Price), amount: str(l.Amount),
      }));
      const { order, created } = s.createOrder({
        storeOrderId: str(o.StoreOrderId), storeNumber: str(o.StoreNumber), counterpartyId: str(o.CounterpartyId),
        contractId: str(o.ContractId) || null, comment: str(o.Comment), lines,
      });
      return { OrderId: order.id, Number: order.number, Created: created };
    },
    PlaceReservation: (a) => {
      const r = (a.Reservation ?? {}) as Obj;
      const { reservation, created } = s.placeReservation({
        storeReservationId: str(r.StoreReservationId), counterpartyId: str(r.CounterpartyId), offerId: str(r.OfferId),
        warehouseId: str(r.WarehouseId), quantity: str(r.Quantity), expiresAt: str(r.ExpiresAt),
      });
      return { ReservationId: reservation.id, ExpiresAt: reservation.expiresAt, Created: created };
    },
    ExtendReservation: (a) => {
      const { reservation, applied } = s.extendReservation(str(a.StoreReservationId), str(a.OperationId), str(a.ExpiresAt));
      return { ReservationId: reservation.id, ExpiresAt: reservation.expiresAt, Applied: applied };
    },
    ReleaseReservation: (a) => {
      const { reservation, released } = s.releaseReservation(str(a.StoreReservationId), str(a.Reason));
      return { ReservationId: reservation.id, Released: released };
    },
    GetOrderStatuses: (a) => {
      const limit = Number(a.Limit ?? 500);
      const { entries, next } = s.statusesSince(str(a.SinceCursor), Number.isInteger(limit) && limit > 0 ? limit : 500);
      return {
        NextCursor: next,
        Statuses: {
          Status: entries.map((e) => ({
            OrderId: e.orderId, Number: e.order.number, StoreOrderId: e.order.storeOrderId, StoreNumber: e.order.storeNumber,
            Status: e.status, Note: e.note, At: e.at,
          })),
        },
      };
    },
  };
}
