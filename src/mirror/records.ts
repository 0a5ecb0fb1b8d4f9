// What connectors produce and src/sync applies: plain typed objects keyed by the accounting
// system's external ids. Money and quantities are decimal strings ("1234.50"), never floats.
// `deleted: true` is a deletion mark; a later record with `deleted: false` undoes it.

export interface GroupRecord {
  externalId: string;
  parentExternalId?: string | null;
  name: string;
  sort?: number;
  deleted?: boolean;
}

export interface ProductRecord {
  externalId: string;
  groupExternalId?: string | null;
  sku?: string | null;
  barcode?: string | null;
  name: string;
  description?: string | null;
  unit?: string | null;
  vatRate?: string | null;
  properties?: Record<string, string>;
  images?: string[];
  deleted?: boolean;
}

export interface OfferRecord {
  externalId: string;
  productExternalId: string;
  name?: string | null;
  sku?: string | null;
  barcode?: string | null;
  characteristics?: Record<string, string>;
  deleted?: boolean;
}

export interface PriceTypeRecord {
  externalId: string;
  name: string;
  currency?: string;
  vatIncluded?: boolean;
  isBase?: boolean;
  deleted?: boolean;
}

export interface PriceRecord {
  offerExternalId: string;
  priceTypeExternalId: string;
  value: string;
  currency?: string | null;
  deleted?: boolean;
}

export interface WarehouseRecord {
  externalId: string;
  name: string;
  kind?: 'own' | 'partner';
  commissionPct?: string;
  deliveryDays?: number;
  address?: string | null;
  sort?: number;
  deleted?: boolean;
}

export interface StockRecord {
  offerExternalId: string;
  warehouseExternalId: string;
  quantity: string;
  deleted?: boolean;
}

export interface ManagerRecord {
  externalId: string;
  name: string;
  email?: string | null;
  phone?: string | null;
  photoUrl?: string | null;
  messengers?: Record<string, string>;
  workingHours?: string | null;
  deleted?: boolean;
}

export interface CounterpartyRecord {
  externalId: string;
  name: string;
  fullName?: string | null;
  inn?: string | null;
  kpp?: string | null;
  email?: string | null;
  phone?: string | null;
  headExternalId?: string | null;
  managerExternalId?: string | null;
  priceTypeExternalId?: string | null;
  debt?: string;
  creditLimit?: string | null;
  /** Requisites the store's own invoice prints for the buyer. */
  legalAddress?: string | null;
  bankName?: string | null;
  bankBic?: string | null;
  bankAccount?: string | null;
  bankCorrAccount?: string | null;
  deleted?: boolean;
}

export interface ContractRecord {
  externalId: string;
  counterpartyExternalId: string;
  name: string;
  number?: string | null;
  priceTypeExternalId?: string | null;
  discountPct?: string;
  currency?: string;
  validFrom?: string | null;
  validTo?: string | null;
  isDefault?: boolean;
  deleted?: boolean;
}

export interface ContractPriceRecord {
  contractExternalId: string;
  offerExternalId: string;
  value: string;
  currency?: string | null;
  deleted?: boolean;
}

export const DOCUMENT_KINDS = ['invoice', 'shipment', 'reconciliation'] as const;
/** invoice: счёт на оплату; shipment: УПД / ТОРГ-12; reconciliation: акт сверки. */
export type DocumentKind = (typeof DOCUMENT_KINDS)[number];

/** One line of a document: a good (invoice, shipment) or an entry of a reconciliation statement. */
export interface DocumentLine {
  lineNo?: number | null;
  name: string;
  sku?: string | null;
  unit?: string | null;
  quantity?: string | null;
  price?: string | null;
  amount: string;
  vatRate?: string | null;
  vatAmount?: string | null;
}

/** A document of the accounting system, sent whole: its lines replace the previous ones. */
export interface DocumentRecord {
  externalId: string;
  counterpartyExternalId: string;
  kind: DocumentKind;
  number: string;
  date: string;
  amount: string;
  vatAmount?: string | null;
  currency?: string | null;
  status?: string | null;
  periodFrom?: string | null;
  periodTo?: string | null;
  lines?: DocumentLine[];
  /** The system's own printed form, when it sends one (base64; a PDF). */
  fileName?: string | null;
  fileBase64?: string | null;
  deleted?: boolean;
}

export const CREDIT_POLICIES = ['refuse', 'warn'] as const;
/** What the store does with an order that would pass the limit: refuse it, or warn and let the buyer confirm. */
export type CreditPolicy = (typeof CREDIT_POLICIES)[number];

/**
 * A counterparty's settlements (взаиморасчёты) as the system computed them at `asOf`: the debt
 * (negative: the counterparty paid in advance), its overdue part, the credit limit (null: none)
 * and the policy for an order past the limit. One per counterparty; a later one replaces it.
 */
export interface CreditRecord {
  counterpartyExternalId: string;
  debt: string;
  overdue?: string | null;
  creditLimit?: string | null;
  policy?: CreditPolicy | null;
  currency?: string | null;
  /** ISO date and time (UTC) the figures are true for. */
  asOf: string;
  deleted?: boolean;
}

/** Every entity kind the mirror holds, with its record type. */
export interface MirrorRecords {
  groups: GroupRecord;
  priceTypes: PriceTypeRecord;
  warehouses: WarehouseRecord;
  managers: ManagerRecord;
  products: ProductRecord;
  offers: OfferRecord;
  counterparties: CounterpartyRecord;
  contracts: ContractRecord;
  prices: PriceRecord;
  stock: StockRecord;
  contractPrices: ContractPriceRecord;
  documents: DocumentRecord;
  credit: CreditRecord;
}

export type EntityName = keyof MirrorRecords;

/** Dependency order: an entity's references point only to entities before it. */
export const ENTITY_ORDER: readonly EntityName[] = [
  'groups',
  'priceTypes',
  'warehouses',
  'managers',
  'products',
  'offers',
  'counterparties',
  'contracts',
  'prices',
  'stock',
  'contractPrices',
  'documents',
  'credit',
];
