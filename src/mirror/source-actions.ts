// What the store can start for a source, by its kind. The store reads a SOAP source itself (a
// full sync, the change feed) through a mapping file it can check; a CommerceML source is
// pushed by 1C, which starts every exchange, so there is nothing for the store to start.
import { DomainError } from '../infra/domain-error.ts';

export type SourceAction = 'full' | 'changes' | 'mapping';

const BY_KIND: Record<string, readonly SourceAction[]> = {
  soap: ['full', 'changes', 'mapping'],
  commerceml: [],
};

export function sourceActions(kind: string): Record<SourceAction, boolean> {
  const allowed = BY_KIND[kind] ?? [];
  return { full: allowed.includes('full'), changes: allowed.includes('changes'), mapping: allowed.includes('mapping') };
}

/** Refuses an action that does not apply to the source's kind (a crafted or stale form). */
export function assertSourceAction(source: { name: string; kind: string }, action: SourceAction): void {
  if (sourceActions(source.kind)[action]) return;
  const why = source.kind === 'commerceml' ? 'commerceml' : 'other';
  throw new DomainError('conflict', { key: `storeRefusals.source.${why}.${action}`, params: { name: source.name, kind: source.kind } }, {
    code: 'source.action_not_supported',
    details: { kind: source.kind, action },
  });
}
