// The simulator's live state: the dataset, the edits an accountant makes, the change feed and
// the orders and reservations the store sent. Every edit appends to the feed and notifies listeners (webhooks).
import { MAX_CELLS_PER_OFFER } from './data/generate.ts';
import { hash01, money } from './data/random.ts';
import type { SimContract, SimCounterparty, SimDataset, SimDocument, SimOffer, SimOrder, SimProduct, SimSupplierOrder } from './data/types.ts';

/** The key of one price or stock cell: a number, as the maps are read for every cell of every page. */
const cell = (offerIndex: number, i: number) => offerIndex * MAX_CELLS_PER_OFFER + i;

export type FeedEntity = 'priceTypes' | 'warehouses' | 'groups' | 'products' | 'offers' | 'managers' | 'counterparties' | 'contracts' | 'documents' | 'settlements' | 'supplierOrders';

export interface FeedEntry { seq: number; at: string; entity: FeedEntity; id: string }
export interface StatusEntry { seq: number; orderId: string; status: string; note: string; at: string }

export class SimError extends Error {
  constructor(readonly code: 'not_found' | 'invalid', message: string) {
    super(message);
  }
}

export interface NewOrder {
  storeOrderId: string;
  storeNumber: string;
  counterpartyId: string;
  contractId: string | null;
  comment: string;
  lines: { offerId: string; warehouseId: string | null; quantity: string; price: string; amount: string }[];
}

export interface NewReservation {
  storeReservationId: string;
  counterpartyId: string;
  offerId: string;
  warehouseId: string;
  quantity: string;
  expiresAt: string;
}

/** A hold the store placed; `operations` are the extend keys already applied (answers repeat). */
export interface SimReservation extends NewReservation {
  id: string;
  state: 'active' | 'released';
  releaseReason: string | null;
  operations: string[];
  createdAt: string;
}

const DECIMAL = /^\d+(\.\d+)?$/;

/** "12.5" + "100" → "112.5", exactly (thousandths, as the mirror keeps stock). */
function addQuantities(a: string, b: string): string {
  const units = (v: string) => {
    const [i, f = ''] = v.split('.');
    return BigInt(i!) * 1000n + BigInt((f + '000').slice(0, 3));
  };
  const t = units(a) + units(b);
  const frac = String(t % 1000n).padStart(3, '0').replace(/0+$/, '');
  return `${t / 1000n}${frac ? `.${frac}` : ''}`;
}

export class SimState {
  readonly feed: FeedEntry[] = [];
  readonly statusFeed: StatusEntry[] = [];
  /** Set by the accountant (null: removed), by cell(offer, price type or warehouse). */
  private readonly prices = new Map<number, string | null>();
  private readonly stocks = new Map<number, string | null>();
  /** Each price type's multiplier of an offer's base price (from the seed). */
  private readonly priceMults: number[] = [];
  private readonly offerById = new Map<string, SimOffer>();
  private readonly productById = new Map<string, SimProduct>();
  private readonly ptIndex = new Map<string, number>();
  private readonly whIndex = new Map<string, number>();
  private readonly cpById = new Map<string, SimCounterparty>();
  private readonly contractById = new Map<string, SimContract>();
  private readonly ordersByStoreId = new Map<string, SimOrder>();
  private readonly ordersById = new Map<string, SimOrder>();
  private readonly reservationsByStoreId = new Map<string, SimReservation>();
  private readonly listeners = new Set<(entries: FeedEntry[]) => void>();
  private seq = 0;
  /** When each counterparty's settlement last moved (absent: at start, `startedAt`). */
  private readonly settledAt = new Map<string, string>();
  private readonly startedAt = new Date().toISOString();
  private statusSeq = 0;
  private orderSeq = 0;
  private reservationSeq = 0;
  /** Offers beyond this index were added by hand: they have no generated stock. */
  private readonly generatedOffers: number;

