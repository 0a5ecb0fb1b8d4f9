// Loads and checks a mapping file. Every problem names the file, the line where it can be found,
// the path inside the mapping and what is wrong; all problems are reported at once.
import fs from 'node:fs/promises';
import path from 'node:path';
import { isMap, LineCounter, parseDocument } from 'yaml';
import type { z } from 'zod';
import { ENTITY_ORDER, type EntityName } from '../../src/mirror/records.ts';
import { MappingError } from './errors.ts';
import { type FieldSpec, type LeafFieldSpec, type Mapping, mappingSchema } from './mapping-schema.ts';
import { MODIFIER_NAMES } from './modifiers.ts';
import { ORDER_FIELDS, ORDER_LINE_FIELDS, RESERVATION_FIELDS, RESERVATION_REQUIRED, ROW_TARGETS, STATUS_FIELDS, TARGETS } from './targets.ts';

type Problem = { path: (string | number)[]; message: string };

export interface LoadedMapping {
  file: string;
  mapping: Mapping;
}

const fmtPath = (p: (string | number)[]) => p.map((k, i) => (typeof k === 'number' ? `[${k}]` : i ? `.${k}` : k)).join('');
const isEntity = (e: string): e is EntityName => (ENTITY_ORDER as readonly string[]).includes(e);

function at(root: unknown, p: (string | number)[]): unknown {
  let v = root;
  for (const k of p) v = v && typeof v === 'object' ? (v as Record<string | number, unknown>)[k] : undefined;
  return v;
}

/** zod issues → precise problems (unions resolved to the branch that matches the value's shape). */
function flatten(issues: z.core.$ZodIssue[], prefix: (string | number)[], raw: unknown): Problem[] {
  const out: Problem[] = [];
  for (const issue of issues) {
    const p = [...prefix, ...(issue.path as (string | number)[])];
    if (p.at(-2) === 'modifiers' && typeof p.at(-1) === 'number') {
      const v = at(raw, p);
      const name = typeof v === 'string' ? v : v && typeof v === 'object' ? Object.keys(v)[0] : undefined;
      if (name === undefined || !(MODIFIER_NAMES as readonly string[]).includes(name) || (v && typeof v === 'object' && Object.keys(v).length !== 1)) {
        out.push({ path: p, message: `unknown modifier ${JSON.stringify(v)} (known: ${MODIFIER_NAMES.join(', ')}; parametrised ones are written { name: argument })` });
        continue;
      }
    }
    if (issue.code === 'invalid_union') {
      const branches = issue.errors.filter((b) => !b.some((i) => i.code === 'invalid_type' && i.path.length === 0));
      if (branches.length) {
        out.push(...flatten(branches[0]!, p, raw));
        continue;
      }
    }
    out.push({ path: p, message: issue.code === 'unrecognized_keys' ? `unknown key(s) ${issue.keys.map((k) => `"${k}"`).join(', ')}` : issue.message });
  }
  return out;
}

function fieldPaths(f: FieldSpec | LeafFieldSpec): string[] {
  return typeof f === 'string' ? [f] : f.from ? [f.from] : [];
}

/** A `rows` field: only where the target takes rows, with that row's fields, its required ones mapped. */
function rowProblems(entity: EntityName, field: string, f: FieldSpec, kind: string, at: (string | number)[]): Problem[] {
  const rows = typeof f === 'object' ? f.rows : undefined;
  if (kind !== 'rows') return rows ? [{ path: [...at, 'rows'], message: `${entity}.${field} is not a list of rows` }] : [];
  if (!rows) return [{ path: at, message: `${entity}.${field} is a list of rows: give { from: <path of the row items>, rows: { <field>: <path>, … } }` }];
  const target = ROW_TARGETS[entity]?.[field] ?? {};
  const out: Problem[] = [];
  for (const [rf, spec] of Object.entries(rows)) {
    if (!target[rf]) out.push({ path: [...at, 'rows', rf], message: `"${rf}" is not a field of ${entity}.${field} (fields: ${Object.keys(target).join(', ')})` });
    else if (fieldPaths(spec).some((p) => p.startsWith('^'))) out.push({ path: [...at, 'rows', rf], message: 'a row field reads inside its row item; "^" is not available here' });
  }
  for (const [rf, [, need]] of Object.entries(target)) {
    if (need === 'required' && !(rf in rows)) out.push({ path: [...at, 'rows'], message: `required field "${rf}" of ${entity}.${field} is not mapped` });
  }
  return out;
}

