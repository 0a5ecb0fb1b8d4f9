// What a mapping may produce: every mirror record field, its kind, and which are required.
// Kept beside the mapping schema so `mapping validate` can name a wrong field precisely.
import type { EntityName } from '../../src/mirror/records.ts';

export type FieldKind = 'id' | 'text' | 'decimal' | 'int' | 'boolean' | 'kind' | 'record' | 'list' | 'date' | 'datetime' | 'rows';

type Spec = Record<string, [FieldKind, 'required' | 'optional']>;
const R = 'required' as const;
const O = 'optional' as const;

export const TARGETS: Record<EntityName, Spec> = {
  groups: { externalId: ['id', R], parentExternalId: ['id', O], name: ['text', R], sort: ['int', O], deleted: ['boolean', O] },
  priceTypes: { externalId: ['id', R], name: ['text', R], currency: ['text', O], vatIncluded: ['boolean', O], isBase: ['boolean', O], deleted: ['boolean', O] },
  warehouses: {
    externalId: ['id', R], name: ['text', R], kind: ['kind', O], commissionPct: ['decimal', O], deliveryDays: ['int', O], address: ['text', O],
    sort: ['int', O], deleted: ['boolean', O],
  },
  managers: {
    externalId: ['id', R], name: ['text', R], email: ['text', O], phone: ['text', O], photoUrl: ['text', O], messengers: ['record', O],
    workingHours: ['text', O], deleted: ['boolean', O],
  },
  products: {
    externalId: ['id', R], groupExternalId: ['id', O], sku: ['text', O], barcode: ['text', O], name: ['text', R], description: ['text', O],
    unit: ['text', O], vatRate: ['decimal', O], properties: ['record', O], images: ['list', O], deleted: ['boolean', O],
  },
  offers: {
    externalId: ['id', R], productExternalId: ['id', R], name: ['text', O], sku: ['text', O], barcode: ['text', O], characteristics: ['record', O],
    deleted: ['boolean', O],
  },
  counterparties: {
    externalId: ['id', R], name: ['text', R], fullName: ['text', O], inn: ['text', O], kpp: ['text', O], email: ['text', O], phone: ['text', O],
    headExternalId: ['id', O], managerExternalId: ['id', O], priceTypeExternalId: ['id', O], debt: ['decimal', O], creditLimit: ['decimal', O],
    legalAddress: ['text', O], bankName: ['text', O], bankBic: ['text', O], bankAccount: ['text', O], bankCorrAccount: ['text', O], deleted: ['boolean', O],
  },
  contracts: {
    externalId: ['id', R], counterpartyExternalId: ['id', R], name: ['text', R], number: ['text', O], priceTypeExternalId: ['id', O],
    discountPct: ['decimal', O], currency: ['text', O], validFrom: ['date', O], validTo: ['date', O], isDefault: ['boolean', O], deleted: ['boolean', O],
  },
  prices: { offerExternalId: ['id', R], priceTypeExternalId: ['id', R], value: ['decimal', R], currency: ['text', O], deleted: ['boolean', O] },
  stock: { offerExternalId: ['id', R], warehouseExternalId: ['id', R], quantity: ['decimal', R], deleted: ['boolean', O] },
  contractPrices: { contractExternalId: ['id', R], offerExternalId: ['id', R], value: ['decimal', R], currency: ['text', O], deleted: ['boolean', O] },
  documents: {
    externalId: ['id', R], counterpartyExternalId: ['id', R], kind: ['text', R], number: ['text', R], date: ['date', R], amount: ['decimal', R],
    vatAmount: ['decimal', O], currency: ['text', O], status: ['text', O], periodFrom: ['date', O], periodTo: ['date', O], lines: ['rows', O],
    fileName: ['text', O], fileBase64: ['text', O], deleted: ['boolean', O],
  },
  credit: {
    counterpartyExternalId: ['id', R], debt: ['decimal', R], overdue: ['decimal', O], creditLimit: ['decimal', O], policy: ['text', O],
    currency: ['text', O], asOf: ['datetime', R], deleted: ['boolean', O],
  },
};

/** Fields of the nested rows a `rows` field produces (`{ from: Lines.Line, rows: { … } }`), by entity and field. */
export const ROW_TARGETS: Partial<Record<EntityName, Record<string, Spec>>> = {
  documents: {
    lines: {
      lineNo: ['int', O], name: ['text', R], sku: ['text', O], unit: ['text', O], quantity: ['decimal', O], price: ['decimal', O],
      amount: ['decimal', R], vatRate: ['decimal', O], vatAmount: ['decimal', O],
    },
  },
};

/** Fields of an order the exporter can send (see exporter.ts). */
export const ORDER_FIELDS = ['idempotencyKey', 'orderId', 'number', 'counterpartyExternalId', 'contractExternalId', 'comment', 'total', 'currency', 'createdAt'] as const;
export const ORDER_LINE_FIELDS = ['lineNo', 'offerExternalId', 'warehouseExternalId', 'sku', 'name', 'unit', 'quantity', 'price', 'amount'] as const;
/** Fields an order-status record carries. */
export const STATUS_FIELDS = ['orderNumber', 'externalId', 'externalNumber', 'status', 'note', 'at'] as const;
/** Fields of a reservation operation the exporter can send (see reservation-exporter.ts). */
export const RESERVATION_FIELDS = [
  'reservationKey', 'operationKey', 'reservationId', 'counterpartyExternalId', 'offerExternalId', 'warehouseExternalId', 'quantity', 'expiresAt', 'reason',
] as const;
/** What each operation must send: the key that makes a repeat harmless, and what it changes. */
export const RESERVATION_REQUIRED: Record<'place' | 'extend' | 'release', readonly (typeof RESERVATION_FIELDS)[number][]> = {
  place: ['reservationKey', 'counterpartyExternalId', 'offerExternalId', 'warehouseExternalId', 'quantity', 'expiresAt'],
  extend: ['reservationKey', 'operationKey', 'expiresAt'],
  release: ['reservationKey'],
};
