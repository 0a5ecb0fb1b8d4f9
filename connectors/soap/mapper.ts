// Mapper: applies an entity's mapping (paths + modifiers) to the items of an answer and yields
// mirror records. Pure and synchronous; a value that does not fit fails with the mapping path,
// the value and the item it came from.
import type { EntityName, MirrorRecords } from '../../src/mirror/records.ts';
import { MappingDataError } from './errors.ts';
import type { EntityMapping, FieldSpec, LeafFieldSpec } from './mapping-schema.ts';
import { applyModifier, compileModifier, type LookupFn, type Modifier, ModifierError, toBoolean, type Value } from './modifiers.ts';
import { type FieldKind, ROW_TARGETS, TARGETS } from './targets.ts';
import type { XmlObject, XmlValue } from './xml-tree.ts';

const asList = (v: XmlValue | undefined): XmlValue[] => (v === undefined || v === '' ? [] : Array.isArray(v) ? v : [v]);

/** Items at a dotted path; repeated elements anywhere on the way are flattened. */
export function itemsAt(root: XmlValue | undefined, path: string): XmlValue[] {
  return itemsAtKeys(root, path.split('.'));
}

/** itemsAt with the path already split (mappers split theirs once, not per item). */
function itemsAtKeys(root: XmlValue | undefined, keys: readonly string[]): XmlValue[] {
  let level: XmlValue[] = asList(root);
  for (const key of keys) {
    const next: XmlValue[] = [];
    for (const v of level) {
      if (!v || typeof v !== 'object' || Array.isArray(v)) continue;
      const x = (v as XmlObject)[key];
      if (Array.isArray(x)) for (const y of x) next.push(y);
      else if (x !== undefined && x !== '') next.push(x);
    }
    level = next;
  }
  return level;
}

/** One value at a dotted path (an element repeated where one is expected stays a list). */
export function valueAt(root: XmlValue | undefined, path: string): XmlValue | undefined {
  return valueAtKeys(root, path.split('.'));
}

function valueAtKeys(root: XmlValue | undefined, keys: readonly string[]): XmlValue | undefined {
  let v: XmlValue | undefined = root;
  for (const key of keys) {
    if (!v || typeof v !== 'object' || Array.isArray(v)) return undefined;
    v = (v as XmlObject)[key];
  }
  return v;
}

interface CompiledField {
  name: string;
  kind: FieldKind;
  required: boolean;
  read: (item: XmlValue, parent: XmlValue | undefined) => Value;
  modifiers: Modifier[];
  /** The modifiers as one function (none: undefined), compiled once for the mapper's lookup and time zone. */
  apply?: (v: Value) => Value;
  /** A `rows` field: the fields of each row, read inside the row's item. */
  rows?: CompiledField[];
  /** The last modifier is "decimal": its value needs no second check. */
  decimalLast?: boolean;
  /** The mapping's path (`^` for the parent item) or, without one, its constant. */
  from: string | undefined;
  constant: Value;
}

function compileField(name: string, spec: FieldSpec | LeafFieldSpec, kind: FieldKind, required: boolean, rowTargets?: Record<string, Record<string, [FieldKind, string]>>): CompiledField {
  const from = typeof spec === 'string' ? spec : spec.from;
  const constant = typeof spec === 'string' ? undefined : spec.value;
  let read: CompiledField['read'];
  if (from === undefined) read = () => constant;
  else if (from.startsWith('^')) {
    const keys = from.slice(1).split('.');
    read = (_item, parent) => valueAtKeys(parent, keys) as Value;
  } else if (!from.includes('.')) {
    read = (item) => (item && typeof item === 'object' && !Array.isArray(item) ? (item as XmlObject)[from] : undefined) as Value;
  } else {
    const keys = from.split('.');
    read = (item) => valueAtKeys(item, keys) as Value;
  }
  const f: CompiledField = { name, kind, required, read, modifiers: typeof spec === 'string' ? [] : (spec.modifiers ?? []), from, constant };
  if (kind === 'rows' && typeof spec === 'object' && 'rows' in spec && spec.rows && from) {
    const target = rowTargets?.[name] ?? {};
    const rows = Object.entries(spec.rows).map(([rn, rs]) => compileField(rn, rs, target[rn]![0], target[rn]![1] === 'required'));
    const rowsKeys = from.replace(/^\^/, '').split('.');
    const atParent = from.startsWith('^');
    f.rows = rows;
    f.read = (item, parent) => itemsAtKeys(atParent ? parent : item, rowsKeys) as Value;
  }
  return f;
}

