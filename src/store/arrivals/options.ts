// "When can I have it": for one offer and a quantity, every way to get it — each warehouse that
// has enough now (own: its price; partner: its commission-inclusive price), and each warehouse
// that will have enough after its next expected arrival(s) — with the date the goods can be with
// the buyer, the earliest and the cheapest marked. Pure: the caller loads stock, prices and
// arrivals (src/store/arrivals/arrivals.ts). Quantities and money are exact decimal strings.
import { DateTime } from 'luxon';
import { cmp, mul, toUnits } from '../shared/decimal.ts';

export interface WarehouseOffer {
  warehouseId: number;
  name: string;
  kind: 'own' | 'partner';
  deliveryDays: number;
  /** Available now (stock less reservations), exact decimal text. */
  available: string;
  /** The buyer's price per unit at this warehouse (partner commission included); null: no price. */
  unitPrice: string | null;
}

/** So much due at a warehouse on a date (YYYY-MM-DD). */
export interface ExpectedArrival {
  warehouseId: number;
  date: string;
  quantity: string;
}

export interface DeliveryOption {
  warehouseId: number;
  name: string;
  kind: 'own' | 'partner';
  /** 'stock': enough now; 'arrival': enough once the arrival of `arrivalDate` is in. */
  via: 'stock' | 'arrival';
  /** When the goods can be with the buyer: the day they are at the warehouse + its delivery days. */
  date: string;
  deliveryDays: number;
  /** The arrival that completes the quantity (an overdue one counts as today). */
  arrivalDate: string | null;
  /** Of the quantity: what the warehouse has now and what the arrivals bring. */
  fromStock: string;
  fromArrivals: string;
  unitPrice: string | null;
  amount: string | null;
  earliest: boolean;
  cheapest: boolean;
}

/** A warehouse that has or expects some, but not the whole quantity. */
export interface ShortWarehouse {
  warehouseId: number;
  name: string;
  kind: 'own' | 'partner';
  /** All it will have once every known arrival is in. */
  reachable: string;
  lastArrival: string | null;
}

export interface DeliveryOptions {
  quantity: string;
  options: DeliveryOption[];
  short: ShortWarehouse[];
}

const plusDays = (date: string, days: number) => DateTime.fromISO(date, { zone: 'utc' }).plus({ days }).toISODate()!;
const later = (a: string, b: string) => (a > b ? a : b);
const text = (units: bigint) => {
  const neg = units < 0n;
  const a = neg ? -units : units;
  const f = String(a % 10_000n).padStart(4, '0').replace(/0+$/, '');
  return `${neg ? '-' : ''}${a / 10_000n}${f ? `.${f}` : ''}`;
};

/**
 * The options for `quantity` (a positive decimal) as of `today` (the store's date), soonest first;
 * within a date the warehouses keep their given order (own first, by sort), which also breaks the last ties. Earliest: the
 * soonest date, then the lower amount; cheapest: the lower amount (options without a price are
 * never cheapest), then the sooner date. Exactly one option carries each mark when any exists.
 */
export function deliveryOptions(input: { quantity: string; today: string; warehouses: WarehouseOffer[]; arrivals: ExpectedArrival[] }): DeliveryOptions {
  const want = toUnits(input.quantity);
  if (want <= 0n) throw new RangeError(`the quantity must be above zero, got "${input.quantity}"`);
  const options: DeliveryOption[] = [];
  const short: ShortWarehouse[] = [];
  for (const w of input.warehouses) {
    const now = toUnits(w.available) > 0n ? toUnits(w.available) : 0n;
    const base = { warehouseId: w.warehouseId, name: w.name, kind: w.kind, deliveryDays: w.deliveryDays, unitPrice: w.unitPrice };
    const amount = w.unitPrice === null ? null : mul(w.unitPrice, input.quantity);
    if (now >= want) {
      options.push({
        ...base, via: 'stock', date: plusDays(input.today, w.deliveryDays), arrivalDate: null, fromStock: input.quantity, fromArrivals: '0', amount,
        earliest: false, cheapest: false,
      });
      continue;
    }
    const due = input.arrivals.filter((a) => a.warehouseId === w.warehouseId && toUnits(a.quantity) > 0n).sort((a, b) => (a.date < b.date ? -1 : a.date > b.date ? 1 : 0));
    let have = now;
    let covered: string | null = null;
    for (const a of due) {
      have += toUnits(a.quantity);
      if (have >= want) {
        covered = later(a.date, input.today);
        break;
      }
    }
    if (covered) {
      options.push({
        ...base, via: 'arrival', date: plusDays(covered, w.deliveryDays), arrivalDate: covered, fromStock: text(now), fromArrivals: text(want - now), amount,
        earliest: false, cheapest: false,
      });
    } else if (have > 0n) {
      short.push({ warehouseId: w.warehouseId, name: w.name, kind: w.kind, reachable: text(have), lastArrival: due.length ? later(due.at(-1)!.date, input.today) : null });
    }
  }
  const byDate = (a: DeliveryOption, b: DeliveryOption) => (a.date < b.date ? -1 : a.date > b.date ? 1 : 0);
  options.sort(byDate); // stable: within a date, the warehouses' order
  const byAmount = (a: DeliveryOption, b: DeliveryOption) => (a.amount === null ? (b.amount === null ? 0 : 1) : b.amount === null ? -1 : cmp(a.amount, b.amount));
  const best = (order: (a: DeliveryOption, b: DeliveryOption) => number, list: DeliveryOption[]) =>
    list.reduce<DeliveryOption | undefined>((m, o) => (m === undefined || order(o, m) < 0 ? o : m), undefined);
  const earliest = best((a, b) => byDate(a, b) || byAmount(a, b), options);
  if (earliest) earliest.earliest = true;
  const cheapest = best((a, b) => byAmount(a, b) || byDate(a, b), options.filter((o) => o.amount !== null));
  if (cheapest) cheapest.cheapest = true;
  return { quantity: input.quantity, options, short };
}
