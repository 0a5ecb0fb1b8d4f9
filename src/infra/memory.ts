// Giving a big job's garbage back. After a big CommerceML file the worker's heap holds ~150 MB of
// garbage that V8 does not collect while the process is idle (no allocation, no GC): measured, a
// full collection brings heap and RSS back to the idle figures (nothing is retained). So after
// such a job the worker asks for one full collection — through `gc` when the process runs with
// --expose-gc, else by exposing it at run time (the flag V8 reads when a context is created).
import v8 from 'node:v8';
import vm from 'node:vm';
import { log } from './log.ts';

let collect: (() => void) | undefined;

function gcFunction(): (() => void) | undefined {
  if (collect) return collect;
  const exposed = (globalThis as { gc?: () => void }).gc;
  if (exposed) {
    collect = exposed;
    return collect;
  }
  try {
    v8.setFlagsFromString('--expose-gc');
    collect = vm.runInNewContext('gc') as () => void;
  } catch (err) {
    log.warn({ err: (err as Error).message }, 'memory: a full garbage collection cannot be requested');
  }
  return collect;
}

/** One full collection when the heap holds more than `aboveBytes` (default 96 MiB); returns the bytes freed. */
export function releaseMemory(aboveBytes = 96 * 1024 * 1024): number {
  const before = process.memoryUsage().heapUsed;
  if (before < aboveBytes) return 0;
  const gc = gcFunction();
  if (!gc) return 0;
  gc();
  return Math.max(0, before - process.memoryUsage().heapUsed);
}
