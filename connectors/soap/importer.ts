// Importer: the fixed steps of a sync. Full: read the system's clock and feed head, page through
// every mapped entity (calls shared by several entities are made once), stream records into one
// sync run, commit. Changes: read the change feed from the source's cursor, apply as a delta.
// Any failure aborts the run: the mirror is untouched and the run row says why.
import { log } from '../../src/infra/log.ts';
import { ENTITY_ORDER, type EntityName, type MirrorRecords } from '../../src/mirror/records.ts';
import type { SyncResult } from '../../src/sync/types.ts';
import type { SoapAdapter, SoapArgs } from './adapter.ts';
import { decodeAnswer } from './decode.ts';
import { MappingDataError } from './errors.ts';
import { EntityMapper, itemsAt, valueAt } from './mapper.ts';
import type { EntityMapping, Mapping } from './mapping-schema.ts';
import { StreamPlan } from './stream-map.ts';
import { type LookupFn, ModifierError, toDateTime } from './modifiers.ts';
import type { XmlObject, XmlValue } from './xml-tree.ts';

/** The slice of a sync run the importer uses (src/sync's SyncRun fits). */
export interface RunSink {
  readonly id: number;
  add<E extends EntityName>(entity: E, records: MirrorRecords[E][]): Promise<void>;
  progress(p: { done?: number; total?: number; message?: string }): Promise<void>;
  commit(o?: { dryRun?: boolean }): Promise<SyncResult>;
  abort(reason: Error | string): Promise<void>;
}

export interface ImportDeps {
  adapter: SoapAdapter;
  mapping: Mapping;
  /** Opens the sync run (the job binds the source id and run kind). */
  openRun(o: { mode: 'full' | 'delta'; asOf: Date | null; cursor: string | null }): Promise<RunSink>;
  /** For `lookup` modifiers in delta runs: value of `by` → external id, from the mirror. */
  loadLookup?(entity: EntityName, by: string): Promise<Map<string, string>>;
  /** Restrict to these entities (dry runs). */
  only?: EntityName[];
  /** Stop after this many items per call group (dry runs; implies no deletions). */
  limit?: number;
  /** Sees every chunk of records before it is added (dry runs print samples). */
  onRecords?(entity: EntityName, records: unknown[]): void;
  dryRun?: boolean;
}

export interface ImportOutcome {
  result: SyncResult | null;
  asOf: Date | null;
  cursor: string | null;
  records: number;
}

const CHUNK = 20_000;
/** Pages requested ahead during a full sync. */
const PREFETCH = 3;

function parseTime(v: XmlValue | undefined, what: string, timeZone?: string): Date | null {
  if (v === undefined || v === '') return null;
  if (typeof v === 'object') throw new MappingDataError(`${what}: expected a date and time, got a structure`);
  try {
    const iso = toDateTime(v, timeZone);
    return iso ? new Date(iso) : null;
  } catch (err) {
    if (err instanceof ModifierError) throw new MappingDataError(`${what}: ${err.message}`);
    throw err;
  }
}

const lookupFields = (by: string | string[]) => (Array.isArray(by) ? by : [by]);

/** Lookup tables for `lookup` modifiers, filled from records read earlier in the run. */
class Lookups {
  private readonly tables = new Map<string, Map<string, string>>();
  constructor(mapping: Mapping) {
    for (const spec of Object.values(mapping.entities)) {
      for (const f of Object.values(spec.fields)) {
        if (typeof f === 'string') continue;
        for (const m of f.modifiers ?? []) {
          if (typeof m === 'object' && 'lookup' in m) for (const by of lookupFields(m.lookup.by)) this.tables.set(`${m.lookup.entity}|${by}`, new Map());
        }
      }
    }
  }
  get size() {
    return this.tables.size;
  }
  keys(): [EntityName, string][] {
    return [...this.tables.keys()].map((k) => k.split('|') as [EntityName, string]);
  }
  fill(entity: EntityName, by: string, m: Map<string, string>) {
    const t = this.tables.get(`${entity}|${by}`);
    if (t) for (const [k, v] of m) t.set(k, v);
  }
  remember(entity: EntityName, records: unknown[]) {
    for (const [e, by] of this.keys()) {
      if (e !== entity) continue;
      const t = this.tables.get(`${e}|${by}`)!;
      for (const r of records as Record<string, unknown>[]) if (r[by] != null) t.set(String(r[by]), String(r.externalId));
    }
  }
  readonly fn: LookupFn = (entity, by, value) => this.tables.get(`${entity}|${by}`)?.get(value);
}

