// How each entity of src/mirror/records.ts maps onto its mirror table: staged columns, the key,
// and references resolved from external ids to internal ids at merge time.
import type { EntityName, MirrorRecords } from '../mirror/records.ts';
import { storeCurrency } from '../infra/intl.ts';
import type { PgType } from './copy-text.ts';

export interface Column<R> {
  name: string;
  type: PgType;
  get(r: R): unknown;
}

export interface Reference<R> {
  /** Staging column holding the referenced row's external id. */
  stage: string;
  get(r: R): string | null | undefined;
  table: string;
  /** Target column receiving the referenced row's id. */
  target: string;
  /** A record whose required reference is unknown is skipped and reported; an optional one gets NULL. */
  required: boolean;
}

export interface EntitySpec<R> {
  entity: EntityName;
  table: string;
  /** 'external_id': unique (source_id, external_id); 'refs': keyed by its required references. */
  keyedBy: 'external_id' | 'refs';
  columns: Column<R>[];
  refs: Reference<R>[];
  /** What change events the entity feeds. */
  events?: 'stock' | 'prices';
}

const str = (v: string | null | undefined) => (v === undefined || v === null ? null : v);
const ext = <R extends { externalId: string }>(): Column<R> => ({ name: 'external_id', type: 'text', get: (r) => r.externalId });

type Specs = { [E in EntityName]: EntitySpec<MirrorRecords[E]> };