  constructor(readonly data: SimDataset) {
    this.generatedOffers = data.offers.length;
    for (const o of data.offers) this.offerById.set(o.id, o);
    for (const p of data.products) this.productById.set(p.id, p);
    data.priceTypes.forEach((p, i) => {
      this.ptIndex.set(p.id, i);
    });
    data.warehouses.forEach((w, i) => {
      this.whIndex.set(w.id, i);
    });
    for (const c of data.counterparties) this.cpById.set(c.id, c);
    for (const c of data.contracts) this.contractById.set(c.id, c);
  }

  /** The accounting system's clock (the store records this as `as_of`). */
  now(): Date {
    return new Date();
  }

  /** The change feed's head: a cursor that starts after every change made so far. */
  cursor(): string {
    return String(this.seq);
  }

  onChange(fn: (entries: FeedEntry[]) => void): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  // ---- reading -------------------------------------------------------------------------------

  offer(id: string): SimOffer {
    const o = this.offerById.get(id);
    if (!o) throw new SimError('not_found', `no offer with id ${id}`);
    return o;
  }

  product(id: string): SimProduct | undefined {
    return this.productById.get(id);
  }

  counterparty(id: string): SimCounterparty | undefined {
    return this.cpById.get(id);
  }

  contract(id: string): SimContract | undefined {
    return this.contractById.get(id);
  }

  /** Price of an offer in a price type; generated from the seed unless an accountant set it. */
  price(o: SimOffer, ptIdx: number): string | undefined {
    const set = this.prices.get(cell(o.index, ptIdx));
    if (set !== undefined) return set ?? undefined;
    let mult = this.priceMults[ptIdx];
    if (mult === undefined) this.priceMults[ptIdx] = mult = ptIdx === 0 ? 1 : 0.75 + hash01(this.data.options.seed, ptIdx, 99) * 0.5;
    return money(o.baseKopecks * mult);
  }

  /** Stock of an offer at a warehouse; undefined when the warehouse never holds it. */
  stock(o: SimOffer, whIdx: number): string | undefined {
    const set = this.stocks.get(cell(o.index, whIdx));
    if (set !== undefined) return set ?? undefined;
    if (o.index >= this.generatedOffers) return undefined;
    const seed = this.data.options.seed;
    const partner = this.data.warehouses[whIdx]!.kind === 'partner';
    const h = hash01(seed, o.index, whIdx, 1);
    const present = partner ? h < (o.partnerOnly ? 0.9 : 0.3) : !o.partnerOnly && h < 0.75;
    if (!present) return undefined;
    const q = hash01(seed, o.index, whIdx, 2);
    return q < 0.1 ? '0' : String(Math.floor(q * 300));
  }

  pricesOf(o: SimOffer): { priceTypeId: string; value: string }[] {
    const out: { priceTypeId: string; value: string }[] = [];
    this.data.priceTypes.forEach((pt, i) => {
      const v = this.price(o, i);
      if (v !== undefined) out.push({ priceTypeId: pt.id, value: v });
    });
    return out;
  }

  stockOf(o: SimOffer): { warehouseId: string; quantity: string }[] {
    const out: { warehouseId: string; quantity: string }[] = [];
    this.data.warehouses.forEach((w, i) => {
      const q = this.stock(o, i);
      if (q !== undefined) out.push({ warehouseId: w.id, quantity: q });
    });
    return out;
  }

  /** Row counts the mirror should hold after a full sync (for tests and benchmarks). */
  counts(): Record<string, number> {
    let prices = 0;
    let stock = 0;
    const offers = this.data.offers.filter((o) => !o.deleted);
    for (const o of offers) {
      prices += this.pricesOf(o).length;
      stock += this.stockOf(o).length;
    }
    const contracts = this.data.contracts.filter((c) => !c.deleted);
    return {
      groups: this.data.groups.length,
      priceTypes: this.data.priceTypes.length,
      warehouses: this.data.warehouses.length,
      managers: this.data.managers.length,
      products: this.data.products.filter((p) => !p.deleted).length,
      offers: offers.length,
      prices,
      stock,
      counterparties: this.data.counterparties.filter((c) => !c.deleted).length,
      contracts: contracts.length,
      contractPrices: contracts.reduce((s, c) => s + c.prices.size, 0),
      documents: this.data.documents.filter((d) => !d.deleted).length,
      credit: this.data.counterparties.filter((c) => !c.deleted).length,
      arrivals: this.data.supplierOrders.reduce((n, o) => n + (o.status === 'Подтвержден' ? o.lines.length : 0), 0),
    };
  }

