// Who is asking: the signed-in user with the legal entities (counterparties) their client may
// act for, and the current counterparty + contract every price, cart and order follows.
// One query per request.
import type { Db } from '../../infra/db/knex.ts';
import { type CompanyRole, grantedSql } from '../company/access.ts';

export type Role = 'buyer' | 'manager' | 'admin';

export interface ViewerCounterparty {
  id: number;
  name: string;
  inn: string | null;
}

export interface ViewerContract {
  id: number;
  counterpartyId: number;
  name: string;
  number: string | null;
  currency: string;
  discountPct: string;
  isDefault: boolean;
}

export interface Viewer {
  userId: number;
  email: string;
  name: string;
  role: Role;
  /** The role in the client's company (src/store/company/access.ts); 'owner' for staff, unused. */
  companyRole: CompanyRole;
  /** The cabinet (buyers only; null for staff). */
  clientId: number | null;
  clientName: string | null;
  /** Current legal entity (one of counterpartyIds) or null when the client has none. */
  counterpartyId: number | null;
  /** Current contract of the current counterparty, or null when it has none. */
  contractId: number | null;
  /**
   * Every counterparty this user may see or act for: the client's legal entities the user is
   * granted (an owner: all). Scope every query to these.
   */
  counterpartyIds: number[];
  counterparties: ViewerCounterparty[];
  /** Contracts of the current counterparty (for the switcher). */
  contracts: ViewerContract[];
  managerId: number | null;
  preferences: Record<string, unknown>;
  /** The user's own language (src/infra/i18n), or null: the cookie's or the store's default. */
  language: string | null;
}

export interface ViewerRow {
  id: number;
  email: string;
  name: string;
  role: Role;
  company_role: CompanyRole;
  client_id: number | null;
  client_name: string | null;
  manager_id: number | null;
  preferences: Record<string, unknown>;
  language: string | null;
  current_counterparty_id: number | null;
  current_contract_id: number | null;
  counterparties: ViewerCounterparty[];
  contracts: { id: number; counterparty_id: number; name: string; number: string | null; currency: string; discount_pct: string; is_default: boolean }[];
}

/** The viewer row of the user whose id is the SQL expression `userId` (for a join, e.g. with the session). */
export function viewerSql(userId: string): string {
  return `SELECT u.id, u.email, u.name, u.role, u.company_role, u.client_id, cl.name AS client_name, u.manager_id, u.preferences, u.language,
            u.current_counterparty_id, u.current_contract_id,
            coalesce((SELECT json_agg(json_build_object('id', c.id, 'name', c.name, 'inn', c.inn) ORDER BY c.name, c.id)
                        FROM client_counterparties cc JOIN counterparties c ON c.id = cc.counterparty_id AND NOT c.deleted
                       WHERE cc.client_id = u.client_id AND ${grantedSql('u', 'cc.counterparty_id')}), '[]') AS counterparties,
            coalesce((SELECT json_agg(json_build_object('id', k.id, 'counterparty_id', k.counterparty_id, 'name', k.name,
                                      'number', k.number, 'currency', k.currency, 'discount_pct', k.discount_pct::text,
                                      'is_default', k.is_default) ORDER BY k.is_default DESC, k.name, k.id)
                        FROM client_counterparties cc JOIN contracts k ON k.counterparty_id = cc.counterparty_id AND NOT k.deleted
                       WHERE cc.client_id = u.client_id AND ${grantedSql('u', 'cc.counterparty_id')}
                         AND (k.valid_to IS NULL OR k.valid_to >= current_date)
                         AND (k.valid_from IS NULL OR k.valid_from <= current_date)), '[]') AS contracts
       FROM users u LEFT JOIN clients cl ON cl.id = u.client_id
      WHERE u.id = ${userId} AND u.disabled_at IS NULL`;
}

/** The viewer for a user id, or null when the user is gone or disabled. */
export async function loadViewer(db: Db, userId: number): Promise<Viewer | null> {
  const { rows } = await db.raw<{ rows: ViewerRow[] }>(viewerSql('?'), [userId]);
  return rows[0] ? viewerFromRow(rows[0]) : null;
}

/** Builds the viewer from a row of viewerSql (current counterparty/contract resolved safely). */
export function viewerFromRow(r: ViewerRow): Viewer {
  const counterpartyIds = r.counterparties.map((c) => c.id);
  const counterpartyId =
    r.current_counterparty_id !== null && counterpartyIds.includes(r.current_counterparty_id)
      ? r.current_counterparty_id
      : (counterpartyIds[0] ?? null);
  const contracts: ViewerContract[] = r.contracts
    .filter((k) => k.counterparty_id === counterpartyId)
    .map((k) => ({
      id: k.id,
      counterpartyId: k.counterparty_id,
      name: k.name,
      number: k.number,
      currency: k.currency,
      discountPct: k.discount_pct,
      isDefault: k.is_default,
    }));
  const contractId = contracts.find((k) => k.id === r.current_contract_id)?.id ?? contracts[0]?.id ?? null;
  return {
    userId: r.id,
    email: r.email,
    name: r.name,
    role: r.role,
    companyRole: r.company_role,
    clientId: r.client_id,
    clientName: r.client_name,
    counterpartyId,
    contractId,
    counterpartyIds,
    counterparties: r.counterparties,
    contracts,
    managerId: r.manager_id,
    preferences: r.preferences ?? {},
    language: r.language ?? null,
  };
}

/** Makes a counterparty (and optionally one of its contracts) current; the caller checked access. */
export async function setCurrent(db: Db, userId: number, counterpartyId: number, contractId: number | null): Promise<void> {
  await db('users').where({ id: userId }).update({ current_counterparty_id: counterpartyId, current_contract_id: contractId });
}

/** Merges keys into users.preferences (e.g. the catalog view). */
export async function setPreference(db: Db, userId: number, key: string, value: unknown): Promise<void> {
  await db.raw(`UPDATE users SET preferences = preferences || jsonb_build_object(?::text, ?::jsonb) WHERE id = ?`, [
    key,
    JSON.stringify(value),
    userId,
  ]);
}

/** Stores the user's language (the caller checked it is one the catalogs have). */
export async function setLanguage(db: Db, userId: number, language: string): Promise<void> {
  await db('users').where({ id: userId }).update({ language });
}
