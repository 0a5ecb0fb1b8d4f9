// Who sees which documents: the one place that decides it (company roles plug in here).
// Today every signed-in buyer of a client sees the documents of the client's legal entities;
// when roles arrive, owners, buyers and accountants see them and viewers do not.
import type { Viewer } from '../accounts/viewer.ts';

/** The counterparties whose documents the viewer may see (empty: none). */
export function documentCounterparties(viewer: Viewer): number[] {
  if (viewer.role !== 'buyer' || viewer.clientId === null) return [];
  return viewer.counterpartyIds;
}