class FieldError extends Error {}

const chain = (fns: ((v: Value) => Value)[]): ((v: Value) => Value) | undefined =>
  fns.length === 0 ? undefined : fns.length === 1 ? fns[0] : (v) => fns.reduce((x, fn) => fn(x), v);

/**
 * A record from its values in field order, as one object literal of the entity's own shape (set
 * key by key from a list of names, every entity's records went through one megamorphic keyed
 * store per field, millions of times a sync). The names are mirror field names from TARGETS
 * (the mapping loader refuses any other), quoted as JSON.
 */
function recordMaker<R>(names: string[]): (values: unknown[]) => R {
  const body = `return {${names.map((n, i) => `${JSON.stringify(n)}: v[${i}]`).join(', ')}};`;
  // the one place the record's type is asserted: its keys are the entity's TARGETS fields
  return new Function('v', body) as (values: unknown[]) => R;
}

function coerce(f: CompiledField, v: Value): unknown {
  if (v === undefined || v === null || (v === '' && f.kind !== 'text')) {
    if (f.required) throw new FieldError('is required but the answer has no value');
    return null;
  }
  switch (f.kind) {
    case 'id':
    case 'text':
      if (typeof v === 'object') throw new FieldError(`expected text, got a structure (${JSON.stringify(v).slice(0, 60)}); point "from" at a leaf element`);
      if (f.required && String(v).trim() === '') throw new FieldError('is required but the answer has an empty value');
      return String(v);
    case 'decimal': {
      // The "decimal" modifier's result is a plain decimal already (or none, handled above).
      if (f.decimalLast) return v;
      const s = String(v);
      if (!/^-?\d+(\.\d+)?$/.test(s)) throw new FieldError(`"${s}" is not a decimal number with a point (add the "decimal" modifier to read "1 234,50")`);
      return s;
    }
    case 'int':
      if (typeof v === 'number' && Number.isInteger(v)) return v;
      if (typeof v === 'string' && /^\d+$/.test(v)) return Number(v);
      throw new FieldError(`"${String(v)}" is not a whole number`);
    case 'boolean':
      return toBoolean(v as Value);
    case 'kind':
      if (v === 'own' || v === 'partner') return v;
      throw new FieldError(`"${String(v)}" must be "own" or "partner" (use a "map" modifier to translate the system's values)`);
    case 'record':
      if (typeof v === 'object' && !Array.isArray(v)) return v;
      throw new FieldError('expected name/value pairs (use the "pairs" modifier)');
    case 'list':
      return Array.isArray(v) ? v.map(String) : [String(v)];
    case 'date':
      if (typeof v === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(v)) return v;
      throw new FieldError(`"${String(v)}" is not a date YYYY-MM-DD (add the "date" modifier)`);
    case 'datetime':
      if (typeof v === 'string' && /^\d{4}-\d{2}-\d{2}T[\d:.]+(Z|[+-]\d{2}:\d{2})$/.test(v)) return v;
      throw new FieldError(`"${String(v)}" is not a date and time with an offset (add the "datetime" modifier)`);
    case 'rows':
      return (v as XmlValue[]).map((row, i) => {
        const out: Record<string, unknown> = {};
        for (const rf of f.rows ?? []) {
          try {
            let x = rf.read(row, undefined);
            for (const m of rf.modifiers) x = applyModifier(m, x, undefined, undefined);
            out[rf.name] = coerce(rf, x);
          } catch (err) {
            if (!(err instanceof ModifierError || err instanceof FieldError)) throw err;
            throw new FieldError(`row ${i + 1}, ${rf.name}: ${err.message}`);
          }
        }
        return out;
      });
  }
}

