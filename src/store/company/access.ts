// What an employee of a client's company may do: the one place that decides it. Every user of a
// client has a company role (users.company_role) and the legal entities they may act for
// (users.all_counterparties, else the rows of user_counterparties; an owner acts for all):
//   owner       orders, reserves, sees documents, manages employees (/company), approves orders
//               over an employee's limit (/approvals)
//   buyer       orders and reserves; sees the store's invoices of orders, not the mirrored documents
//   accountant  sees documents (and orders); no orders, reservations or cart
//   viewer      reads catalog, orders, reservations, documents and the conversation with the
//               manager (without marking it read: the unread badge is for those who act);
//               changes nothing: no order, reservation, waiting list, quote or message
// Staff (managers, admins) are never refused here: their own guards decide what they reach.
// The web hides what a role cannot use; these checks (in createOrder, reserve and the routes)
// are the truth.
import type { Knex } from 'knex';
import type { Db } from '../../infra/db/knex.ts';
import { DomainError } from '../../infra/domain-error.ts';

export const COMPANY_ROLES = ['owner', 'buyer', 'accountant', 'viewer'] as const;
export type CompanyRole = (typeof COMPANY_ROLES)[number];

/** The roles as the UI names them (lower case, to sit inside a sentence). */
export const COMPANY_ROLE_LABELS: Record<CompanyRole, string> = {
  owner: 'владелец',
  buyer: 'закупщик',
  accountant: 'бухгалтер',
  viewer: 'наблюдатель',
};

/** Who acts: a Viewer fits. */
export interface CompanyActor {
  role: 'buyer' | 'manager' | 'admin';
  companyRole: CompanyRole;
}

const isStaff = (a: CompanyActor) => a.role === 'manager' || a.role === 'admin';

export function isCompanyRole(v: unknown): v is CompanyRole {
  return typeof v === 'string' && (COMPANY_ROLES as readonly string[]).includes(v);
}

/** Orders, reservations and the cart (which only leads to an order). */
export function mayOrder(a: CompanyActor): boolean {
  return isStaff(a) || a.companyRole === 'owner' || a.companyRole === 'buyer';
}

/**
 * Writing to the manager (the client's conversation, a quote's thread): everyone but a viewer,
 * who is read only — a message can ask the manager to reserve, ship or change, which a viewer
 * may not do themselves.
 */
export function mayWrite(a: CompanyActor): boolean {
  return isStaff(a) || a.companyRole !== 'viewer';
}

export function assertMayWrite(a: CompanyActor): void {
  if (!mayWrite(a)) {
    throw new DomainError('forbidden', { key: 'companyAccess.viewerReadOnly' }, { code: 'company.viewer_read_only' });
  }
}

/**
 * The mirrored documents (invoices, shipment documents, reconciliation statements): owners and
 * accountants, and viewers, who read everything the cabinet shows (the issue: "viewers read
 * only"); a buyer employee sees only the invoices of orders.
 */
export function maySeeDocuments(a: CompanyActor): boolean {
  return isStaff(a) || a.companyRole === 'owner' || a.companyRole === 'accountant' || a.companyRole === 'viewer';
}

/** The store's own invoice of an order the actor can see. */
export function maySeeOrderInvoices(a: CompanyActor): boolean {
  return maySeeDocuments(a) || a.companyRole === 'buyer';
}

/**
 * Approving or rejecting an order over an employee's limit (/approvals, src/store/approvals):
 * the company's owners — also for their own orders over their own limits. Staff see pending
 * approvals of their clients but do not decide for the company.
 */
export function mayApproveOrders(a: CompanyActor): boolean {
  return a.role === 'buyer' && a.companyRole === 'owner';
}

/** The company page: employees, roles, legal entities, limits, invitations. */
export function mayManageCompany(a: CompanyActor): boolean {
  return isStaff(a) || a.companyRole === 'owner';
}

export function roleCannotOrder(companyRole: CompanyRole): DomainError {
  return new DomainError(
    'forbidden',
    { key: 'storeRefusals.company.roleCannotOrder', params: { role: companyRole } },
    { code: 'company.role_cannot_order' },
  );
}

export function assertMayOrder(a: CompanyActor): void {
  if (!mayOrder(a)) throw roleCannotOrder(a.companyRole);
}

export function assertMayManageCompany(a: CompanyActor): void {
  if (!mayManageCompany(a)) {
    throw new DomainError('forbidden', { key: 'storeRefusals.company.notOwner' }, { code: 'company.not_owner' });
  }
}

/**
 * SQL: true when the user `u` may act for the counterparty whose id is the SQL expression
 * `counterpartyId` (an owner or an employee with all entities, else a user_counterparties
 * row). The counterparty must still be linked to the user's client; callers join that.
 */
export function grantedSql(u: string, counterpartyId: string): string {
  return `(${u}.company_role = 'owner' OR ${u}.all_counterparties
           OR EXISTS (SELECT 1 FROM user_counterparties ug WHERE ug.user_id = ${u}.id AND ug.counterparty_id = ${counterpartyId}))`;
}

/**
 * The database's word on whether a user may order or reserve for a counterparty, read now (not
 * from the session): a role that cannot order → 403 `company.role_cannot_order`; a counterparty
 * the user may not act for, or a user gone or disabled → 404 (never confirms that it exists).
 * Staff pass. `userId` null (the system itself) passes.
 */
export async function assertUserMayOrder(db: Db | Knex.Transaction, userId: number | null, counterpartyId: number): Promise<void> {
  if (userId === null) return;
  const { rows } = await db.raw<{ rows: OrderingFacts[] }>(`SELECT ${ORDERING_FACTS_SQL} FROM users u WHERE u.id = ? AND u.disabled_at IS NULL`, [
    ...orderingFactsBindings(counterpartyId),
    userId,
  ]);
  judgeOrdering(rows[0]);
}

/** What assertUserMayOrder decides on, read from users `u` (a live, enabled user) by ORDERING_FACTS_SQL. */
export interface OrderingFacts {
  role: CompanyActor['role'] | null;
  company_role: CompanyRole | null;
  granted: boolean | null;
}

/**
 * Select-list of OrderingFacts over the alias `u` (bindings: orderingFactsBindings), for callers
 * that read the check in a query of their own (one round trip): `u` may come from a LEFT JOIN,
 * a missing user is all nulls.
 */
export const ORDERING_FACTS_SQL = `u.role, u.company_role,
  (EXISTS (SELECT 1 FROM client_counterparties cc WHERE cc.client_id = u.client_id AND cc.counterparty_id = ?) AND ${grantedSql('u', '?')}) AS granted`;
export const orderingFactsBindings = (counterpartyId: number) => [counterpartyId, counterpartyId];

/** assertUserMayOrder's verdict on the facts read (none or nulls: no such live user). */
export function judgeOrdering(u: OrderingFacts | undefined): void {
  if (!u?.role || !u.company_role) throw new DomainError('not_found', { key: 'storeRefusals.company.noEntity' }, { code: 'company.no_entity' });
  const actor = { role: u.role, companyRole: u.company_role };
  if (isStaff(actor)) return;
  assertMayOrder(actor);
  if (!u.granted) throw new DomainError('not_found', { key: 'storeRefusals.company.noEntity' }, { code: 'company.no_entity' });
}
