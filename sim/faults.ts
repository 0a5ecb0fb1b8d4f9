// Faults on demand: what an unreliable accounting system does to its clients.
import { z } from 'zod';

export const FAULT_KINDS = ['latency', 'http500', 'soapFault', 'malformed', 'truncated', 'timeout', 'down'] as const;
export type FaultKind = (typeof FAULT_KINDS)[number];

export const faultSchema = z.object({
  kind: z.enum(FAULT_KINDS),
  /** latency: delay added to each answer. */
  ms: z.number().int().min(0).max(600_000).optional(),
  /** How many requests it affects; absent = until cleared. */
  times: z.number().int().positive().optional(),
  /** Only these operations (absent = every operation). */
  operations: z.array(z.string()).optional(),
});
export type Fault = z.infer<typeof faultSchema>;

export interface FaultPlan { latencyMs: number; failure?: Exclude<FaultKind, 'latency'> }

export class Faults {
  private list: Fault[] = [];

  set(f: Fault): void {
    this.list.push(faultSchema.parse(f));
  }

  clear(): void {
    this.list = [];
  }

  active(): Fault[] {
    return this.list.map((f) => ({ ...f }));
  }

  /** What to do to this request; counted faults are used up. */
  take(operation: string): FaultPlan {
    const plan: FaultPlan = { latencyMs: 0 };
    for (const f of this.list) {
      if (f.operations && !f.operations.includes(operation)) continue;
      if (f.kind === 'latency') plan.latencyMs += f.ms ?? 0;
      else if (plan.failure) continue;
      else plan.failure = f.kind;
      if (f.times !== undefined) f.times--;
    }
    this.list = this.list.filter((f) => f.times === undefined || f.times > 0);
    return plan;
  }
}
