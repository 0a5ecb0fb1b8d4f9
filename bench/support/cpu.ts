// CPU seconds of other processes on this machine (the simulator, a sync run's database backend):
// on two shared cores a figure's ratio to its ceiling also says who else used the cores.
import fs from 'node:fs';
import type { Db } from '../../src/infra/db/knex.ts';

/** Linux clock ticks per second for /proc/<pid>/stat (USER_HZ, 100 on every usual kernel). */
const TICKS = 100;

/** utime + stime of a live process in seconds; undefined once it is gone. */
export function procCpuSeconds(pid: number): number | undefined {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command name (which may hold spaces) start after the last ')'.
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(f[11]) + Number(f[12])) / TICKS;
  } catch (err) {
    if ((err as { code?: string }).code === 'ENOENT' || (err as { code?: string }).code === 'ESRCH') return undefined;
    throw err;
  }
}

/**
 * CPU seconds of the database backend of a source's running sync run, sampled every 200 ms (the
 * backend exits with the run's connection, so up to one sample of its last work is missed).
 */
export function trackRunBackendCpu(db: Db, sourceId: number): { stop(): Promise<number> } {
  const seen = new Map<number, { first: number; last: number }>();
  let busy = Promise.resolve();
  const sample = async () => {
    const rows: { backend_pid: number | null }[] = await db('sync_runs').where({ source_id: sourceId, state: 'running' }).whereNotNull('backend_pid').select('backend_pid');
    for (const r of rows) {
      const pid = Number(r.backend_pid);
      const s = procCpuSeconds(pid);
      if (s === undefined) continue;
      const at = seen.get(pid);
      if (at) at.last = s;
      // A backend is new to the run: what it used before the run is not the run's.
      else seen.set(pid, { first: s, last: s });
    }
  };
  const t = setInterval(() => {
    busy = busy.then(sample).catch((err: Error) => console.error(`  cpu sampler: ${err.message}`));
  }, 200);
  return {
    async stop() {
      clearInterval(t);
      await busy;
      let total = 0;
      for (const v of seen.values()) total += v.last - v.first;
      return total;
    },
  };
}

/** Busy and total CPU seconds of the whole machine so far (all cores, /proc/stat). */
export function machineCpuSeconds(): { busy: number; total: number } {
  const f = fs.readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/).slice(1).map(Number);
  // user nice system idle iowait irq softirq steal (guest time is inside user)
  const idle = (f[3] ?? 0) + (f[4] ?? 0);
  const total = f.slice(0, 8).reduce((a, b) => a + b, 0);
  return { busy: (total - idle) / TICKS, total: total / TICKS };
}

/** What the rest of the machine used meanwhile: busy seconds minus `ours`, as a share of all cores. */
export function othersShare(from: { busy: number; total: number }, ours: number): number {
  const now = machineCpuSeconds();
  return Math.max(0, now.busy - from.busy - ours) / (now.total - from.total);
}