  // ---- the accountant's edits ----------------------------------------------------------------

  setStock(offerId: string, warehouseId: string, quantity: string): void {
    const o = this.offer(offerId);
    const wi = this.whIndex.get(warehouseId);
    if (wi === undefined) throw new SimError('not_found', `no warehouse with id ${warehouseId}`);
    if (!DECIMAL.test(quantity)) throw new SimError('invalid', `quantity must be a non-negative decimal, got "${quantity}"`);
    this.stocks.set(cell(o.index, wi), quantity);
    this.record([{ entity: 'offers', id: o.id }]);
  }

  setPrice(offerId: string, priceTypeId: string, value: string): void {
    const o = this.offer(offerId);
    const pi = this.ptIndex.get(priceTypeId);
    if (pi === undefined) throw new SimError('not_found', `no price type with id ${priceTypeId}`);
    if (!DECIMAL.test(value)) throw new SimError('invalid', `price must be a non-negative decimal, got "${value}"`);
    this.prices.set(cell(o.index, pi), value);
    this.record([{ entity: 'offers', id: o.id }]);
  }

  addProduct(p: { id: string; name: string; sku: string; groupId?: string; unit?: string; prices?: Record<string, string>; stock?: Record<string, string> }): SimOffer {
    if (this.productById.has(p.id)) throw new SimError('invalid', `a product with id ${p.id} exists`);
    const product: SimProduct = {
      id: p.id, groupId: p.groupId ?? this.data.groups.at(-1)!.id, sku: p.sku, barcode: '', name: p.name, unit: p.unit ?? 'шт',
      vatRate: '20', properties: {}, deleted: false,
    };
    const offer: SimOffer = {
      id: p.id, index: this.data.offers.length, productId: p.id, name: p.name, sku: p.sku, characteristics: {}, baseKopecks: 0,
      partnerOnly: false, deleted: false,
    };
    this.data.products.push(product);
    this.data.offers.push(offer);
    this.productById.set(product.id, product);
    this.offerById.set(offer.id, offer);
    this.data.priceTypes.forEach((pt, i) => {
      this.prices.set(cell(offer.index, i), p.prices?.[pt.id] ?? null);
    });
    for (const [wh, q] of Object.entries(p.stock ?? {})) {
      const wi = this.whIndex.get(wh);
      if (wi === undefined) throw new SimError('not_found', `no warehouse with id ${wh}`);
      this.stocks.set(cell(offer.index, wi), q);
    }
    this.record([{ entity: 'products', id: product.id }, { entity: 'offers', id: offer.id }]);
    return offer;
  }

  /** Sets the deletion mark of a product and its offers. */
  markProductDeleted(productId: string, deleted = true): void {
    const p = this.productById.get(productId);
    if (!p) throw new SimError('not_found', `no product with id ${productId}`);
    p.deleted = deleted;
    const offers = this.data.offers.filter((o) => o.productId === productId);
    for (const o of offers) o.deleted = deleted;
    this.record([{ entity: 'products', id: p.id }, ...offers.map((o) => ({ entity: 'offers' as const, id: o.id }))]);
  }

  linkCounterparty(id: string, headId: string | null): void {
    const cp = this.cpById.get(id);
    if (!cp) throw new SimError('not_found', `no counterparty with id ${id}`);
    if (headId !== null && !this.cpById.has(headId)) throw new SimError('not_found', `no counterparty with id ${headId}`);
    if (headId === id) throw new SimError('invalid', 'a counterparty cannot be its own head');
    cp.headId = headId;
    this.record([{ entity: 'counterparties', id }]);
  }

