// A named benchmark for `npm run bench`. The harness (bench/run.ts) gives every benchmark a
// fresh migrated database and Redis prefix (ctx.rt), collects its figures into
// bench/results/latest.json and a markdown table (bench/results/latest.md).
import type { Runtime } from '../src/infra/runtime.ts';

export interface BenchContext {
  rt: Runtime;
  /** Progress lines on stderr. */
  log(msg: string): void;
  /** Scale factor from `npm run bench -- --scale 0.1` (1 = the sizes). */
  scale: number;
}

export interface BenchFigure {
  /** e.g. "first apply", "raw COPY ceiling" */
  label: string;
  /** Machine-readable name inside the benchmark, ending in the unit: `full_rows_per_s`,
   *  `open_loop_p99_ms` (latest.json has it as `soap_sync.full_rows_per_s`). Without it the
   *  label's slug and the unit make one (bench/support/figure-keys.ts). */
  key?: string;
  value: number;
  unit: string;
  /** Optional ratio against a ceiling measured in the same run, e.g. 0.72 */
  ratio?: number;
  /** Name of the ratio (`ratio`, `table_50c_ratio`); default: the key with `_ratio` for its unit. */
  ratioKey?: string;
  note?: string;
}

export interface Benchmark {
  name: string;
  description: string;
  run(ctx: BenchContext): Promise<BenchFigure[]>;
}
