// Checks records before they are staged. A record that would put a wrong number or a missing key
// into the mirror fails the whole run with a message naming the entity, the record and the field.
import { CREDIT_POLICIES, DOCUMENT_KINDS, type EntityName, type MirrorRecords } from '../mirror/records.ts';

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

type Rule = 'id' | 'inn' | 'text' | 'money' | 'signedMoney' | 'qty' | 'unsignedQty' | 'pct' | 'discount' | 'date' | 'int' | 'kind' | 'docKind' | 'lines' | 'bic' | 'account' | 'policy' | 'datetime';

const RULES: Record<Rule, { test(v: unknown): boolean; says: string }> = {
  id: { test: (v) => typeof v === 'string' && v.trim() !== '' && v.length <= 500, says: 'must be a non-empty id (≤ 500 characters)' },
  inn: { test: (v) => typeof v === 'string' && /^\d{10}(\d{2})?$/.test(v), says: 'must be an INN of 10 or 12 digits' },
  text: { test: (v) => typeof v === 'string' && v.trim() !== '', says: 'must be non-empty text' },
  money: { test: (v) => typeof v === 'string' && /^\d{1,14}(\.\d{1,4})?$/.test(v), says: 'must be a non-negative decimal string like "1234.50"' },
  signedMoney: { test: (v) => typeof v === 'string' && /^-?\d{1,16}(\.\d{1,2})?$/.test(v), says: 'must be a decimal string like "-100.00"' },
  qty: { test: (v) => typeof v === 'string' && /^-?\d{1,15}(\.\d{1,3})?$/.test(v), says: 'must be a decimal string with at most 3 decimals' },
  unsignedQty: { test: (v) => typeof v === 'string' && /^\d{1,15}(\.\d{1,3})?$/.test(v), says: 'must be a non-negative decimal string with at most 3 decimals' },
  pct: { test: (v) => typeof v === 'string' && /^\d{1,3}(\.\d{1,3})?$/.test(v), says: 'must be a percentage like "7.5"' },
  discount: { test: (v) => typeof v === 'string' && /^\d{1,2}(\.\d{1,3})?$/.test(v), says: 'must be a percentage below 100' },
  date: { test: (v) => typeof v === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(v) && !Number.isNaN(Date.parse(v)), says: 'must be a date YYYY-MM-DD' },
  int: { test: (v) => Number.isInteger(v) && (v as number) >= 0, says: 'must be a whole number ≥ 0' },
  kind: { test: (v) => v === 'own' || v === 'partner', says: 'must be "own" or "partner"' },
  docKind: { test: (v) => (DOCUMENT_KINDS as readonly unknown[]).includes(v), says: `must be one of ${DOCUMENT_KINDS.join(', ')}` },
  lines: { test: (v) => Array.isArray(v) && v.every(lineOk), says: 'must be a list of lines, each with a name and an amount like "1234.50" (quantity, price: decimals)' },
  bic: { test: (v) => typeof v === 'string' && /^\d{9}$/.test(v), says: 'must be a BIC of 9 digits' },
  account: { test: (v) => typeof v === 'string' && /^\d{20}$/.test(v), says: 'must be a bank account of 20 digits' },
  policy: { test: (v) => (CREDIT_POLICIES as readonly unknown[]).includes(v), says: `must be one of ${CREDIT_POLICIES.join(', ')}` },
  datetime: {
    test: (v) => typeof v === 'string' && /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,6})?)?(Z|[+-]\d{2}:?\d{2})$/.test(v) && !Number.isNaN(Date.parse(v)),
    says: 'must be an ISO date and time with its offset, like "2026-12-03T09:00:00Z"',
  },
};

const DECIMAL = /^-?\d{1,15}(\.\d{1,4})?$/;
function lineOk(l: unknown): boolean {
  if (!l || typeof l !== 'object') return false;
  const o = l as Record<string, unknown>;
  const dec = (x: unknown) => x === undefined || x === null || (typeof x === 'string' && DECIMAL.test(x));
  return typeof o.name === 'string' && o.name.trim() !== '' && typeof o.amount === 'string' && DECIMAL.test(o.amount)
    && dec(o.quantity) && dec(o.price) && dec(o.vatRate) && dec(o.vatAmount);
}

