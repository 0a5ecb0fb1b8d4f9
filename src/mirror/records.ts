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
];
