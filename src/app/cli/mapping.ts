// `counterpart mapping validate FILE [--online]` and
// `counterpart mapping dry-run FILE --entity E --limit N [--source NAME] [--endpoint URL] [--full]`.
import path from 'node:path';
import type { Command } from 'commander';
import { adapterFor, createSoapAdapter, importFull, loadMapping, mappingFile, mappingOperations, parseSoapSettings } from '../../../connectors/soap/index.ts';
import { secretFromEnv } from '../../infra/config.ts';
import type { Runtime } from '../../infra/runtime.ts';
import { ENTITY_ORDER, type EntityName } from '../../mirror/records.ts';
import { formatDryRun } from '../../sources/sync-report.ts';
import { openSyncRun } from '../../sync/index.ts';

const TABLES: Partial<Record<EntityName, string>> = {
  groups: 'product_groups', priceTypes: 'price_types', warehouses: 'warehouses', managers: 'managers', products: 'products',
  offers: 'offers', counterparties: 'counterparties', contracts: 'contracts', documents: 'documents',
  arrivals: 'expected_arrivals',
};
const snake = (s: string) => s.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
const sorted = (v: unknown): string => (v && typeof v === 'object' ? JSON.stringify(Object.fromEntries(Object.entries(v).sort())) : String(v ?? ''));

function same(a: unknown, b: unknown): boolean {
  if (a === null || a === undefined || b === null || b === undefined) return (a ?? null) === (b ?? null) || sorted(a) === sorted(b);
  if (typeof a !== 'object' && /^-?\d+(\.\d+)?$/.test(String(a)) && /^-?\d+(\.\d+)?$/.test(String(b))) return Number(a) === Number(b);
  return sorted(a) === sorted(b);
}

/** Field-by-field differences between mapped records and the mirror's rows (entities with an external id). */
async function sampleDiff(rt: Runtime, sourceId: number, entity: EntityName, records: Record<string, unknown>[]): Promise<string[]> {
  const table = TABLES[entity];
  if (!table) return [`  (no per-record diff for ${entity}; see the counts above)`];
  const out: string[] = [];
  for (const rec of records) {
    const row = await rt.db(table).where({ source_id: sourceId, external_id: String(rec.externalId) }).first();
    if (!row) {
      out.push(`  + ${rec.externalId}: new (${String(rec.name ?? '')})`);
      continue;
    }
    const diffs = Object.entries(rec)
      .filter(([k]) => k !== 'externalId' && snake(k) in row && !same(row[snake(k)], rec[k]))
      .map(([k, v]) => `${k}: ${sorted(row[snake(k)])} → ${sorted(v)}`);
    out.push(diffs.length ? `  ~ ${rec.externalId}: ${diffs.join('; ')}` : `  = ${rec.externalId}: unchanged`);
  }
  return out;
}

