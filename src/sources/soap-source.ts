// Binds a `sources` row of kind 'soap' to the connector: loads its mapping, reads credentials by
// env-var name, opens sync runs for it, and does the database work around an import. Each sync
// records in the row what the mapping lets the store send (sources.outbound), so the store —
// which knows no connector — writes outbox rows only for what will be delivered.
import { UnrecoverableError } from 'bullmq';
import {
  type ImportDeps, type ImportOutcome, importChanges, importFull, MappingDataError, MappingError, mappingOutbound, openBackend, type SoapBackend,
  SoapCallError,
} from '../../connectors/soap/index.ts';
import { secretFromEnv } from '../infra/config.ts';
import type { Runtime } from '../infra/runtime.ts';
import type { EntityName } from '../mirror/records.ts';
import { seedClients } from '../store/accounts/clients.ts';
import { openSyncRun } from '../sync/index.ts';

export interface SoapSourceRow {
  id: number;
  name: string;
  kind: string;
  settings: unknown;
  cursor: string | null;
}

export class SourceNotFoundError extends UnrecoverableError {}

export async function soapSourceRow(rt: Runtime, name: string): Promise<SoapSourceRow> {
  const row = await rt.db('sources').where({ name }).first('id', 'name', 'kind', 'settings', 'cursor');
  if (!row) throw new SourceNotFoundError(`no source named "${name}"`);
  if (row.kind !== 'soap') throw new SourceNotFoundError(`source "${name}" is of kind ${row.kind}, not soap`);
  return row;
}

export async function soapSources(rt: Runtime): Promise<SoapSourceRow[]> {
  return rt.db('sources').where({ kind: 'soap' }).whereNull('disabled_at').orderBy('id').select('id', 'name', 'kind', 'settings', 'cursor');
}

export async function backendOf(row: SoapSourceRow): Promise<SoapBackend> {
  return openBackend(row.name, row.settings, secretFromEnv);
}

/** Records what the source's mapping delivers (a no-op write when nothing changed). */
export async function recordOutbound(rt: Runtime, row: Pick<SoapSourceRow, 'id'>, backend: SoapBackend): Promise<void> {
  const outbound = mappingOutbound(backend.mapping);
  await rt.db('sources').where({ id: row.id }).whereRaw('outbound IS DISTINCT FROM ?::text[]', [outbound]).update({ outbound });
}

/** The backend of a source about to sync, its outbound kinds recorded from the mapping just loaded. */
async function syncBackend(rt: Runtime, row: SoapSourceRow): Promise<SoapBackend> {
  const backend = await backendOf(row);
  await recordOutbound(rt, row, backend);
  return backend;
}

/** Errors retrying cannot fix end the job at once (BullMQ's UnrecoverableError) with the same message. */
export function classify(err: unknown): Error {
  if (err instanceof MappingError || err instanceof MappingDataError) return new UnrecoverableError(err.message);
  if (err instanceof SoapCallError && !err.retryable) return new UnrecoverableError(err.message);
  return err as Error;
}

const TABLES: Partial<Record<EntityName, string>> = {
  groups: 'product_groups', priceTypes: 'price_types', warehouses: 'warehouses', managers: 'managers', products: 'products',
  offers: 'offers', counterparties: 'counterparties', contracts: 'contracts', documents: 'documents',
};
const snake = (s: string) => s.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);

/** The source's cursor and epoch before a run reads anything: its commit is fenced on both. */
interface Fence {
  cursor: string | null;
  epoch: number;
}

async function readFence(rt: Runtime, row: Pick<SoapSourceRow, 'id'>): Promise<Fence> {
  const at = await rt.db('sources').where({ id: row.id }).first('cursor', 'sync_epoch');
  return { cursor: at?.cursor ?? null, epoch: Number(at?.sync_epoch ?? 0) };
}

function importDeps(rt: Runtime, row: SoapSourceRow, backend: SoapBackend, kind: string, signal: AbortSignal | undefined, fence: Fence): ImportDeps {
  return {
    adapter: backend.adapter,
    mapping: backend.mapping,
    openRun: (o) =>
      openSyncRun(rt, { sourceId: row.id, kind, mode: o.mode, asOf: o.asOf, cursor: o.cursor, signal, expectCursor: fence.cursor, expectEpoch: fence.epoch }),
    loadLookup: async (entity, by) => {
      const table = TABLES[entity];
      if (!table) return new Map();
      const rows: { k: string; v: string }[] = await rt.db(table).where({ source_id: row.id }).select({ k: snake(by), v: 'external_id' });
      return new Map(rows.map((r) => [String(r.k), r.v]));
    },
  };
}

/** Cabinets follow head-counterparty links: re-seed when a run touched counterparties. */
async function seedClientsAfter(rt: Runtime, out: ImportOutcome): Promise<void> {
  const c = out.result?.counts.counterparties;
  if (c && c.inserted + c.updated + c.deleted > 0) await seedClients(rt.db);
}

/** What a run of a source is given: `signal` stops it between batches (its source lock was lost). */
export interface SourceRunOptions {
  signal?: AbortSignal;
}

export async function runFullSync(rt: Runtime, row: SoapSourceRow, opts: SourceRunOptions = {}): Promise<ImportOutcome> {
  const backend = await syncBackend(rt, row);
  const out = await importFull(importDeps(rt, row, backend, 'full', opts.signal, await readFence(rt, row)));
  await seedClientsAfter(rt, out);
  return out;
}

export async function runChanges(rt: Runtime, row: SoapSourceRow, opts: SourceRunOptions = {}): Promise<ImportOutcome> {
  const backend = await syncBackend(rt, row);
  const fence = await readFence(rt, row);
  const out = await importChanges({ ...importDeps(rt, row, backend, 'changes', opts.signal, fence), since: fence.cursor });
  await seedClientsAfter(rt, out);
  if (!out.result) {
    // Nothing changed: the mirror is as fresh as the system's clock says, without a run row.
    await rt.db.raw(
      `UPDATE sources SET as_of = greatest(coalesce(as_of, ?::timestamptz), ?::timestamptz), last_success_at = now() WHERE id = ?`,
      [out.asOf ?? new Date(), out.asOf ?? new Date(), row.id],
    );
  }
  return out;
}