interface CallGroup {
  operation: string;
  args: SoapArgs;
  paging?: EntityMapping['paging'];
  decode?: EntityMapping['decode'];
  entities: EntityName[];
}

function callGroups(mapping: Mapping, only?: EntityName[]): CallGroup[] {
  const groups = new Map<string, CallGroup>();
  for (const entity of ENTITY_ORDER) {
    const spec = mapping.entities[entity];
    if (!spec || (only && !only.includes(entity))) continue;
    const key = JSON.stringify([spec.operation, spec.args ?? {}, spec.paging ?? null, spec.decode ?? null]);
    const g = groups.get(key) ?? { operation: spec.operation, args: { ...(spec.args ?? {}) }, paging: spec.paging, decode: spec.decode, entities: [] };
    g.entities.push(entity);
    groups.set(key, g);
  }
  return [...groups.values()];
}

/** Records an attempt that failed before its run could be opened, so every run has a row. */
async function failBeforeOpen(deps: ImportDeps, mode: 'full' | 'delta', err: unknown): Promise<never> {
  const run = await deps.openRun({ mode, asOf: null, cursor: null });
  await run.abort(err as Error);
  throw err;
}

/** Lookups inside one call group: a record may need one read from an earlier item of the same page. */
function lookupsWithin(mapping: Mapping, g: CallGroup): boolean {
  for (const e of g.entities) {
    for (const f of Object.values(mapping.entities[e]!.fields)) {
      if (typeof f === 'string') continue;
      for (const m of f.modifiers ?? []) if (typeof m === 'object' && 'lookup' in m && g.entities.includes(m.lookup.entity as EntityName)) return true;
    }
  }
  return false;
}

/**
 * Where each entity of a streamed group reads its items: the element paths handed out one by one
 * (none inside another) and, for an entity whose `result` lies inside one of them, the rest of its path.
 */
function streamPlan(mapping: Mapping, g: CallGroup): { roots: string[]; at: { root: number; sub: string | null }[] } {
  const results = [...new Set(g.entities.map((e) => mapping.entities[e]!.result))];
  const roots = results.filter((p) => !results.some((q) => q !== p && p.startsWith(`${q}.`)));
  const at = g.entities.map((e) => {
    const r = mapping.entities[e]!.result;
    const root = roots.findIndex((q) => r === q || r.startsWith(`${q}.`));
    return { root, sub: r === roots[root] ? null : r.slice(roots[root]!.length + 1) };
  });
  return { roots, at };
}

/** Chunks of records in the run's queue and not yet applied: the next pages are read meanwhile. */
const APPLY_AHEAD = 3;

/**
 * The run's steps (adds, progress) in order, one at a time, while the importer goes on reading:
 * at most `max` wait, and the first failure stops the rest and is thrown to the next caller.
 */
class ApplyQueue {
  private tail: Promise<void> = Promise.resolve();
  private queued = 0;
  private failure: { err: unknown } | undefined;
  private wake: (() => void) | undefined;
  constructor(private readonly max: number) {}

  async push(step: () => Promise<void>): Promise<void> {
    this.check();
    this.queued++;
    this.tail = this.tail.then(async () => {
      try {
        if (!this.failure) await step();
      } catch (err) {
        this.failure ??= { err };
      } finally {
        this.queued--;
        this.wake?.();
      }
    });
    while (this.queued > this.max && !this.failure) await new Promise<void>((r) => (this.wake = r));
    this.check();
  }

  /** Steps queued and not yet done (the one running included). */
  get pending(): number {
    return this.queued;
  }

  private check(): void {
    if (this.failure) throw this.failure.err;
  }

  /** Every queued step done; throws the first failure. */
  async drain(): Promise<void> {
    await this.tail;
    this.check();
  }

  /** Every queued step done or skipped, without throwing: nothing of the run may run after its abort. */
  settle(): Promise<void> {
    return this.tail;
  }
}

