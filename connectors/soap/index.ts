// The SOAP connector's front door ("backend" in OCA terms): a source's settings + its mapping
// file + credentials from the environment → an adapter and the mapping, ready for the importer
// and exporter. Jobs and the CLI use this; nothing here touches the database.
import fs from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';
import { createSoapAdapter, type SoapAdapter } from './adapter.ts';
import { MappingError } from './errors.ts';
import { type LoadedMapping, loadMapping } from './mapping-load.ts';
import type { Mapping } from './mapping-schema.ts';
import { repoRoot } from '../../src/infra/paths.ts';
import { ORDER_CREATE, type OutboxKind, RESERVATION_KINDS } from '../../src/mirror/outbound.ts';
import { registerCache } from '../../src/infra/caches.ts';

export { createSoapAdapter, type SoapAdapter } from './adapter.ts';
export { MappingDataError, MappingError, SoapCallError } from './errors.ts';
export { exportOrder, type OrderForExport, type OrderLineForExport, pullStatuses, type StatusRecord } from './exporter.ts';
export { type ImportDeps, type ImportOutcome, importChanges, importFull, type RunSink } from './importer.ts';
export { loadMapping, mappingOperations, parseMapping } from './mapping-load.ts';
export type { Mapping } from './mapping-schema.ts';
export { exportReservation, type ReservationForExport, type ReservationOperation, reservationArgs } from './reservation-exporter.ts';

/** The outbox kinds a mapping can deliver: orders if it maps orders.create, reservations if it maps them. */
export function mappingOutbound(m: Mapping): OutboxKind[] {
  const out: OutboxKind[] = [];
  if (m.orders) out.push(ORDER_CREATE);
  if (m.reservations) out.push(...RESERVATION_KINDS);
  return out;
}


/** What a `sources` row of kind 'soap' keeps in `settings` (no secrets: those are env-var names). */
export const soapSettingsSchema = z.object({
  /** Mapping file, absolute or relative to the project folder. */
  mapping: z.string().min(1),
  /** Overrides the mapping's service.endpoint (e.g. the demo simulator's port). */
  endpoint: z.string().url().optional(),
  /** How often sync.changes polls the feed. */
  pollIntervalMs: z.number().int().min(250).default(5000),
  /** When sync.full runs (cron, server time); "off" disables it. */
  fullSyncCron: z.string().default('30 2 * * *'),
  /** Env var holding this source's webhook HMAC secret (else WEBHOOK_SECRET). */
  webhookSecretEnv: z.string().regex(/^[A-Z_][A-Z0-9_]*$/).optional(),
});
export type SoapSettings = z.infer<typeof soapSettingsSchema>;

export interface SoapBackend {
  settings: SoapSettings;
  file: string;
  mapping: Mapping;
  adapter: SoapAdapter;
}

export function mappingFile(p: string): string {
  return path.isAbsolute(p) ? p : path.resolve(repoRoot, p);
}

export function parseSoapSettings(source: string, settings: unknown): SoapSettings {
  const res = soapSettingsSchema.safeParse(settings ?? {});
  if (!res.success) {
    const i = res.error.issues[0]!;
    throw new MappingError(`source ${source}`, [{ path: `settings.${i.path.join('.')}`, message: i.message }]);
  }
  return res.data;
}

/** The adapter for a loaded mapping; credentials are read by env-var name through `secret`. */
export function adapterFor(loaded: LoadedMapping, secret: (name: string) => string | undefined, endpoint?: string): SoapAdapter {
  const s = loaded.mapping.service;
  let username: string | undefined;
  let password: string | undefined;
  if (s.auth) {
    username = secret(s.auth.usernameEnv);
    password = secret(s.auth.passwordEnv);
    const missing = [username === undefined && ['usernameEnv', s.auth.usernameEnv], password === undefined && ['passwordEnv', s.auth.passwordEnv]].filter(Boolean) as [string, string][];
    if (missing.length) {
      throw new MappingError(loaded.file, missing.map(([k, env]) => ({ path: `service.auth.${k}`, message: `the environment variable ${env} is not set (credentials never live in the mapping file)` })));
    }
  }
  return createSoapAdapter({ endpoint: endpoint ?? s.endpoint, namespace: s.namespace, soapActionPrefix: s.soapActionPrefix, username, password, timeoutMs: s.timeoutMs });
}

const cache = registerCache('soap.mappings', new Map<string, { mtimeMs: number; loaded: LoadedMapping }>());

/** A mapping file, parsed once and again only when it changes on disk (sync.changes runs every few seconds). */
async function cachedMapping(file: string): Promise<LoadedMapping> {
  const mtimeMs = await fs.stat(file).then((s) => s.mtimeMs, () => -1);
  const hit = cache.get(file);
  if (hit && hit.mtimeMs === mtimeMs && mtimeMs >= 0) return hit.loaded;
  const loaded = await loadMapping(file);
  cache.set(file, { mtimeMs, loaded });
  return loaded;
}

export async function openBackend(source: string, settings: unknown, secret: (name: string) => string | undefined): Promise<SoapBackend> {
  const parsed = parseSoapSettings(source, settings);
  const loaded = await cachedMapping(mappingFile(parsed.mapping));
  return { settings: parsed, file: loaded.file, mapping: loaded.mapping, adapter: adapterFor(loaded, secret, parsed.endpoint) };
}
