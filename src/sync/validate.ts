// Checks records before they are staged. A record that would put a wrong number or a missing key
// into the mirror fails the whole run with a message naming the entity, the record and the field.
import type { EntityName, MirrorRecords } from '../mirror/records.ts';

export class SyncInputError extends Error {
  constructor(
    readonly entity: EntityName,
    readonly index: number,
    readonly field: string,
    readonly problem: string,
  ) {
    super(`${entity}[${index}].${field}: ${problem}`);
  }
}

type Rule = 'id' | 'inn' | 'text' | 'money' | 'signedMoney' | 'qty' | 'pct' | 'discount' | 'date' | 'int' | 'kind';

const RULES: Record<Rule, { test(v: unknown): boolean; says: string }> = {
  id: { test: (v) => typeof v === 'string' && v.trim() !== '' && v.length <= 500, says: 'must be a non-empty id (≤ 500 characters)' },
  inn: { test: (v) => typeof v === 'string' && /^\d{10}(\d{2})?$/.test(v), says: 'must be an INN of 10 or 12 digits' },
  text: { test: (v) => typeof v === 'string' && v.trim() !== '', says: 'must be non-empty text' },
  money: { test: (v) => typeof v === 'string' && /^\d{1,14}(\.\d{1,4})?$/.test(v), says: 'must be a non-negative decimal string like "1234.50"' },
  signedMoney: { test: (v) => typeof v === 'string' && /^-?\d{1,16}(\.\d{1,2})?$/.test(v), says: 'must be a decimal string like "-100.00"' },
  qty: { test: (v) => typeof v === 'string' && /^-?\d{1,15}(\.\d{1,3})?$/.test(v), says: 'must be a decimal string with at most 3 decimals' },
  pct: { test: (v) => typeof v === 'string' && /^\d{1,3}(\.\d{1,3})?$/.test(v), says: 'must be a percentage like "7.5"' },
  discount: { test: (v) => typeof v === 'string' && /^\d{1,2}(\.\d{1,3})?$/.test(v), says: 'must be a percentage below 100' },
  date: { test: (v) => typeof v === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(v) && !Number.isNaN(Date.parse(v)), says: 'must be a date YYYY-MM-DD' },
  int: { test: (v) => Number.isInteger(v) && (v as number) >= 0, says: 'must be a whole number ≥ 0' },
  kind: { test: (v) => v === 'own' || v === 'partner', says: 'must be "own" or "partner"' },
};

type FieldRules<R> = { keys: [keyof R & string, Rule][]; values: [keyof R & string, Rule, 'required' | 'optional'][] };
type AllRules = { [E in EntityName]: FieldRules<MirrorRecords[E]> };

const RULES_BY_ENTITY: AllRules = {
  groups: { keys: [['externalId', 'id']], values: [['name', 'text', 'required'], ['sort', 'int', 'optional']] },
  priceTypes: { keys: [['externalId', 'id']], values: [['name', 'text', 'required']] },
  warehouses: {
    keys: [['externalId', 'id']],
    values: [['name', 'text', 'required'], ['kind', 'kind', 'optional'], ['commissionPct', 'pct', 'optional'], ['deliveryDays', 'int', 'optional']],
  },
  managers: { keys: [['externalId', 'id']], values: [['name', 'text', 'required']] },
  products: { keys: [['externalId', 'id']], values: [['name', 'text', 'required'], ['vatRate', 'pct', 'optional']] },
  offers: { keys: [['externalId', 'id']], values: [['productExternalId', 'id', 'required']] },
  counterparties: {
    keys: [['externalId', 'id']],
    values: [['name', 'text', 'required'], ['inn', 'inn', 'optional'], ['debt', 'signedMoney', 'optional'], ['creditLimit', 'signedMoney', 'optional']],
  },
  contracts: {
    keys: [['externalId', 'id']],
    values: [
      ['counterpartyExternalId', 'id', 'required'],
      ['name', 'text', 'required'],
      ['discountPct', 'discount', 'optional'],
      ['validFrom', 'date', 'optional'],
      ['validTo', 'date', 'optional'],
    ],
  },
  prices: { keys: [['offerExternalId', 'id'], ['priceTypeExternalId', 'id']], values: [['value', 'money', 'required']] },
  stock: { keys: [['offerExternalId', 'id'], ['warehouseExternalId', 'id']], values: [['quantity', 'qty', 'required']] },
  contractPrices: { keys: [['contractExternalId', 'id'], ['offerExternalId', 'id']], values: [['value', 'money', 'required']] },
};

/** Throws SyncInputError for the first bad field; `offset` numbers records across chunks. */
export function validateRecords<E extends EntityName>(entity: E, records: MirrorRecords[E][], offset = 0): void {
  const rules = RULES_BY_ENTITY[entity] as FieldRules<MirrorRecords[E]>;
  for (let i = 0; i < records.length; i++) {
    const r = records[i]!;
    if (typeof r !== 'object' || r === null) throw new SyncInputError(entity, offset + i, '(record)', 'must be an object');
    for (const [field, rule] of rules.keys) {
      if (!RULES[rule].test(r[field])) throw new SyncInputError(entity, offset + i, field, `${RULES[rule].says}, got ${JSON.stringify(r[field])}`);
    }
    if (r.deleted) continue; // a deletion mark needs only its key
    for (const [field, rule, need] of rules.values) {
      const v = r[field];
      if ((v === undefined || v === null) && need === 'optional') continue;
      if (!RULES[rule].test(v)) throw new SyncInputError(entity, offset + i, field, `${RULES[rule].says}, got ${JSON.stringify(v)}`);
    }
  }
}