interface Page {
  /** The answer (decoded), without the items a streamed page handed out. */
  answer: XmlObject;
  /** Items at the group's first entity's `result`. */
  count: number;
  /** Streamed pages: each entity's records (in the group's entity order), mapped as the page arrived. */
  records?: unknown[][];
}

export async function importFull(deps: ImportDeps): Promise<ImportOutcome> {
  const { adapter, mapping } = deps;
  let asOf: Date | null = null;
  let cursor: string | null = null;
  try {
    if (mapping.info) {
      const info = decodeAnswer(await adapter.call(mapping.info.operation), mapping.info.decode, mapping.info.operation);
      asOf = parseTime(valueAt(info, mapping.info.asOf), 'info.asOf', mapping.service.timeZone);
      cursor = mapping.info.cursor ? String(valueAt(info, mapping.info.cursor) ?? '') || null : null;
    }
  } catch (err) {
    return failBeforeOpen(deps, 'full', err);
  }
  const partial = deps.limit !== undefined || deps.only !== undefined;
  // A partial read must not mark the rest deleted, nor move the feed cursor.
  const run = await deps.openRun({ mode: partial ? 'delta' : 'full', asOf, cursor: partial ? null : cursor });
  const lookups = new Lookups(mapping);
  const queue = new ApplyQueue(APPLY_AHEAD);
  let records = 0;
  try {
    const groups = callGroups(mapping, deps.only);
    if (!partial) for (const g of groups) for (const e of g.entities) await run.add(e, []);
    let done = 0;
    let total = 0;
    for (const g of groups) {
      const mappers = g.entities.map((e) => new EntityMapper(e, mapping.entities[e]!, lookups.fn, undefined, mapping.service.timeZone));
      const pageArgs = (n: number): SoapArgs => (g.paging ? { ...g.args, [g.paging.pageArg]: n, [g.paging.sizeArg]: g.paging.pageSize } : g.args);
      const whereOf = (n: number) => (g.paging ? `${g.operation} page ${n}` : g.operation);
      const first = mapping.entities[g.entities[0]!]!;
      // Streamed: items are mapped as the answer arrives, one small tree at a time. JSON answers,
      // dry-run limits and lookups between the group's own records read the page whole instead.
      const streamed = !g.decode && deps.limit === undefined && !lookupsWithin(mapping, g);
      const plan = streamed ? streamPlan(mapping, g) : undefined;
      // Item paths whose entities all read the item itself are mapped from the parser's events
      // (no tree per item); the others get their items as trees.
      const compiled = plan?.roots.map((_, r) => {
        const ks = plan.at.flatMap((at, k) => (at.root === r ? [k] : []));
        if (ks.some((k) => plan.at[k]!.sub !== null)) return undefined;
        const sp = StreamPlan.compile(ks.map((k) => ({ mapper: mappers[k]!, each: mapping.entities[mappers[k]!.entity]!.each })));
        return sp && { plan: sp, ks };
      });
      const fetchPage = async (n: number): Promise<Page> => {
        const where = whereOf(n);
        if (!plan) {
          const answer = decodeAnswer(await adapter.call(g.operation, pageArgs(n)), g.decode, `${g.operation}${g.paging ? ` page ${n}` : ''}`);
          return { answer, count: itemsAt(answer, first.result).length };
        }
        const recs = mappers.map(() => [] as unknown[]);
        const index = mappers.map(() => 0);
        const remember = lookups.size > 0;
        const onItem = (root: number, item: XmlValue) => {
          for (let k = 0; k < mappers.length; k++) {
            const at = plan.at[k]!;
            if (at.root !== root) continue;
            const out = recs[k]! as never[];
            for (const it of at.sub ? itemsAt(item, at.sub) : [item]) {
              const from = out.length;
              mappers[k]!.mapItem(it, index[k]!++, { where }, out);
              if (remember) lookups.remember(mappers[k]!.entity, out.slice(from));
            }
          }
        };
        const readers = compiled!.map((c) => c && {
          ks: c.ks,
          reader: c.plan.reader({ where }, c.ks.map((k) => recs[k]!), remember ? (i, from) => lookups.remember(mappers[c.ks[i]!]!.entity, recs[c.ks[i]!]!.slice(from)) : undefined),
        });
        const answer = await adapter.call(g.operation, pageArgs(n), { paths: plan.roots, onItem, readers: readers.map((r) => r?.reader) });
        for (const r of readers) if (r) for (const k of r.ks) index[k] = r.reader.count;
        return { answer, count: index[0]!, records: recs };
      };
      // Pages in flight: the system prepares the next ones while this one is mapped and staged.
      const depth = g.paging && deps.limit === undefined ? PREFETCH : 1;
      const firstPage = g.paging?.firstPage ?? 1;
      let nextPage = firstPage;
      // A page's failure is held as a value until the page is awaited, so one fetched ahead that
      // fails meanwhile is no unhandled rejection; pages fetched ahead and not used are dropped.
      const inflight: { page: number; answer: Promise<{ ok: Page } | { failed: unknown }> }[] = [];
      const launch = () => {
        const answer = fetchPage(nextPage).then(
          (ok) => ({ ok }),
          (failed: unknown) => ({ failed }),
        );
        inflight.push({ page: nextPage++, answer });
      };
      const drop = () => {
        for (const p of inflight.splice(0)) {
          void p.answer.then((r) => {
            if ('failed' in r) log.debug({ operation: g.operation, page: p.page, err: (r.failed as Error)?.message }, 'soap import: a page fetched ahead and not used failed');
          });
        }
      };
      // Records wait here until a chunk is full, then go to the run in the group's entity order
      // (an offer before its prices), while the next pages are read. They wait only while the
      // run has work queued behind the step it is doing: an apply that would otherwise sit idle
      // gets what there is (the first products go in after one page, not after ten).
      const buffered = mappers.map(() => [] as unknown[]);
      const flush = async (all: boolean) => {
        if (!all && queue.pending > 1 && !buffered.some((b) => b.length >= CHUNK)) return;
        for (let k = 0; k < mappers.length; k++) {
          const list = buffered[k]!;
          buffered[k] = [];
          const entity = mappers[k]!.entity;
          for (let i = 0; i < list.length; i += CHUNK) {
            const chunk = list.slice(i, i + CHUNK);
            await queue.push(() => run.add(entity, chunk as never));
          }
        }
      };
      launch();
      let seen = 0;
      let groupTotal: number | undefined;
      /** With `totalPages`, the last page to read (the answer's count, not the page's size, ends the paging). */
      let lastPage: number | undefined;
      while (inflight.length) {
        const { page: thisPage, answer: pending } = inflight.shift()!;
        const outcome = await pending;
        if ('failed' in outcome) {
          drop();
          throw outcome.failed;
        }
        const { answer, count } = outcome.ok;
        if (g.paging?.total && groupTotal === undefined) {
          groupTotal = Number(valueAt(answer, g.paging.total) ?? Number.NaN);
          if (Number.isFinite(groupTotal)) total += groupTotal;
          else groupTotal = Number.POSITIVE_INFINITY;
        }
        if (g.paging?.totalPages && lastPage === undefined) {
          const pages = valueAt(answer, g.paging.totalPages);
          if (typeof pages !== 'string' || !/^\d+$/.test(pages)) {
            throw new MappingDataError(`entities.${g.entities[0]}.paging.totalPages: "${g.paging.totalPages}" in the answer of ${g.operation} is ${pages === undefined ? 'missing' : `not a page count (${JSON.stringify(pages).slice(0, 40)})`}`);
          }
          lastPage = firstPage + Number(pages) - 1;
        }
        seen += count;
        const limitLeft = deps.limit === undefined || seen < deps.limit;
        const more = g.paging && limitLeft && (lastPage !== undefined
          ? thisPage < lastPage
          : count >= g.paging.pageSize && seen < (groupTotal ?? Number.POSITIVE_INFINITY));
        if (!more) drop();
        else {
          const size = g.paging!.pageSize;
          const beyond = (p: number) => (lastPage !== undefined ? p > lastPage : (p - firstPage) * size >= (groupTotal ?? Number.POSITIVE_INFINITY));
          while (inflight.length < depth && !beyond(nextPage)) launch();
          if (!inflight.length) launch();
        }
        let pageRecords = outcome.ok.records;
        if (!pageRecords) {
          const items = itemsAt(answer, first.result);
          const limited = deps.limit !== undefined ? items.slice(0, Math.max(0, deps.limit - (seen - items.length))) : items;
          pageRecords = mappers.map((m) => {
            const spec = mapping.entities[m.entity]!;
            const recs = m.map(spec.result === first.result ? limited : itemsAt(answer, spec.result), { where: whereOf(thisPage) });
            lookups.remember(m.entity, recs);
            return recs;
          });
        }
        for (let k = 0; k < mappers.length; k++) {
          const recs = pageRecords[k]!;
          deps.onRecords?.(mappers[k]!.entity, recs);
          const into = buffered[k]!;
          for (const r of recs) into.push(r);
          records += recs.length;
        }
        await flush(false);
        done += deps.limit !== undefined ? Math.min(count, Math.max(0, deps.limit - (seen - count))) : count;
        const pageNote = lastPage !== undefined ? ` (page ${thisPage - firstPage + 1} of ${lastPage - firstPage + 1})` : '';
        const p = { done, total: total || undefined, message: `${g.operation}: ${g.entities.join(', ')}${pageNote}` };
        await queue.push(() => run.progress(p));
      }
      await flush(true);
    }
    await queue.drain();
    const result = await run.commit({ dryRun: deps.dryRun });
    return { result, asOf, cursor, records };
  } catch (err) {
    await queue.settle();
    await run.abort(err as Error);
    throw err;
  }
}

