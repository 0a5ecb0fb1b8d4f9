// Machine-readable names of benchmark figures: `<bench>.<key>` with the unit as the key's suffix
// (`soap_sync.full_rows_per_s`, `catalog.open_loop_p99_ms`), and `<bench>.<ratioKey>` for the
// ratio to the ceiling (`soap_sync.ratio`). bench/run.ts writes them into latest.json
// (`figures`: one flat map) and latest.md (the `key` column).
import type { BenchFigure } from '../types.ts';

const UNIT_SUFFIX: Record<string, string> = { 'rows/s': 'rows_per_s', 'req/s': 'req_per_s', 'msg/s': 'msg_per_s', ms: 'ms', s: 's', MB: 'mb' };

const slug = (s: string) =>
  s
    .toLowerCase()
    .replace(/%/g, 'pct')
    .replace(/[^a-z0-9]+/g, '_')
    .replace(/^_+|_+$/g, '');

/** The suffix a key of this unit ends with: `rows/s` → `rows_per_s`, `ms` → `ms`. */
export function unitSuffix(unit: string): string {
  return UNIT_SUFFIX[unit] ?? slug(unit.replace(/\//g, ' per '));
}

/** The figure's key: its own, or the label's slug with the unit suffix. */
export function figureKey(f: BenchFigure): string {
  if (f.key) return f.key;
  const base = slug(f.label);
  const suffix = unitSuffix(f.unit);
  return base.endsWith(`_${suffix}`) || base === suffix ? base : `${base}_${suffix}`;
}

/** The key of the figure's ratio: its own, or the figure's key with `_ratio` for its unit suffix. */
export function ratioKey(f: BenchFigure): string {
  if (f.ratioKey) return f.ratioKey;
  const key = figureKey(f);
  const suffix = `_${unitSuffix(f.unit)}`;
  return `${key.endsWith(suffix) ? key.slice(0, -suffix.length) : key}_ratio`;
}

/** `catalog`, `soap-sync` → `soap_sync`: the prefix of a benchmark's keys. */
export const benchPrefix = (name: string) => slug(name);

/** Every figure and ratio of one benchmark as `prefix.key` → value; a key used twice throws. */
export function flatFigures(bench: string, figures: BenchFigure[]): Record<string, number> {
  const out: Record<string, number> = {};
  const put = (k: string, v: number) => {
    const full = `${benchPrefix(bench)}.${k}`;
    if (!/^[a-z0-9_]+\.[a-z0-9_]+$/.test(full)) throw new Error(`benchmark figure key ${JSON.stringify(full)} is not of the form bench.snake_case`);
    if (full in out) throw new Error(`benchmark figure key ${full} is used twice`);
    out[full] = v;
  };
  for (const f of figures) {
    put(figureKey(f), f.value);
    if (f.ratio !== undefined) put(ratioKey(f), f.ratio);
  }
  return out;
}
