// The text report of a sync run, the same for `counterpart sync` and the console's mapping
// dry run (src/app/roles/console-services.ts).
import type { SyncResult } from '../sync/index.ts';

export function formatResult(r: SyncResult | null, ms: number): string {
  if (!r) return `nothing changed (${ms} ms)`;
  const lines = [`run ${r.runId}: ${r.changed ? 'mirror updated' : 'no changes'} in ${(ms / 1000).toFixed(1)} s`];
  for (const [e, c] of Object.entries(r.counts)) {
    lines.push(`  ${e.padEnd(15)} received ${c.received}, new ${c.inserted}, changed ${c.updated}, deleted ${c.deleted}, unchanged ${c.unchanged}${c.unknownRefs ? `, unknown refs ${c.unknownRefs}` : ''}`);
  }
  for (const w of r.warnings) lines.push(`  warning: ${w.message} (e.g. ${w.sample.slice(0, 3).join(', ')})`);
  return lines.join('\n');
}

/** The report of a dry run (a rolled-back import): what would change, nothing written. */
export function formatDryRun(r: SyncResult | null, ms: number): string {
  return formatResult(r, ms).replace(/^run \d+: mirror updated/, 'dry run: would change the mirror').replace(/^run \d+: no changes/, 'dry run: nothing would change');
}