/** Reads the change feed from `since`; opens a run only when something changed. */
export async function importChanges(deps: ImportDeps & { since: string | null; maxCalls?: number }): Promise<ImportOutcome> {
  const { adapter, mapping } = deps;
  const ch = mapping.changes;
  if (!ch) throw new MappingDataError('the mapping has no "changes" section: this source can only be synced in full');
  const lookups = new Lookups(mapping);
  const batch = new Map<EntityName, unknown[]>();
  let cursor = deps.since ?? '';
  let asOf: Date | null = null;
  let items = 0;
  try {
    for (const [e, by] of lookups.keys()) if (deps.loadLookup) lookups.fill(e, by, await deps.loadLookup(e, by));
    for (let call = 0; call < (deps.maxCalls ?? 20); call++) {
      const answer = decodeAnswer(await adapter.call(ch.operation, { ...(ch.args ?? {}), [ch.cursorArg]: cursor }), ch.decode, ch.operation);
      const where = `${ch.operation} from cursor "${cursor}"`;
      for (const entity of ENTITY_ORDER) {
        const path = ch.results[entity];
        if (!path) continue;
        const list = itemsAt(answer, path);
        items += list.length;
        const recs = new EntityMapper(entity, mapping.entities[entity]!, lookups.fn, undefined, mapping.service.timeZone).map(list, { where });
        lookups.remember(entity, recs);
        if (recs.length) batch.set(entity, [...(batch.get(entity) ?? []), ...recs]);
      }
      const next = valueAt(answer, ch.nextCursor);
      if (next === undefined || typeof next === 'object') throw new MappingDataError(`changes.nextCursor: the answer has no value at "${ch.nextCursor}"`);
      cursor = String(next);
      if (ch.asOf) asOf = parseTime(valueAt(answer, ch.asOf), 'changes.asOf', mapping.service.timeZone) ?? asOf;
      const hasMore = ch.hasMore ? String(valueAt(answer, ch.hasMore)) === 'true' : false;
      if (!hasMore) break;
    }
  } catch (err) {
    return failBeforeOpen(deps, 'delta', err);
  }
  if (!items && cursor === (deps.since ?? '')) return { result: null, asOf, cursor, records: 0 };
  const run = await deps.openRun({ mode: 'delta', asOf, cursor });
  let records = 0;
  try {
    for (const [entity, recs] of batch) {
      deps.onRecords?.(entity, recs);
      await run.add(entity, recs as never);
      records += recs.length;
    }
    return { result: await run.commit({ dryRun: deps.dryRun }), asOf, cursor, records };
  } catch (err) {
    await run.abort(err as Error);
    throw err;
  }
}