/** Checks that need the whole mapping: entity and field names, required fields, references. */
function semantic(m: Mapping): Problem[] {
  const out: Problem[] = [];
  for (const [entity, spec] of Object.entries(m.entities)) {
    const base = ['entities', entity];
    if (!isEntity(entity)) {
      out.push({ path: base, message: `"${entity}" is not a mirror entity (one of: ${ENTITY_ORDER.join(', ')})` });
      continue;
    }
    const target = TARGETS[entity];
    for (const [field, f] of Object.entries(spec.fields)) {
      if (!target[field]) {
        out.push({ path: [...base, 'fields', field], message: `"${field}" is not a field of ${entity} (fields: ${Object.keys(target).join(', ')})` });
        continue;
      }
      if (!spec.each && fieldPaths(f).some((p) => p.startsWith('^'))) {
        out.push({ path: [...base, 'fields', field], message: '"^" reads the parent item, which exists only with "each"' });
      }
      out.push(...rowProblems(entity, field, f, target[field]![0], [...base, 'fields', field]));
      if (typeof f === 'object') {
        f.modifiers?.forEach((mod, i) => {
          if (typeof mod === 'object' && 'lookup' in mod) {
            const le = mod.lookup.entity;
            if (!isEntity(le)) out.push({ path: [...base, 'fields', field, 'modifiers', i, 'lookup', 'entity'], message: `"${le}" is not a mirror entity` });
            else if ((Array.isArray(mod.lookup.by) ? mod.lookup.by : [mod.lookup.by]).some((b) => !TARGETS[le][b])) {
              const bad = (Array.isArray(mod.lookup.by) ? mod.lookup.by : [mod.lookup.by]).filter((b) => !TARGETS[le][b]);
              out.push({ path: [...base, 'fields', field, 'modifiers', i, 'lookup', 'by'], message: `${bad.map((b) => `"${b}"`).join(', ')} ${bad.length > 1 ? 'are not fields' : 'is not a field'} of ${le}` });
            } else if (ENTITY_ORDER.indexOf(le) >= ENTITY_ORDER.indexOf(entity)) out.push({ path: [...base, 'fields', field, 'modifiers', i, 'lookup', 'entity'], message: `${entity} can only look up entities read before it (${ENTITY_ORDER.slice(0, ENTITY_ORDER.indexOf(entity)).join(', ')})` });
          }
        });
      }
    }
    for (const [field, [, need]] of Object.entries(target)) {
      if (need === 'required' && !(field in spec.fields)) out.push({ path: [...base, 'fields'], message: `required field "${field}" of ${entity} is not mapped` });
    }
  }
  for (const entity of Object.keys(m.changes?.results ?? {})) {
    if (!m.entities[entity]) out.push({ path: ['changes', 'results', entity], message: `"${entity}" has no mapping under entities (its fields are needed to read changes)` });
  }
  const create = m.orders?.create;
  if (create) {
    for (const [el, f] of Object.entries(create.fields)) {
      if (!(ORDER_FIELDS as readonly string[]).includes(f)) out.push({ path: ['orders', 'create', 'fields', el], message: `"${f}" is not an order field (one of: ${ORDER_FIELDS.join(', ')})` });
    }
    for (const [el, f] of Object.entries(create.lines.fields)) {
      if (!(ORDER_LINE_FIELDS as readonly string[]).includes(f)) out.push({ path: ['orders', 'create', 'lines', 'fields', el], message: `"${f}" is not an order line field (one of: ${ORDER_LINE_FIELDS.join(', ')})` });
    }
    if (!Object.values(create.fields).includes('idempotencyKey')) out.push({ path: ['orders', 'create', 'fields'], message: 'idempotencyKey must be sent: it is how the system recognises an order sent twice' });
  }
  const st = m.orders?.statuses;
  if (st) {
    for (const field of Object.keys(st.fields)) {
      if (!(STATUS_FIELDS as readonly string[]).includes(field)) out.push({ path: ['orders', 'statuses', 'fields', field], message: `"${field}" is not an order status field (one of: ${STATUS_FIELDS.join(', ')})` });
    }
    for (const need of ['orderNumber', 'status']) if (!(need in st.fields)) out.push({ path: ['orders', 'statuses', 'fields'], message: `required field "${need}" is not mapped` });
  }
  for (const [op, spec] of Object.entries(m.reservations ?? {}) as [keyof typeof RESERVATION_REQUIRED, { fields: Record<string, string> }][]) {
    const base = ['reservations', op, 'fields'];
    for (const [el, f] of Object.entries(spec.fields)) {
      if (!(RESERVATION_FIELDS as readonly string[]).includes(f)) out.push({ path: [...base, el], message: `"${f}" is not a reservation field (one of: ${RESERVATION_FIELDS.join(', ')})` });
    }
    const sent = Object.values(spec.fields);
    for (const need of RESERVATION_REQUIRED[op]) {
      if (!sent.includes(need)) out.push({ path: base, message: `${need} must be sent by ${op}${need.endsWith('Key') ? ': it is how the system recognises a repeated request' : ''}` });
    }
  }
  return out;
}

