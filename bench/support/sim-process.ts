// Runs the simulator in a child process, as the accounting system is another machine: its XML
// work then uses the second core instead of competing with the connector's event loop.
import { type ChildProcess, spawn } from 'node:child_process';
import fs from 'node:fs';

export interface SimProcess {
  url: string;
  base: string;
  pid: number;
  /** Peak RSS of the simulator process (VmHWM), MB. */
  peakRssMb(): number;
  control(method: string, path: string, body?: unknown): Promise<unknown>;
  stop(): Promise<void>;
}

export async function startSimProcess(args: string[]): Promise<SimProcess> {
  // SIM_BENCH_FLAGS: more node flags for the simulator, e.g. "--cpu-prof --cpu-prof-dir=/tmp/p"
  // (NODE_OPTIONS does not take --cpu-prof).
  const flags = (process.env.SIM_BENCH_FLAGS ?? '').split(' ').filter(Boolean);
  const child: ChildProcess = spawn(process.execPath, [...flags, '--import', 'tsx', 'sim/cli.ts', 'serve', '--port', '0', ...args], { stdio: ['ignore', 'pipe', 'inherit'] });
  const url = await new Promise<string>((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error(`simulator did not start: ${out}`)), 120_000);
    child.stdout!.on('data', (c: Buffer) => {
      out += c.toString();
      const m = /SOAP (http:\/\/\S+\/soap)/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]!);
      }
    });
    child.once('exit', (code) => reject(new Error(`simulator exited with ${code}: ${out}`)));
  });
  const base = url.replace(/\/soap$/, '');
  return {
    url,
    base,
    pid: child.pid!,
    peakRssMb() {
      const m = /VmHWM:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${child.pid}/status`, 'utf8'));
      return m ? Number(m[1]) / 1024 : Number.NaN;
    },
    async control(method, path, body) {
      const res = await fetch(`${base}/control/${path}`, { method, body: body === undefined ? undefined : JSON.stringify(body) });
      const json = await res.json();
      if (!res.ok) throw new Error(`control ${path}: ${JSON.stringify(json)}`);
      return json;
    },
    stop() {
      return new Promise((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      });
    },
  };
}
