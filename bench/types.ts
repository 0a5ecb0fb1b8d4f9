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
  value: number;
  unit: string;
  /** Optional ratio against a ceiling measured in the same run, e.g. 0.72 */
  ratio?: number;
  note?: string;
}

export interface Benchmark {
  name: string;
  description: string;
  run(ctx: BenchContext): Promise<BenchFigure[]>;
}
