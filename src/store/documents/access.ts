// Who sees which documents: the one place that decides it, by company role
// (src/store/company/access.ts). Owners and accountants see the mirrored documents of the legal
// entities they act for; buyers see only the store's invoices of their entities' orders;
// viewers see neither. Staff reach documents through their own pages.
import type { Viewer } from '../accounts/viewer.ts';
import { maySeeDocuments, maySeeOrderInvoices } from '../company/access.ts';

/** The counterparties whose mirrored documents the viewer may see (empty: none). */
export function documentCounterparties(viewer: Viewer): number[] {
  if (viewer.role !== 'buyer' || viewer.clientId === null || !maySeeDocuments(viewer)) return [];
  return viewer.counterpartyIds;
}

/** The counterparties whose orders' store invoices the viewer may download (empty: none). */
export function invoiceCounterparties(viewer: Viewer): number[] {
  if (viewer.role !== 'buyer' || viewer.clientId === null || !maySeeOrderInvoices(viewer)) return [];
  return viewer.counterpartyIds;
}