/** Parses and validates a mapping from text (YAML or JSON). */
export function parseMapping(file: string, text: string): LoadedMapping {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: true });
  const lineOf = (p: (string | number)[]) => {
    for (let n = p.length; n >= 0; n--) {
      const node = doc.getIn(p.slice(0, n), true) as { range?: [number, number, number] } | undefined;
      if (node?.range) return lines.linePos(node.range[0]).line;
      // A map key's position: look for the pair whose key matches.
      const parent = n > 0 ? doc.getIn(p.slice(0, n - 1), true) : doc.contents;
      if (isMap(parent)) {
        const pair = parent.items.find((it) => (it.key as { value?: unknown })?.value === p[n - 1]);
        const r = (pair?.key as { range?: [number, number, number] } | undefined)?.range;
        if (r) return lines.linePos(r[0]).line;
      }
    }
    return undefined;
  };
  if (doc.errors.length) {
    throw new MappingError(file, doc.errors.map((e) => ({ path: '', line: e.linePos?.[0]?.line, message: `not valid ${path.extname(file) === '.json' ? 'JSON' : 'YAML'}: ${e.message.split('\n')[0]!.replace(/ at line \d+, column \d+:?$/, '')}` })));
  }
  const raw = doc.toJS();
  const res = mappingSchema.safeParse(raw);
  const problems = res.success ? semantic(res.data) : flatten(res.error.issues, [], raw);
  if (problems.length) {
    throw new MappingError(file, problems.map((p) => ({ path: fmtPath(p.path), line: lineOf(p.path), message: p.message })));
  }
  return { file, mapping: res.data! };
}

export async function loadMapping(file: string): Promise<LoadedMapping> {
  let text: string;
  try {
    text = await fs.readFile(file, 'utf8');
  } catch (err) {
    throw new MappingError(file, [{ path: '', message: `cannot read the file (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})` }]);
  }
  return parseMapping(file, text);
}

/** Operations the mapping calls, with where each is named (for checking them against the WSDL). */
export function mappingOperations(m: Mapping): { operation: string; path: string }[] {
  const out: { operation: string; path: string }[] = [];
  if (m.info) out.push({ operation: m.info.operation, path: 'info.operation' });
  for (const [e, s] of Object.entries(m.entities)) out.push({ operation: s.operation, path: `entities.${e}.operation` });
  if (m.changes) out.push({ operation: m.changes.operation, path: 'changes.operation' });
  if (m.orders) out.push({ operation: m.orders.create.operation, path: 'orders.create.operation' });
  if (m.orders?.statuses) out.push({ operation: m.orders.statuses.operation, path: 'orders.statuses.operation' });
  for (const [op, spec] of Object.entries(m.reservations ?? {})) out.push({ operation: spec.operation, path: `reservations.${op}.operation` });
  return out;
}
