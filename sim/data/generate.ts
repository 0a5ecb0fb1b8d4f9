// The deterministic data generator: any scale, same seed → same data.
import { generateSupplierOrders } from './arrivals.ts';
import { addSettlements } from './credit.ts';
import { addRequisites, generateDocuments } from './documents.ts';
import { isValidInn, makeInn, makeKpp } from './inn.ts';
import { int, money, pick, rng } from './random.ts';
import type {
  DatasetOptions, SimContract, SimCounterparty, SimDataset, SimGroup, SimManager, SimOffer, SimPriceType, SimProduct, SimWarehouse,
} from './types.ts';
import * as V from './vocab.ts';

export const DEMO_OPTIONS: DatasetOptions = {
  seed: 42, products: 240, warehouses: 4, partnerWarehouses: 1, priceTypes: 4, counterparties: 24, managers: 4,
  variantShare: 0.1, partnerOnlyShare: 0.06, contractPrices: 5,
};

export const BENCH_OPTIONS: DatasetOptions = {
  seed: 7, products: 100_000, warehouses: 12, partnerWarehouses: 3, priceTypes: 20, counterparties: 2000, managers: 25,
  variantShare: 0.1, partnerOnlyShare: 0.05, contractPrices: 20,
};

/** A dataset has fewer price types, and fewer warehouses, than this: the state keys each price or stock cell by one number (sim/state.ts). */
export const MAX_CELLS_PER_OFFER = 4096;

export function datasetOptions(partial: Partial<DatasetOptions> = {}): DatasetOptions {
  const o = { ...DEMO_OPTIONS, ...partial };
  if (o.priceTypes >= MAX_CELLS_PER_OFFER || o.warehouses >= MAX_CELLS_PER_OFFER) {
    throw new Error(`the simulator takes fewer than ${MAX_CELLS_PER_OFFER} price types and warehouses`);
  }
  o.partnerWarehouses = Math.min(o.partnerWarehouses, Math.max(0, o.warehouses - 1));
  return o;
}

/** A GUID-like id (1C's reference ids look like this), deterministic from the PRNG. */
function guid(r: () => number): string {
  const hex = (n: number) => Array.from({ length: n }, () => Math.floor(r() * 16).toString(16)).join('');
  return `${hex(8)}-${hex(4)}-${hex(4)}-${hex(4)}-${hex(12)}`;
}

const pad = (n: number, w: number) => String(n).padStart(w, '0');

function priceTypes(o: DatasetOptions): SimPriceType[] {
  return Array.from({ length: o.priceTypes }, (_, i) => ({
    id: `PT${pad(i + 1, 3)}`,
    name: i < V.PRICE_TYPE_NAMES.length ? V.PRICE_TYPE_NAMES[i]! : `${V.PRICE_TYPE_NAMES[i % V.PRICE_TYPE_NAMES.length]} ${Math.floor(i / V.PRICE_TYPE_NAMES.length) + 1}`,
    currency: 'RUB',
    vatIncluded: true,
    isBase: i === 0,
  }));
}

function warehouses(o: DatasetOptions, r: () => number): SimWarehouse[] {
  const own = o.warehouses - o.partnerWarehouses;
  return Array.from({ length: o.warehouses }, (_, i) => {
    const partner = i >= own;
    const city = V.CITIES[i % V.CITIES.length]!;
    return {
      id: `WH${pad(i + 1, 2)}`,
      name: partner ? `Склад партнёра «${pick(r, V.COMPANY_WORDS)}», ${city}` : i === 0 ? `Основной склад, ${city}` : `Склад ${city}`,
      kind: partner ? 'partner' : 'own',
      commissionPct: partner ? `${int(r, 3, 12)}.${pick(r, ['0', '5'])}` : '0',
      deliveryDays: partner ? int(r, 2, 7) : i === 0 ? 0 : int(r, 1, 2),
      address: `г. ${city}, ул. ${pick(r, ['Промышленная', 'Складская', 'Заводская', 'Транспортная'])}, д. ${int(r, 1, 99)}`,
    };
  });
}