  setContractPrice(contractId: string, offerId: string, value: string | null): void {
    const c = this.contractById.get(contractId);
    if (!c) throw new SimError('not_found', `no contract with id ${contractId}`);
    this.offer(offerId);
    if (value === null) c.prices.delete(offerId);
    else if (!DECIMAL.test(value)) throw new SimError('invalid', `price must be a non-negative decimal, got "${value}"`);
    else c.prices.set(offerId, value);
    this.record([{ entity: 'contracts', id: contractId }]);
  }

  document(id: string): SimDocument | undefined {
    return this.data.documents.find((d) => d.id === id);
  }

  /** The accountant changes a document's status (an invoice paid, a statement signed). */
  setDocumentStatus(id: string, status: string): void {
    const d = this.document(id);
    if (!d) throw new SimError('not_found', `no document with id ${id}`);
    if (!status.trim()) throw new SimError('invalid', 'status must not be empty');
    d.status = status;
    this.record([{ entity: 'documents', id }]);
  }

  /** The accountant issues a new document to a counterparty (a copy of an existing one's lines). */
  issueDocument(doc: SimDocument): void {
    if (!this.cpById.has(doc.counterpartyId)) throw new SimError('not_found', `no counterparty with id ${doc.counterpartyId}`);
    if (this.document(doc.id)) throw new SimError('invalid', `a document with id ${doc.id} exists`);
    this.data.documents.push(doc);
    this.record([{ entity: 'documents', id: doc.id }]);
  }

  supplierOrder(id: string): SimSupplierOrder | undefined {
    return this.data.supplierOrders.find((o) => o.id === id);
  }

  /** The buyer's department orders goods from a supplier: expected arrivals at one warehouse. */
  placeSupplierOrder(o: SimSupplierOrder): void {
    if (this.supplierOrder(o.id)) throw new SimError('invalid', `a supplier order with id ${o.id} exists`);
    if (!this.whIndex.has(o.warehouseId)) throw new SimError('not_found', `no warehouse with id ${o.warehouseId}`);
    if (!o.lines.length) throw new SimError('invalid', 'a supplier order needs at least one line');
    for (const l of o.lines) {
      this.offer(l.offerId);
      if (!DECIMAL.test(l.quantity)) throw new SimError('invalid', `quantity must be a non-negative decimal, got "${l.quantity}"`);
      if (!Number.isInteger(l.inDays)) throw new SimError('invalid', `inDays must be a whole number, got "${l.inDays}"`);
    }
    this.data.supplierOrders.push(o);
    this.record([{ entity: 'supplierOrders', id: o.id }]);
  }

  /** The goods came: each line's quantity is added to the warehouse's stock and the order is closed. */
  receiveSupplierOrder(id: string): void {
    const o = this.openSupplierOrder(id);
    const wi = this.whIndex.get(o.warehouseId)!;
    for (const l of o.lines) {
      const offer = this.offer(l.offerId);
      const before = this.stock(offer, wi) ?? '0';
      this.stocks.set(cell(offer.index, wi), addQuantities(before, l.quantity));
    }
    o.status = 'Закрыт';
    this.record([{ entity: 'supplierOrders', id }, ...[...new Set(o.lines.map((l) => l.offerId))].map((offerId) => ({ entity: 'offers' as const, id: offerId }))]);
  }

  /** The supplier calls it off: nothing arrives. */
  cancelSupplierOrder(id: string): void {
    this.openSupplierOrder(id).status = 'Отменен';
    this.record([{ entity: 'supplierOrders', id }]);
  }

  private openSupplierOrder(id: string): SimSupplierOrder {
    const o = this.supplierOrder(id);
    if (!o) throw new SimError('not_found', `no supplier order with id ${id}`);
    if (o.status !== 'Подтвержден') throw new SimError('invalid', `supplier order ${id} is ${o.status === 'Закрыт' ? 'received' : 'cancelled'}`);
    return o;
  }

  /** The moment a counterparty's settlement figures are true for: its last movement. */
  settlementAsOf(counterpartyId: string): string {
    return this.settledAt.get(counterpartyId) ?? this.startedAt;
  }

