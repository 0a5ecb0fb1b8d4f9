// "The sources changed": whoever creates, edits or deletes a source announces it here, and the
// scheduler role reconciles the job schedulers at once instead of at its next periodic pass.
import type { Runtime } from '../runtime.ts';

export const sourcesChangedChannel = (prefix: string) => `${prefix}:schedules:sources-changed`;

/** Tells every running scheduler to reconcile now; returns how many were listening. */
export async function announceSourcesChanged(rt: Runtime): Promise<number> {
  return rt.redis.publish(sourcesChangedChannel(rt.prefix), '1');
}
