// Exchange sessions in Postgres: 1C identifies itself by the cookie from `checkauth`, so a web
// restart (or another web process) continues the same exchange.
import crypto from 'node:crypto';
import type { Db } from '../../../src/infra/db/knex.ts';
import type { ClassifierDict } from '../parse/records-map.ts';

export const COOKIE_NAME = 'CPEXCH';

export type ExchangeType = 'catalog' | 'sale';

export interface ExchangeSession {
  id: number;
  source_id: number;
  type: ExchangeType;
  token: string;
  sessid: string;
  state: 'open' | 'completed';
  version: string | null;
  zip: boolean;
  bytes_received: string | number;
  classifier: ClassifierDict | null;
  full_entities: string[];
  unpacked: string[];
  /** Bytes unpacked from this session's archives so far (maxUnzippedBytes is per session). */
  unzipped_bytes: string | number;
  deactivated_at: Date | null;
  queried_order_ids: (string | number)[];
  created_at: Date;
}

/** Sessions idle longer than this are refused (1C starts a new one with checkauth). */
export const SESSION_TTL_MS = 24 * 3600 * 1000;

export async function createSession(db: Db, sourceId: number, type: ExchangeType): Promise<ExchangeSession> {
  const [row] = await db('commerceml_sessions')
    .insert({ source_id: sourceId, type, token: crypto.randomBytes(24).toString('hex'), sessid: crypto.randomBytes(16).toString('hex') })
    .returning('*');
  return row;
}

export async function findSession(db: Db, token: string | undefined): Promise<ExchangeSession | undefined> {
  if (!token || !/^[0-9a-f]{48}$/.test(token)) return undefined;
  const row = await db('commerceml_sessions')
    .where({ token })
    .andWhere('last_seen_at', '>', new Date(Date.now() - SESSION_TTL_MS))
    .first();
  if (row) await db('commerceml_sessions').where({ id: row.id }).update({ last_seen_at: db.fn.now() });
  return row;
}

export async function getSession(db: Db, id: number): Promise<ExchangeSession> {
  const row = await db('commerceml_sessions').where({ id }).first();
  if (!row) throw new Error(`exchange session ${id} does not exist`);
  return row;
}

/** The classifier a split package refers to: this session's, else the source's latest. */
export async function loadClassifier(db: Db, s: { id: number; source_id: number }): Promise<ClassifierDict | null> {
  const row = await db('commerceml_sessions')
    .where({ source_id: s.source_id })
    .whereNotNull('classifier')
    .orderByRaw('id = ? DESC, id DESC', [s.id])
    .first('classifier');
  return row?.classifier ?? null;
}
