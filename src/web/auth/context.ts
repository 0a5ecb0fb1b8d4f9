// The request context every route module uses: res.locals.viewer (see README.md here).
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import type { Runtime } from '../../infra/runtime.ts';
import { mirrorAsOf } from '../../mirror/freshness.ts';
import { assertMayOrder, COMPANY_ROLE_LABELS, mayApproveOrders, mayWrite, mayManageCompany, mayOrder, maySeeDocuments, maySeeOrderInvoices } from '../../store/company/access.ts';
import { loadViewer, type Role, type Viewer, type ViewerRow, viewerFromRow, viewerSql } from '../../store/accounts/viewer.ts';
import { forbidden, notFound, parseId, saying } from '../errors.ts';
import { takeFlash } from './session.ts';

export type { Role, Viewer };

/** Loads res.locals.viewer (or leaves it undefined for anonymous visitors) and the flash. */
export function viewerMiddleware(rt: Runtime): RequestHandler {
  const { db, readDb } = rt;
  return async (req: Request, res: Response, next: NextFunction) => {
    res.locals.currentPath = req.originalUrl;
    const userId = req.session.data.userId;
    if (userId) {
      // Read with the session when the preload matches this user, else one query.
      const pre = req.session.preloaded as ViewerRow | null | undefined;
      const viewer = pre !== undefined && (pre === null || pre.id === userId) ? (pre ? viewerFromRow(pre) : null) : await loadViewer(db, userId);
      if (viewer) {
        res.locals.viewer = viewer;
        res.locals.currentCounterparty = viewer.counterparties.find((c) => c.id === viewer.counterpartyId) ?? null;
        res.locals.currentContract = viewer.contracts.find((k) => k.id === viewer.contractId) ?? null;
        res.locals.isStaff = viewer.role !== 'buyer';
        // What the company role allows, for templates to hide what it does not (the routes check).
        res.locals.may = {
          order: mayOrder(viewer), documents: maySeeDocuments(viewer), invoices: maySeeOrderInvoices(viewer), company: mayManageCompany(viewer),
          approve: mayApproveOrders(viewer), write: mayWrite(viewer),
        };
        res.locals.companyRoleLabel = COMPANY_ROLE_LABELS[viewer.companyRole];
        // Every buyer page carries the mirror's "as of" in the footer.
        if (viewer.role === 'buyer' && req.method === 'GET') res.locals.mirrorAsOf = await mirrorAsOf(readDb); // as of what the catalog reads: the replica's
      } else {
        delete req.session.data.userId; // user deleted or disabled since: sign out
      }
    }
    // Flash messages belong to whole pages (plain or boosted navigation), not to fragments.
    const wholePage = !req.get('hx-request') || Boolean(req.get('hx-boosted'));
    if (req.session.data.flash && req.method === 'GET' && wholePage) res.locals.flash = takeFlash(req);
    next();
  };
}

/** For sessionMiddleware's preload: the viewer row of the session's user, in the same query. */
export const VIEWER_PRELOAD = viewerSql(`(CASE WHEN s.sess->>'userId' ~ '^[0-9]{1,15}$' THEN (s.sess->>'userId')::bigint END)`);

/** The signed-in viewer; use after requireUser. */
export function viewerOf(res: Response): Viewer {
  const v = res.locals.viewer as Viewer | undefined;
  if (!v) throw saying('unauthenticated', 'errors.signIn', 'web.sign_in');
  return v;
}

export const requireUser: RequestHandler = (req, res, next) => {
  if (res.locals.viewer) return next();
  const target = `/login?next=${encodeURIComponent(req.originalUrl)}`;
  if (req.get('hx-request')) {
    res.set('HX-Redirect', target).status(401).end();
    return;
  }
  if (req.method === 'GET' || req.method === 'HEAD') return res.redirect(303, target);
  next(saying('unauthenticated', 'errors.sessionEnded', 'web.sign_in'));
};

export function requireRole(...roles: Role[]): RequestHandler[] {
  return [
    requireUser,
    (_req, res, next) => (roles.includes(viewerOf(res).role) ? next() : next(forbidden())),
  ];
}

/** A buyer with a current counterparty: the storefront's pages. */
export const requireBuyer: RequestHandler[] = [
  requireUser,
  (_req, res, next) => {
    const v = viewerOf(res);
    if (v.role !== 'buyer') return next(saying('forbidden', 'errors.staffInStore', 'web.forbidden'));
    if (v.counterpartyId === null) {
      return next(saying('forbidden', 'errors.noEntity', 'web.forbidden'));
    }
    next();
  },
];

/** A buyer whose company role may order, reserve and fill a cart (src/store/company/access.ts). */
export const requireOrdering: RequestHandler[] = [
  ...requireBuyer,
  (_req, res, next) => {
    assertMayOrder(viewerOf(res));
    next();
  },
];

/**
 * The id if it is one of the viewer's counterparties; otherwise 404 (never 403: we do not
 * confirm that someone else's id exists).
 */
export function ownCounterparty(viewer: Viewer, id: unknown): number {
  const n = parseId(id) ?? Number.NaN;
  if (!viewer.counterpartyIds.includes(n)) throw notFound();
  return n;
}

/** The current counterparty and contract of a buyer (after requireBuyer). */
export function buyerScope(res: Response): { viewer: Viewer; counterpartyId: number; contractId: number | null } {
  const viewer = viewerOf(res);
  if (viewer.counterpartyId === null) throw notFound();
  return { viewer, counterpartyId: viewer.counterpartyId, contractId: viewer.contractId };
}