export function registerMapping(program: Command, withRuntime: <T>(fn: (rt: Runtime) => Promise<T>) => Promise<T>): void {
  const mapping = program.command('mapping').description('check and try SOAP mapping files');

  mapping
    .command('validate <file>')
    .description('check a mapping file; every problem names the file, line, path and what is wrong')
    .option('--online', 'also check that the WSDL declares every operation the mapping calls')
    .option('--endpoint <url>', 'service URL to check against (default: the mapping’s)')
    .action(async (file: string, o: { online?: boolean; endpoint?: string }) => {
      const loaded = await loadMapping(path.resolve(file));
      const m = loaded.mapping;
      const lines = [`${file}: valid (${Object.keys(m.entities).length} entities${m.changes ? ', change feed' : ''}${m.orders ? ', orders' : ''})`];
      if (o.online) {
        const endpoint = o.endpoint ?? m.service.endpoint;
        const ops = await createSoapAdapter({ endpoint, namespace: m.service.namespace, timeoutMs: m.service.timeoutMs }).wsdlOperations();
        const missing = mappingOperations(m).filter((x) => !ops.includes(x.operation));
        if (missing.length) {
          throw new Error(missing.map((x) => `${file}: ${x.path}: the WSDL at ${endpoint}?wsdl has no operation "${x.operation}"`).join('\n'));
        }
        lines.push(`every operation exists in the WSDL at ${endpoint}?wsdl`);
      }
      console.log(lines.join('\n'));
    });

  mapping
    .command('dry-run <file>')
    .description('call the system, print mapped records and what would change in the mirror, without writing')
    .requiredOption('--entity <entity>', `one of: ${ENTITY_ORDER.join(', ')}`)
    .option('--limit <n>', 'records to read and print', (v) => Number.parseInt(v, 10), 10)
    .option('--source <name>', 'compare with this source’s mirror (default: the source using this mapping, else an empty mirror)')
    .option('--endpoint <url>', 'service URL (default: the source’s, else the mapping’s)')
    .option('--full', 'read the whole entity, so deletions are counted too')
    .action(async (file: string, o: { entity: string; limit: number; source?: string; endpoint?: string; full?: boolean }) => {
      // The file and options are checked before a database is opened: a bad mapping exits non-zero at once.
      const entity = o.entity as EntityName;
      const loaded = await loadMapping(path.resolve(file));
      if (!ENTITY_ORDER.includes(entity)) throw new Error(`--entity: "${o.entity}" is not an entity (one of: ${ENTITY_ORDER.join(', ')})`);
      if (!loaded.mapping.entities[entity]) throw new Error(`${file}: entities.${entity}: the mapping does not map ${entity}`);
      if (!Number.isInteger(o.limit) || o.limit < 1) throw new Error('--limit must be a whole number ≥ 1');
      await withRuntime(async (rt) => {
        const sources = await rt.db('sources').where({ kind: 'soap' }).select('id', 'name', 'settings');
        const src = o.source
          ? sources.find((s) => s.name === o.source)
          : sources.find((s) => { try { return mappingFile(parseSoapSettings(s.name, s.settings).mapping) === path.resolve(file); } catch { return false; } });
        if (o.source && !src) throw new Error(`--source: no SOAP source named "${o.source}"`);
        const endpoint = o.endpoint ?? (src ? parseSoapSettings(src.name, src.settings).endpoint : undefined);
        // Without a source, compare with an empty mirror: a throw-away source row (its runs go with it).
        const sourceId: number = src?.id ?? (await rt.db('sources').insert({ name: `dry-run-${process.pid}`, kind: 'soap', title: 'dry run' }).returning('id'))[0].id;
        const printed: unknown[] = [];
        try {
          const t = Date.now();
          const out = await importFull({
            adapter: adapterFor(loaded, secretFromEnv, endpoint),
            mapping: loaded.mapping,
            openRun: (r) => openSyncRun(rt, { sourceId, kind: 'mapping dry-run', mode: o.full ? 'full' : 'delta', asOf: r.asOf, cursor: null }),
            only: [entity],
            limit: o.full ? undefined : o.limit,
            onRecords: (e, recs) => {
              if (e === entity) printed.push(...recs.slice(0, o.limit - printed.length));
            },
            dryRun: true,
          });
          console.log(`${printed.length} ${entity} record(s) as mapped:`);
          for (const r of printed) console.log(`  ${JSON.stringify(r)}`);
          console.log(`\nwhat would change in the mirror${src ? ` of source "${src.name}"` : ' (no source uses this mapping: compared with an empty mirror)'}:`);
          console.log(formatDryRun(out.result, Date.now() - t));
          console.log('\nsample diff:');
          console.log((await sampleDiff(rt, sourceId, entity, printed.slice(0, 5) as Record<string, unknown>[])).join('\n'));
        } finally {
          if (!src) await rt.db('sources').where({ id: sourceId }).del();
        }
      });
    });
}