/** A value as shown in an error: JSON, cut to 100 characters (a hostile value may be megabytes). */
function shown(v: unknown): string {
  const j = JSON.stringify(v) ?? String(v);
  return j.length <= 100 ? j : `${j.slice(0, 100)}… (${j.length} characters)`;
}

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
    values: [
      ['name', 'text', 'required'], ['inn', 'inn', 'optional'], ['debt', 'signedMoney', 'optional'], ['creditLimit', 'signedMoney', 'optional'],
      ['bankBic', 'bic', 'optional'], ['bankAccount', 'account', 'optional'], ['bankCorrAccount', 'account', 'optional'],
    ],
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
  documents: {
    keys: [['externalId', 'id']],
    values: [
      ['counterpartyExternalId', 'id', 'required'], ['kind', 'docKind', 'required'], ['number', 'text', 'required'], ['date', 'date', 'required'],
      ['amount', 'signedMoney', 'required'], ['vatAmount', 'signedMoney', 'optional'], ['periodFrom', 'date', 'optional'], ['periodTo', 'date', 'optional'],
      ['lines', 'lines', 'optional'],
    ],
  },
  credit: {
    keys: [['counterpartyExternalId', 'id']],
    values: [
      ['debt', 'signedMoney', 'required'], ['overdue', 'money', 'optional'], ['creditLimit', 'money', 'optional'], ['policy', 'policy', 'optional'],
      ['asOf', 'datetime', 'required'],
    ],
  },
  arrivals: {
    keys: [['externalId', 'id']],
    values: [
      ['offerExternalId', 'id', 'required'], ['warehouseExternalId', 'id', 'required'], ['quantity', 'unsignedQty', 'required'],
      ['expectedDate', 'date', 'required'],
    ],
  },
};

/**
 * Field sizes, in UTF-8 bytes, checked before anything is staged: Postgres refuses an over-long
 * value only deep inside the merge ("index row requires … bytes" for the name index, "string is
 * too long for tsvector" for the search column), after the whole file was read. Any string field
 * not named here is short text.
 */
export const FIELD_BYTES = {
  /** Names, SKUs, barcodes, units … (the btree index on products.name holds ≈ 2,700 bytes). */
  text: 2000,
  /** Long text fields. */
  long: { description: 256 * 1024, address: 8 * 1024, legalAddress: 8 * 1024, workingHours: 8 * 1024, fileBase64: 14 * 1024 * 1024 } as Record<string, number>,
  /** One key or value in a map field (properties, characteristics, messengers). */
  mapValue: 16 * 1024,
  /** A whole map field as JSON. */
  map: 256 * 1024,
  /** Entries of a list field (images). */
  listItems: 1000,
};

// Module-level, not a closure per call: it runs for every field of millions of records.
function over(n: number, max: number, what = ''): string | undefined {
  return n > max ? `${what}is ${n} bytes, more than the limit of ${max} bytes` : undefined;
}

function sizeProblem(field: string, v: unknown): string | undefined {
  if (typeof v === 'string') {
    const max = FIELD_BYTES.long[field] ?? FIELD_BYTES.text;
    // length ≤ bytes ≤ 3 × length: measure only what could be over
    return v.length * 3 <= max ? undefined : over(Buffer.byteLength(v), max);
  }
  if (Array.isArray(v)) {
    if (v.length > FIELD_BYTES.listItems) return `has ${v.length} entries, more than the limit of ${FIELD_BYTES.listItems}`;
    for (const [i, x] of v.entries()) {
      const p = typeof x === 'string' ? over(Buffer.byteLength(x), FIELD_BYTES.text, `entry ${i} `) : undefined;
      if (p) return p;
    }
    return undefined;
  }
  if (v && typeof v === 'object') {
    let total = 2;
    for (const [k, x] of Object.entries(v)) {
      const kb = Buffer.byteLength(k);
      const xb = typeof x === 'string' ? Buffer.byteLength(x) : 0;
      const p = over(kb, FIELD_BYTES.text, `key "${k.slice(0, 40)}…" `) ?? over(xb, FIELD_BYTES.mapValue, `value of "${k.slice(0, 100)}" `);
      if (p) return p;
      total += kb + xb + 6;
    }
    return over(total, FIELD_BYTES.map, 'as a whole ');
  }
  return undefined;
}

/** Throws SyncInputError for the first bad field; `offset` numbers records across chunks. */
export function validateRecords<E extends EntityName>(entity: E, records: MirrorRecords[E][], offset = 0): void {
  const rules = RULES_BY_ENTITY[entity] as FieldRules<MirrorRecords[E]>;
  for (let i = 0; i < records.length; i++) {
    const r = records[i]!;
    if (typeof r !== 'object' || r === null) throw new SyncInputError(entity, offset + i, '(record)', 'must be an object');
    for (const [field, rule] of rules.keys) {
      if (!RULES[rule].test(r[field])) throw new SyncInputError(entity, offset + i, field, `${RULES[rule].says}, got ${shown(r[field])}`);
    }
    for (const field in r) {
      const problem = sizeProblem(field, r[field as keyof typeof r]);
      if (problem) {
        const key = rules.keys.map(([k]) => String(r[k]).slice(0, 100)).join(' / ');
        throw new SyncInputError(entity, offset + i, field, `${problem} (record "${key}")`);
      }
    }
    if (r.deleted) continue; // a deletion mark needs only its key
    for (const [field, rule, need] of rules.values) {
      const v = r[field];
      if ((v === undefined || v === null) && need === 'optional') continue;
      if (!RULES[rule].test(v)) throw new SyncInputError(entity, offset + i, field, `${RULES[rule].says}, got ${shown(v)}`);
    }
  }
}