  /** The accountant posts a payment or a shipment, or changes the limit or its policy: the settlement moves. */
  setSettlement(counterpartyId: string, s: { debt?: string; overdue?: string; creditLimit?: string; policy?: SimCounterparty['creditPolicy'] }): void {
    const cp = this.cpById.get(counterpartyId);
    if (!cp) throw new SimError('not_found', `no counterparty with id ${counterpartyId}`);
    for (const [k, v] of [['debt', s.debt], ['overdue', s.overdue], ['creditLimit', s.creditLimit]] as const) {
      if (v !== undefined && !(k === 'debt' ? /^-?\d+(\.\d+)?$/ : DECIMAL).test(v)) throw new SimError('invalid', `${k} must be a decimal, got "${v}"`);
    }
    if (s.policy !== undefined && s.policy !== 'Запрещать' && s.policy !== 'Предупреждать') throw new SimError('invalid', 'policy must be Запрещать or Предупреждать');
    if (s.debt !== undefined) cp.debt = s.debt;
    if (s.overdue !== undefined) cp.overdue = s.overdue;
    if (s.creditLimit !== undefined) cp.creditLimit = s.creditLimit;
    if (s.policy !== undefined) cp.creditPolicy = s.policy;
    this.settledAt.set(counterpartyId, this.now().toISOString());
    this.record([{ entity: 'settlements', id: counterpartyId }]);
  }

  private record(changes: { entity: FeedEntity; id: string }[]): void {
    const at = this.now().toISOString();
    const entries = changes.map((c) => ({ seq: ++this.seq, at, ...c }));
    this.feed.push(...entries);
    for (const fn of this.listeners) fn(entries);
  }

  /** Changes after a cursor, each entity once, at most `limit` feed entries per call. */
  changesSince(cursor: string, limit: number): { entries: FeedEntry[]; next: string; hasMore: boolean } {
    const since = Number(cursor || 0);
    if (!Number.isInteger(since) || since < 0) throw new SimError('invalid', `cursor must be a non-negative integer, got "${cursor}"`);
    // Feed entries have consecutive seq numbers starting at 1.
    const slice = this.feed.slice(since, since + limit);
    const seen = new Set<string>();
    const entries = slice.filter((e) => {
      const k = `${e.entity}:${e.id}`;
      if (seen.has(k)) return false;
      seen.add(k);
      return true;
    });
    return { entries, next: String(since + slice.length), hasMore: since + slice.length < this.feed.length };
  }

  // ---- orders ---------------------------------------------------------------------------------

  /** Idempotent by the store's order id: the same order twice gives the same document. */
  createOrder(o: NewOrder): { order: SimOrder; created: boolean } {
    const known = this.ordersByStoreId.get(o.storeOrderId);
    if (known) return { order: known, created: false };
    if (!this.cpById.has(o.counterpartyId)) throw new SimError('not_found', `no counterparty with id ${o.counterpartyId}`);
    if (!o.lines.length) throw new SimError('invalid', 'an order needs at least one line');
    for (const l of o.lines) this.offer(l.offerId);
    const n = ++this.orderSeq;
    const total = o.lines.reduce((s, l) => s + Math.round(Number(l.amount) * 100), 0);
    const order: SimOrder = {
      ...o, id: `ORD-${String(n).padStart(6, '0')}`, number: `ЗК-${String(n).padStart(6, '0')}`, total: money(total), status: 'Принят',
      createdAt: this.now().toISOString(),
    };
    this.ordersByStoreId.set(o.storeOrderId, order);
    this.ordersById.set(order.id, order);
    this.postOrderStatus(order.id, 'Принят', 'Заказ зарегистрирован в учётной системе');
    return { order, created: true };
  }

  orders(): SimOrder[] {
    return [...this.ordersById.values()];
  }

  /** The order by our id, our number, or the store's number. */
  findOrder(ref: string): SimOrder | undefined {
    return this.ordersById.get(ref) ?? this.orders().find((o) => o.number === ref || o.storeNumber === ref || o.storeOrderId === ref);
  }