export interface ItemContext {
  /** e.g. "GetOffers page 3" */
  where: string;
}

/** Compiles an entity mapping once; `map` then turns answer items into records. */
export class EntityMapper<E extends EntityName> {
  private readonly fields: CompiledField[];
  private readonly eachKeys: string[] | undefined;

  constructor(
    readonly entity: E,
    readonly spec: EntityMapping,
    lookup?: LookupFn,
    readonly mappingPath = `entities.${entity}`,
    /** The mapping's service.timeZone: how `datetime` reads values without an offset. */
    timeZone?: string,
  ) {
    const target = TARGETS[entity];
    this.eachKeys = spec.each ? spec.each.split('.') : undefined;
    this.fields = Object.entries(spec.fields).map(([name, f]) => compileField(name, f, target[name]![0], target[name]![1] === 'required', ROW_TARGETS[entity]));
    for (const f of this.fields) {
      f.apply = chain(f.modifiers.map((m) => compileModifier(m, lookup, timeZone)));
      f.decimalLast = f.modifiers[f.modifiers.length - 1] === 'decimal';
    }
    this.make = recordMaker<MirrorRecords[E]>(this.fields.map((f) => f.name));
  }

  private readonly make: (values: unknown[]) => MirrorRecords[E];

  /** Records from a list of items (the entity's `result` items; `each` expands nested ones). */
  map(items: XmlValue[], ctx: ItemContext): MirrorRecords[E][] {
    const out: MirrorRecords[E][] = [];
    for (let i = 0; i < items.length; i++) {
      const item = items[i]!;
      if (this.eachKeys) {
        for (const child of itemsAtKeys(item, this.eachKeys)) out.push(this.one(child, item, ctx, i));
      } else out.push(this.one(item, undefined, ctx, i));
    }
    return out;
  }

  /** The records of one item (`index`: its place among the page's items, for error messages), appended to `out`. */
  mapItem(item: XmlValue, index: number, ctx: ItemContext, out: MirrorRecords[E][]): void {
    if (this.eachKeys) {
      for (const child of itemsAtKeys(item, this.eachKeys)) out.push(this.one(child, item, ctx, index));
    } else out.push(this.one(item, undefined, ctx, index));
  }

  private one(item: XmlValue, parent: XmlValue | undefined, ctx: ItemContext, index: number): MirrorRecords[E] {
    const fields = this.fields;
    const values = new Array<Value>(fields.length);
    for (let i = 0; i < fields.length; i++) values[i] = fields[i]!.read(item, parent);
    const src = parent ?? item;
    return this.record(values, src && typeof src === 'object' && !Array.isArray(src) ? src.Id : undefined, ctx, index);
  }

  /** The fields in record order: where each reads (see stream-map.ts) and whether it is `rows`. */
  get sources(): readonly { name: string; from: string | undefined; constant: Value; rows: boolean }[] {
    return this.fields.map((f) => ({ name: f.name, from: f.from, constant: f.constant, rows: f.kind === 'rows' }));
  }

  /**
   * The record from its fields' values as read from the item (in `sources` order; replaced in
   * place by the modified, checked ones). `id`: the item's Id element, named in an error.
   */
  record(values: Value[], id: unknown, ctx: ItemContext, index: number): MirrorRecords[E] {
    const fields = this.fields;
    let i = 0;
    try {
      for (; i < fields.length; i++) {
        const f = fields[i]!;
        const v = values[i];
        values[i] = coerce(f, f.apply ? f.apply(v) : v) as Value;
      }
    } catch (err) {
      if (!(err instanceof ModifierError || err instanceof FieldError)) throw err;
      const idText = typeof id === 'string' ? `, Id ${id}` : '';
      throw new MappingDataError(`${this.mappingPath}.fields.${fields[i]!.name}: ${err.message} (item ${index + 1} of ${ctx.where}${idText})`);
    }
    return this.make(values);
  }
}