function groups(r: () => number): { all: SimGroup[]; leaves: SimGroup[] } {
  const all: SimGroup[] = [];
  const leaves: SimGroup[] = [];
  for (const top of V.TOP_GROUPS) {
    const t = { id: guid(r), parentId: null, name: top };
    all.push(t);
    for (const sub of V.SUB_GROUPS[top]!) {
      const s = { id: guid(r), parentId: t.id, name: sub };
      all.push(s);
      for (const leaf of V.LEAF_SUFFIXES) {
        const l = { id: guid(r), parentId: s.id, name: `${sub}: ${leaf.toLowerCase()}` };
        all.push(l);
        leaves.push(l);
      }
    }
  }
  return { all, leaves };
}

function catalog(o: DatasetOptions, r: () => number, leaves: SimGroup[]): { products: SimProduct[]; offers: SimOffer[] } {
  const products: SimProduct[] = [];
  const offers: SimOffer[] = [];
  for (let i = 0; i < o.products; i++) {
    const noun = pick(r, V.ITEM_NOUNS);
    const brand = pick(r, V.BRANDS);
    const name = `${noun} ${brand} ${pick(r, V.SPECS)}`;
    const sku = `${V.translit(brand).slice(0, 3).toUpperCase()}-${pad(i + 1, 6)}`;
    const p: SimProduct = {
      id: guid(r),
      groupId: pick(r, leaves).id,
      sku,
      barcode: `46${pad(Math.floor(r() * 1e10), 10)}${int(r, 0, 9)}`,
      name,
      unit: pick(r, V.UNITS),
      vatRate: r() < 0.9 ? '20' : '10',
      properties: { 'Производитель': brand, 'Страна': pick(r, ['Россия', 'Китай', 'Германия', 'Япония']) },
      deleted: false,
    };
    products.push(p);
    const baseKopecks = Math.round(Math.exp(3 + r() * 8)) * 100 + int(r, 0, 99);
    const partnerOnly = r() < o.partnerOnlyShare;
    if (r() < o.variantShare) {
      const bySize = r() < 0.5;
      const values = bySize ? V.SIZES : V.COLOURS;
      const n = int(r, 2, 4);
      for (let v = 0; v < n; v++) {
        const value = values[v]!;
        offers.push({
          id: `${p.id}#${guid(r)}`, index: offers.length, productId: p.id, name: `${name}, ${value}`, sku: `${sku}-${v + 1}`,
          characteristics: { [bySize ? 'Размер' : 'Цвет']: value }, baseKopecks: baseKopecks + v * 1000, partnerOnly, deleted: false,
        });
      }
    } else {
      offers.push({ id: p.id, index: offers.length, productId: p.id, name, sku, characteristics: {}, baseKopecks, partnerOnly, deleted: false });
    }
  }
  return { products, offers };
}

function personName(r: () => number): { name: string; email: string } {
  const female = r() < 0.5;
  const first = pick(r, female ? ['Анна', 'Мария', 'Елена', 'Ольга', 'Ирина', 'Наталья'] : ['Алексей', 'Дмитрий', 'Сергей', 'Андрей', 'Михаил', 'Павел']);
  const last = pick(r, V.LAST_NAMES) + (female ? 'а' : '');
  const patronymic = pick(r, female ? V.PATRONYMICS_F : V.PATRONYMICS_M);
  return { name: `${last} ${first} ${patronymic}`, email: `${V.translit(first)[0]}.${V.translit(last)}` };
}

const phone = (r: () => number) => `+7 (${pick(r, ['495', '812', '343', '383', '843'])}) ${int(r, 200, 999)}-${pad(int(r, 0, 99), 2)}-${pad(int(r, 0, 99), 2)}`;

function managers(o: DatasetOptions, r: () => number): SimManager[] {
  return Array.from({ length: o.managers }, (_, i) => {
    const p = personName(r);
    return { id: `MG${pad(i + 1, 3)}`, name: p.name, email: `${p.email}${i}@td-counterpart.ru`, phone: phone(r) };
  });
}

