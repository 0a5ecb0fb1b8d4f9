// Read models for the staff console: sources with their recent runs, and clients with users.
import type { Db } from '../../infra/db/knex.ts';
import type { CompanyRole } from '../company/access.ts';

export interface RunRow {
  id: number;
  source_id: number;
  kind: string;
  mode: string;
  state: string;
  counts: Record<string, Record<string, number>>;
  /** `dropped`: the run held catalog data and applied none of it (the console marks the run). */
  warnings: { entity: string; message: string; count: number; dropped?: boolean }[];
  progress: { done?: number; total?: number; message?: string };
  error: string | null;
  started_at: Date;
  finished_at: Date | null;
}

export interface SourceRow {
  id: number;
  name: string;
  kind: string;
  title: string;
  as_of: Date | null;
  last_success_at: Date | null;
  cursor: string | null;
  runs: RunRow[];
}

/** Every source with its last `perSource` runs (one query each). */
export async function sourcesWithRuns(db: Db, perSource = 5): Promise<SourceRow[]> {
  const sources: SourceRow[] = await db('sources').orderBy('id').select('id', 'name', 'kind', 'title', 'as_of', 'last_success_at', 'cursor');
  const { rows } = await db.raw(
    `SELECT * FROM (
       SELECT r.*, row_number() OVER (PARTITION BY r.source_id ORDER BY r.started_at DESC, r.id DESC) AS rn FROM sync_runs r
     ) x WHERE rn <= ? ORDER BY started_at DESC, id DESC`,
    [perSource],
  );
  for (const s of sources) s.runs = (rows as RunRow[]).filter((r) => r.source_id === s.id);
  return sources;
}

/** Percentage 0–100 of a run's progress, or null when the total is unknown. */
export function progressPct(p: RunRow['progress']): number | null {
  if (!p?.total || p.total <= 0) return null;
  return Math.max(0, Math.min(100, Math.round(((p.done ?? 0) / p.total) * 100)));
}

/** Counts summed over entities: "inserted 10 · updated 2 · deleted 1" (the page names each count: `label`, `none`). */
export function countsSummary(counts: RunRow['counts'], label: (count: string) => string = (k) => k, none = 'no changes'): string {
  const sum: Record<string, number> = {};
  for (const c of Object.values(counts ?? {})) for (const [k, v] of Object.entries(c)) if (k !== 'received') sum[k] = (sum[k] ?? 0) + Number(v);
  return Object.entries(sum).filter(([, v]) => v).map(([k, v]) => `${label(k)} ${v}`).join(' · ') || none;
}

export interface ConsoleClient {
  id: number;
  name: string;
  manager_id: number | null;
  manager_name: string | null;
  manager_assigned: boolean;
  counterparties: { id: number; name: string; inn: string | null; origin: string }[];
  users: { id: number; email: string; name: string; company_role: CompanyRole; disabled_at: Date | null; last_login_at: Date | null; invited: boolean }[];
}

export async function listConsoleClients(db: Db, opts: { q?: string; id?: number; limit?: number } = {}): Promise<ConsoleClient[]> {
  const { rows } = await db.raw(
    `SELECT c.id, c.name, c.manager_id, m.name AS manager_name, c.manager_assigned,
            coalesce((SELECT json_agg(json_build_object('id', cp.id, 'name', cp.name, 'inn', cp.inn, 'origin', cc.origin) ORDER BY cp.name)
                        FROM client_counterparties cc JOIN counterparties cp ON cp.id = cc.counterparty_id WHERE cc.client_id = c.id), '[]') AS counterparties,
            coalesce((SELECT json_agg(json_build_object('id', u.id, 'email', u.email, 'name', u.name, 'company_role', u.company_role, 'disabled_at', u.disabled_at,
                                                        'last_login_at', u.last_login_at, 'invited', u.password_hash IS NULL) ORDER BY u.email)
                        FROM users u WHERE u.client_id = c.id), '[]') AS users
       FROM clients c LEFT JOIN managers m ON m.id = c.manager_id
      WHERE (?::bigint IS NULL OR c.id = ?) AND (?::text IS NULL OR c.name ILIKE '%' || ? || '%')
      ORDER BY c.name, c.id LIMIT ?`,
    [opts.id ?? null, opts.id ?? null, opts.q || null, opts.q || null, opts.limit ?? 100],
  );
  return rows;
}

export async function setUserDisabled(db: Db, userId: number, disabled: boolean): Promise<boolean> {
  const n = await db('users').where({ id: userId }).update({ disabled_at: disabled ? db.fn.now() : null });
  if (disabled) await db.raw(`DELETE FROM sessions WHERE sess ->> 'userId' = ?`, [String(userId)]);
  return n > 0;
}

/** Staff users (managers and admins) with the accounting-system manager they stand for. */
export async function listStaff(db: Db): Promise<{ id: number; email: string; name: string; role: string; manager_id: number | null; manager_name: string | null; disabled_at: Date | null }[]> {
  return db('users as u')
    .leftJoin('managers as m', 'm.id', 'u.manager_id')
    .whereIn('u.role', ['manager', 'admin'])
    .orderBy('u.email')
    .select('u.id', 'u.email', 'u.name', 'u.role', 'u.manager_id', 'm.name as manager_name', 'u.disabled_at');
}

/** The live price types, by name: the audiences a news item can be addressed to. */
export async function livePriceTypes(db: Db): Promise<{ id: number; name: string }[]> {
  return db('price_types').where({ deleted: false }).orderBy('name').select('id', 'name');
}
