// Supplier orders: what the system expects to receive, per warehouse. Drawn from a PRNG of their
// own, so adding them left every other generated value (and the tests that assert them) as it was.
// Dates are days from "today" (the simulator's clock, in Moscow): the demo always shows arrivals
// ahead, whatever day it runs.
import { int, rng } from './random.ts';
import type { SimOffer, SimSupplierOrder, SimWarehouse } from './types.ts';

const pad = (n: number, w: number) => String(n).padStart(w, '0');

/**
 * The main warehouse (the first own one) gets three orders, due in 3, 8 and 15 days; the first
 * offers own warehouses carry are on the first two, so the demo's first products have arrivals
 * (the very first one on both). Every other own warehouse gets one order due in 5 days.
 */
export function generateSupplierOrders(seed: number, warehouses: SimWarehouse[], offers: SimOffer[]): SimSupplierOrder[] {
  const r = rng(seed ^ 0x0a77_1e5);
  const own = warehouses.filter((w) => w.kind === 'own');
  const stocked = offers.filter((o) => !o.partnerOnly && !o.deleted);
  const out: SimSupplierOrder[] = [];
  if (!own.length || !stocked.length) return out;
  let n = 0;
  const order = (warehouseId: string, inDays: number, fixed: SimOffer[]): SimSupplierOrder => {
    const id = `ЗП-${pad(++n, 6)}`;
    const picked = [...fixed];
    for (let k = int(r, 3, 6); k > 0; k--) {
      const o = stocked[Math.floor(r() * stocked.length)]!;
      if (!picked.includes(o)) picked.push(o);
    }
    return {
      id, number: id, warehouseId, status: 'Подтвержден',
      lines: picked.map((o, i) => ({ id: `${id}/${i + 1}`, offerId: o.id, quantity: String(int(r, 2, 15) * 10), inDays })),
    };
  };
  const first = stocked.slice(0, 4);
  const main = own[0]!.id;
  out.push(order(main, 3, first.slice(0, 3)), order(main, 8, [first[0]!, ...first.slice(3)]), order(main, 15, []));
  for (const w of own.slice(1)) out.push(order(w.id, 5, []));
  return out;
}

/** The calendar date `days` after `now` in Moscow (the simulated 1C runs there), YYYY-MM-DD. */
export function moscowDateIn(now: Date, days: number): string {
  const today = new Intl.DateTimeFormat('en-CA', { timeZone: 'Europe/Moscow', year: 'numeric', month: '2-digit', day: '2-digit' }).format(now);
  const d = new Date(`${today}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + days);
  return d.toISOString().slice(0, 10);
}