export const SPECS: Specs = {
  groups: {
    entity: 'groups',
    table: 'product_groups',
    keyedBy: 'external_id',
    columns: [
      ext(),
      { name: 'parent_external_id', type: 'text', get: (r) => str(r.parentExternalId) },
      { name: 'name', type: 'text', get: (r) => r.name },
      { name: 'sort', type: 'int', get: (r) => r.sort ?? 0 },
    ],
    refs: [],
  },
  priceTypes: {
    entity: 'priceTypes',
    table: 'price_types',
    keyedBy: 'external_id',
    columns: [
      ext(),
      { name: 'name', type: 'text', get: (r) => r.name },
      { name: 'currency', type: 'text', get: (r) => r.currency ?? storeCurrency() },
      { name: 'vat_included', type: 'boolean', get: (r) => r.vatIncluded ?? true },
      { name: 'is_base', type: 'boolean', get: (r) => r.isBase ?? false },
    ],
    refs: [],
  },
  warehouses: {
    entity: 'warehouses',
    table: 'warehouses',
    keyedBy: 'external_id',
    columns: [
      ext(),
      { name: 'name', type: 'text', get: (r) => r.name },
      { name: 'kind', type: 'text', get: (r) => r.kind ?? 'own' },
      { name: 'commission_pct', type: 'numeric', get: (r) => r.commissionPct ?? '0' },
      { name: 'delivery_days', type: 'int', get: (r) => r.deliveryDays ?? 0 },
      { name: 'address', type: 'text', get: (r) => str(r.address) },
      { name: 'sort', type: 'int', get: (r) => r.sort ?? 0 },
    ],
    refs: [],
  },
  managers: {
    entity: 'managers',
    table: 'managers',
    keyedBy: 'external_id',
    columns: [
      ext(),
      { name: 'name', type: 'text', get: (r) => r.name },
      { name: 'email', type: 'text', get: (r) => str(r.email) },
      { name: 'phone', type: 'text', get: (r) => str(r.phone) },
      { name: 'photo_url', type: 'text', get: (r) => str(r.photoUrl) },
      { name: 'messengers', type: 'jsonb', get: (r) => r.messengers ?? {} },
      { name: 'working_hours', type: 'text', get: (r) => str(r.workingHours) },
    ],
    refs: [],
  },
  products: {
    entity: 'products',
    table: 'products',
    keyedBy: 'external_id',
    columns: [
      ext(),
      { name: 'group_external_id', type: 'text', get: (r) => str(r.groupExternalId) },
      { name: 'sku', type: 'text', get: (r) => str(r.sku) },
      { name: 'barcode', type: 'text', get: (r) => str(r.barcode) },
      { name: 'name', type: 'text', get: (r) => r.name },
      { name: 'description', type: 'text', get: (r) => str(r.description) },
      { name: 'unit', type: 'text', get: (r) => str(r.unit) },
      { name: 'vat_rate', type: 'numeric', get: (r) => str(r.vatRate) },
      { name: 'properties', type: 'jsonb', get: (r) => r.properties ?? {} },
      { name: 'images', type: 'jsonb', get: (r) => r.images ?? [] },
    ],
    refs: [],
  },
  offers: {
    entity: 'offers',
    table: 'offers',
    keyedBy: 'external_id',
    columns: [
      ext(),
      { name: 'name', type: 'text', get: (r) => str(r.name) },
      { name: 'sku', type: 'text', get: (r) => str(r.sku) },
      { name: 'barcode', type: 'text', get: (r) => str(r.barcode) },
      { name: 'characteristics', type: 'jsonb', get: (r) => r.characteristics ?? {} },
    ],
    refs: [{ stage: 'product_ext', get: (r) => r.productExternalId, table: 'products', target: 'product_id', required: true }],
  },
  counterparties: {
    entity: 'counterparties',
    table: 'counterparties',
    keyedBy: 'external_id',
    columns: [
      ext(),
      { name: 'name', type: 'text', get: (r) => r.name },
      { name: 'full_name', type: 'text', get: (r) => str(r.fullName) },
      { name: 'inn', type: 'text', get: (r) => str(r.inn) },
      { name: 'kpp', type: 'text', get: (r) => str(r.kpp) },
      { name: 'email', type: 'text', get: (r) => str(r.email) },
      { name: 'phone', type: 'text', get: (r) => str(r.phone) },
      { name: 'head_external_id', type: 'text', get: (r) => str(r.headExternalId) },
      { name: 'manager_external_id', type: 'text', get: (r) => str(r.managerExternalId) },
      { name: 'debt', type: 'numeric', get: (r) => r.debt ?? '0' },
      { name: 'credit_limit', type: 'numeric', get: (r) => str(r.creditLimit) },
      { name: 'legal_address', type: 'text', get: (r) => str(r.legalAddress) },
      { name: 'bank_name', type: 'text', get: (r) => str(r.bankName) },
      { name: 'bank_bic', type: 'text', get: (r) => str(r.bankBic) },
      { name: 'bank_account', type: 'text', get: (r) => str(r.bankAccount) },
      { name: 'bank_corr_account', type: 'text', get: (r) => str(r.bankCorrAccount) },
    ],
    refs: [{ stage: 'price_type_ext', get: (r) => r.priceTypeExternalId, table: 'price_types', target: 'price_type_id', required: false }],
  },
  contracts: {
    entity: 'contracts',
    table: 'contracts',
    keyedBy: 'external_id',
    columns: [
      ext(),
      { name: 'name', type: 'text', get: (r) => r.name },
      { name: 'number', type: 'text', get: (r) => str(r.number) },
      { name: 'discount_pct', type: 'numeric', get: (r) => r.discountPct ?? '0' },
      { name: 'currency', type: 'text', get: (r) => r.currency ?? storeCurrency() },
      { name: 'valid_from', type: 'date', get: (r) => str(r.validFrom) },
      { name: 'valid_to', type: 'date', get: (r) => str(r.validTo) },
      { name: 'is_default', type: 'boolean', get: (r) => r.isDefault ?? false },
    ],
    refs: [
      { stage: 'counterparty_ext', get: (r) => r.counterpartyExternalId, table: 'counterparties', target: 'counterparty_id', required: true },
      { stage: 'price_type_ext', get: (r) => r.priceTypeExternalId, table: 'price_types', target: 'price_type_id', required: false },
    ],
  },
  prices: {
    entity: 'prices',
    table: 'prices',
    keyedBy: 'refs',
    columns: [
      { name: 'value', type: 'numeric', get: (r) => r.value },
      { name: 'currency', type: 'text', get: (r) => str(r.currency) },
    ],
    refs: [
      { stage: 'offer_ext', get: (r) => r.offerExternalId, table: 'offers', target: 'offer_id', required: true },
      { stage: 'price_type_ext', get: (r) => r.priceTypeExternalId, table: 'price_types', target: 'price_type_id', required: true },
    ],
    events: 'prices',
  },
  stock: {
    entity: 'stock',
    table: 'stock',
    keyedBy: 'refs',
    columns: [{ name: 'quantity', type: 'numeric', get: (r) => r.quantity }],
    refs: [
      { stage: 'offer_ext', get: (r) => r.offerExternalId, table: 'offers', target: 'offer_id', required: true },
      { stage: 'warehouse_ext', get: (r) => r.warehouseExternalId, table: 'warehouses', target: 'warehouse_id', required: true },
    ],
    events: 'stock',
  },
  contractPrices: {
    entity: 'contractPrices',
    table: 'contract_prices',
    keyedBy: 'refs',
    columns: [
      { name: 'value', type: 'numeric', get: (r) => r.value },
      { name: 'currency', type: 'text', get: (r) => str(r.currency) },
    ],
    refs: [
      { stage: 'contract_ext', get: (r) => r.contractExternalId, table: 'contracts', target: 'contract_id', required: true },
      { stage: 'offer_ext', get: (r) => r.offerExternalId, table: 'offers', target: 'offer_id', required: true },
    ],
    events: 'prices',
  },
  documents: {
    entity: 'documents',
    table: 'documents',
    keyedBy: 'external_id',
    columns: [
      ext(),
      { name: 'kind', type: 'text', get: (r) => r.kind },
      { name: 'number', type: 'text', get: (r) => r.number },
      { name: 'date', type: 'date', get: (r) => r.date },
      { name: 'amount', type: 'numeric', get: (r) => r.amount },
      { name: 'vat_amount', type: 'numeric', get: (r) => str(r.vatAmount) },
      { name: 'currency', type: 'text', get: (r) => r.currency ?? storeCurrency() },
      { name: 'status', type: 'text', get: (r) => str(r.status) },
      { name: 'period_from', type: 'date', get: (r) => str(r.periodFrom) },
      { name: 'period_to', type: 'date', get: (r) => str(r.periodTo) },
      { name: 'lines', type: 'jsonb', get: (r) => r.lines ?? [] },
      { name: 'file_name', type: 'text', get: (r) => str(r.fileName) },
      { name: 'file_base64', type: 'text', get: (r) => str(r.fileBase64) },
    ],
    refs: [{ stage: 'counterparty_ext', get: (r) => r.counterpartyExternalId, table: 'counterparties', target: 'counterparty_id', required: true }],
  },
  credit: {
    entity: 'credit',
    table: 'counterparty_credit',
    keyedBy: 'refs',
    columns: [
      { name: 'debt', type: 'numeric', get: (r) => r.debt },
      { name: 'overdue', type: 'numeric', get: (r) => r.overdue ?? '0' },
      { name: 'credit_limit', type: 'numeric', get: (r) => str(r.creditLimit) },
      { name: 'policy', type: 'text', get: (r) => r.policy ?? 'refuse' },
      { name: 'currency', type: 'text', get: (r) => r.currency ?? storeCurrency() },
      { name: 'as_of', type: 'timestamptz', get: (r) => r.asOf },
    ],
    refs: [{ stage: 'counterparty_ext', get: (r) => r.counterpartyExternalId, table: 'counterparties', target: 'counterparty_id', required: true }],
  },
  arrivals: {
    entity: 'arrivals',
    table: 'expected_arrivals',
    keyedBy: 'external_id',
    columns: [
      ext(),
      { name: 'quantity', type: 'numeric', get: (r) => r.quantity },
      { name: 'expected_date', type: 'date', get: (r) => r.expectedDate },
      { name: 'order_number', type: 'text', get: (r) => str(r.orderNumber) },
    ],
    refs: [
      { stage: 'offer_ext', get: (r) => r.offerExternalId, table: 'offers', target: 'offer_id', required: true },
      { stage: 'warehouse_ext', get: (r) => r.warehouseExternalId, table: 'warehouses', target: 'warehouse_id', required: true },
    ],
  },
};