function counterparties(o: DatasetOptions, r: () => number, mgrs: SimManager[], pts: SimPriceType[]): SimCounterparty[] {
  const list: SimCounterparty[] = [];
  const heads: SimCounterparty[] = [];
  const usablePts = pts.slice(0, Math.max(1, Math.min(pts.length, 6)));
  for (let i = 0; i < o.counterparties; i++) {
    const form = pick(r, V.COMPANY_FORMS);
    const soleTrader = form === 'ИП';
    const inn = makeInn(r, soleTrader);
    if (!isValidInn(inn)) throw new Error(`generated an invalid INN ${inn}`);
    const word = pick(r, V.COMPANY_WORDS);
    const city = pick(r, V.CITIES);
    const person = personName(r);
    const name = soleTrader ? `ИП ${person.name}` : `${form} «${word}${i >= V.COMPANY_WORDS.length ? `-${i}` : ''}»`;
    // A quarter are heads; a third of the rest belong to one of them (several legal entities of one client).
    const head = heads.length > 0 && i % 4 !== 0 && r() < 0.35 ? pick(r, heads) : null;
    const cp: SimCounterparty = {
      id: guid(r),
      name,
      fullName: soleTrader ? `Индивидуальный предприниматель ${person.name}` : `${form === 'АО' ? 'Акционерное общество' : 'Общество с ограниченной ответственностью'} «${word}», ${city}`,
      inn,
      kpp: soleTrader ? '' : makeKpp(r, inn),
      email: `zakaz@${V.translit(word)}${i}.ru`,
      phone: phone(r),
      headId: head ? head.id : null,
      managerId: head ? head.managerId : pick(r, mgrs).id,
      priceTypeId: pick(r, usablePts).id,
      debt: money(r() < 0.6 ? 0 : int(r, 1000, 5_000_000) * 10),
      creditLimit: money(int(r, 10, 200) * 10_000_00),
      overdue: '0.00', creditPolicy: 'Запрещать', // addSettlements fills them
      legalAddress: '', bankName: '', bic: '', account: '', corrAccount: '', // addRequisites fills them
      deleted: false,
    };
    list.push(cp);
    if (i % 4 === 0) heads.push(cp);
  }
  return list;
}

function contracts(o: DatasetOptions, r: () => number, cps: SimCounterparty[], pts: SimPriceType[], offers: SimOffer[]): SimContract[] {
  const list: SimContract[] = [];
  let n = 0;
  for (const cp of cps) {
    const count = r() < 0.3 ? 2 : 1;
    for (let k = 0; k < count; k++) {
      n++;
      const year = 2024 + int(r, 0, 2);
      const prices = new Map<string, string>();
      const want = offers.length ? int(r, 0, 2 * o.contractPrices) : 0;
      for (let j = 0; j < want; j++) {
        const off = offers[Math.floor(r() * offers.length)]!;
        prices.set(off.id, money(off.baseKopecks * (0.8 + r() * 0.15)));
      }
      list.push({
        id: guid(r),
        counterpartyId: cp.id,
        name: k === 0 ? `Основной договор поставки № ${pad(n, 5)}` : `Договор поставки (дилерский) № ${pad(n, 5)}`,
        number: `ДП-${year}/${pad(n, 5)}`,
        priceTypeId: k === 0 ? cp.priceTypeId : pick(r, pts).id,
        discountPct: r() < 0.5 ? '0' : `${int(r, 1, 15)}`,
        currency: 'RUB',
        validFrom: `${year}-01-01`,
        validTo: `${year + 2}-12-31`,
        isDefault: k === 0,
        prices,
        deleted: false,
      });
    }
  }
  return list;
}

/** Builds a whole dataset from the options; the same options always give the same data. */
export function generateDataset(partial: Partial<DatasetOptions> = {}): SimDataset {
  const options = datasetOptions(partial);
  const r = rng(options.seed);
  const pts = priceTypes(options);
  const whs = warehouses(options, r);
  const g = groups(r);
  const { products, offers } = catalog(options, r, g.leaves);
  const mgrs = managers(options, r);
  const cps = counterparties(options, r, mgrs, pts);
  const ctrs = contracts(options, r, cps, pts, offers);
  addRequisites(options.seed, cps);
  addSettlements(options.seed, cps);
  return {
    options, priceTypes: pts, warehouses: whs, groups: g.all, products, offers, managers: mgrs, counterparties: cps, contracts: ctrs,
    documents: generateDocuments(options.seed, cps, offers),
    supplierOrders: generateSupplierOrders(options.seed, whs, offers),
  };
}
