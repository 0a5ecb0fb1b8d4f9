// The simulator's own data model: what an accounting system holds. Prices and stock are
// computed from the seed on demand (with overrides for edits), so 100k × 20 × 12 fits in memory.

export interface DatasetOptions {
  seed: number;
  products: number;
  /** Total warehouses; the last `partnerWarehouses` of them belong to partners. */
  warehouses: number;
  partnerWarehouses: number;
  priceTypes: number;
  counterparties: number;
  managers: number;
  /** Share of products sold in variants (characteristics), 0..1. */
  variantShare: number;
  /** Share of products held only at partner warehouses, 0..1. */
  partnerOnlyShare: number;
  /** Individual prices per contract (on average). */
  contractPrices: number;
}

export interface SimPriceType { id: string; name: string; currency: string; vatIncluded: boolean; isBase: boolean }

export interface SimWarehouse {
  id: string;
  name: string;
  kind: 'own' | 'partner';
  commissionPct: string;
  deliveryDays: number;
  address: string;
}

export interface SimGroup { id: string; parentId: string | null; name: string }

export interface SimProduct {
  id: string;
  groupId: string;
  sku: string;
  barcode: string;
  name: string;
  unit: string;
  vatRate: string;
  properties: Record<string, string>;
  deleted: boolean;
}

export interface SimOffer {
  /** Product id, or product id + '#' + characteristic id for a variant. */
  id: string;
  /** Stable position: prices and stock are derived from it. */
  index: number;
  productId: string;
  name: string;
  sku: string;
  characteristics: Record<string, string>;
  baseKopecks: number;
  partnerOnly: boolean;
  deleted: boolean;
}

export interface SimManager { id: string; name: string; email: string; phone: string }

export interface SimCounterparty {
  id: string;
  name: string;
  fullName: string;
  inn: string;
  kpp: string;
  email: string;
  phone: string;
  headId: string | null;
  managerId: string;
  priceTypeId: string;
  debt: string;
  creditLimit: string;
  /** The overdue part of the debt, and what the system does with an order past the limit (sim/data/credit.ts). */
  overdue: string;
  creditPolicy: 'Запрещать' | 'Предупреждать';
  /** Requisites for invoices: legal address, bank, BIC, settlement and correspondent accounts. */
  legalAddress: string;
  bankName: string;
  bic: string;
  account: string;
  corrAccount: string;
  deleted: boolean;
}

export interface SimContract {
  id: string;
  counterpartyId: string;
  name: string;
  number: string;
  priceTypeId: string;
  discountPct: string;
  currency: string;
  validFrom: string;
  validTo: string;
  isDefault: boolean;
  /** Individual prices: offer id → price. */
  prices: Map<string, string>;
  deleted: boolean;
}

export interface SimDataset {
  options: DatasetOptions;
  priceTypes: SimPriceType[];
  warehouses: SimWarehouse[];
  groups: SimGroup[];
  products: SimProduct[];
  offers: SimOffer[];
  managers: SimManager[];
  counterparties: SimCounterparty[];
  contracts: SimContract[];
  documents: SimDocument[];
}

export interface SimDocumentLine { name: string; sku: string; unit: string; quantity: string; price: string; amount: string; vatRate: string; vatAmount: string }

/** A document the system issued to a counterparty: invoice (счёт), shipment (УПД / ТОРГ-12) or reconciliation (акт сверки). */
export interface SimDocument {
  id: string;
  counterpartyId: string;
  kind: 'Счет на оплату' | 'УПД' | 'ТОРГ-12' | 'Акт сверки';
  number: string;
  date: string;
  amount: string;
  vatAmount: string;
  status: string;
  periodFrom: string | null;
  periodTo: string | null;
  lines: SimDocumentLine[];
  /** Whether the system has a printed form of it (a small PDF) to send. */
  hasFile: boolean;
  deleted: boolean;
}

export interface SimOrderLine { offerId: string; warehouseId: string | null; quantity: string; price: string; amount: string }

export interface SimOrder {
  id: string;
  number: string;
  storeOrderId: string;
  storeNumber: string;
  counterpartyId: string;
  contractId: string | null;
  comment: string;
  total: string;
  lines: SimOrderLine[];
  status: string;
  createdAt: string;
}