  postOrderStatus(ref: string, status: string, note = ''): StatusEntry {
    const order = this.findOrder(ref);
    if (!order) throw new SimError('not_found', `no order ${ref}`);
    if (!status.trim()) throw new SimError('invalid', 'status must not be empty');
    order.status = status;
    const entry = { seq: ++this.statusSeq, orderId: order.id, status, note, at: this.now().toISOString() };
    this.statusFeed.push(entry);
    return entry;
  }

  statusesSince(cursor: string, limit: number): { entries: (StatusEntry & { order: SimOrder })[]; next: string } {
    const since = Number(cursor || 0);
    if (!Number.isInteger(since) || since < 0) throw new SimError('invalid', `cursor must be a non-negative integer, got "${cursor}"`);
    const slice = this.statusFeed.slice(since, since + limit);
    return { entries: slice.map((e) => ({ ...e, order: this.ordersById.get(e.orderId)! })), next: String(since + slice.length) };
  }

  // ---- reservations ---------------------------------------------------------------------------

  /** Idempotent by the store's reservation id: placing it twice gives the same hold. */
  placeReservation(r: NewReservation): { reservation: SimReservation; created: boolean } {
    if (!r.storeReservationId) throw new SimError('invalid', 'Reservation.StoreReservationId is required');
    const known = this.reservationsByStoreId.get(r.storeReservationId);
    if (known) return { reservation: known, created: false };
    if (!this.cpById.has(r.counterpartyId)) throw new SimError('not_found', `no counterparty with id ${r.counterpartyId}`);
    this.offer(r.offerId);
    if (!this.whIndex.has(r.warehouseId)) throw new SimError('not_found', `no warehouse with id ${r.warehouseId}`);
    if (!DECIMAL.test(r.quantity) || Number(r.quantity) <= 0) throw new SimError('invalid', `Quantity must be a positive decimal, got "${r.quantity}"`);
    const expiresAt = this.instant(r.expiresAt, 'ExpiresAt');
    const reservation: SimReservation = {
      ...r, expiresAt, id: `RSV-${String(++this.reservationSeq).padStart(6, '0')}`, state: 'active', releaseReason: null, operations: [],
      createdAt: this.now().toISOString(),
    };
    this.reservationsByStoreId.set(r.storeReservationId, reservation);
    return { reservation, created: true };
  }

  /** Moves the deadline; an operation key already applied changes nothing and answers the same. */
  extendReservation(storeReservationId: string, operationId: string, expiresAt: string): { reservation: SimReservation; applied: boolean } {
    const r = this.knownReservation(storeReservationId);
    if (!operationId) throw new SimError('invalid', 'OperationId is required');
    if (r.operations.includes(operationId)) return { reservation: r, applied: false };
    if (r.state !== 'active') throw new SimError('invalid', `reservation ${r.id} is released`);
    r.expiresAt = this.instant(expiresAt, 'ExpiresAt');
    r.operations.push(operationId);
    return { reservation: r, applied: true };
  }

  /** Ends the hold; releasing a released one changes nothing. */
  releaseReservation(storeReservationId: string, reason: string): { reservation: SimReservation; released: boolean } {
    const r = this.knownReservation(storeReservationId);
    if (r.state === 'released') return { reservation: r, released: false };
    r.state = 'released';
    r.releaseReason = reason || null;
    return { reservation: r, released: true };
  }

  reservations(): SimReservation[] {
    return [...this.reservationsByStoreId.values()];
  }

  private knownReservation(storeReservationId: string): SimReservation {
    const r = this.reservationsByStoreId.get(storeReservationId);
    if (!r) throw new SimError('not_found', `no reservation ${storeReservationId}`);
    return r;
  }

  private instant(v: string, name: string): string {
    const t = Date.parse(v);
    if (!v || Number.isNaN(t)) throw new SimError('invalid', `${name} must be a date-time, got "${v}"`);
    return new Date(t).toISOString();
  }
}
