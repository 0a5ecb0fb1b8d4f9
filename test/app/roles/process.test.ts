import { type ChildProcess, spawn } from 'node:child_process';
import net from 'node:net';
import { expect } from 'chai';
import { testRuntime } from '../../support/runtime.ts';
import { waitFor } from '../../support/wait.ts';

const freePort = () =>
  new Promise<number>((resolve) => {
    const s = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address() as net.AddressInfo;
      s.close(() => resolve(port));
    });
  });

function run(args: string[], env: Record<string, string>): { child: ChildProcess; out: () => string; exit: Promise<number | null> } {
  let out = '';
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts', ...args], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  child.stdout!.on('data', (d) => (out += d));
  child.stderr!.on('data', (d) => (out += d));
  return { child, out: () => out, exit: new Promise((r) => child.on('exit', (code) => r(code))) };
}

describe('process roles', function () {
  this.timeout(60_000);

  it('a bad setting stops the process with one line naming the variable', async () => {
    const p = run(['web'], { PORT: 'abc' });
    expect(await p.exit).to.equal(2);
    expect(p.out().trim()).to.equal('Configuration error: PORT Invalid input: expected number, received NaN (got "abc")');
  });

  it('`counterpart all` serves /healthz and shuts down cleanly on SIGTERM', async () => {
    await testRuntime(); // the run's database is migrated
    const port = await freePort();
    const p = run(['all'], { PORT: String(port), LOG_LEVEL: 'info', PUBLIC_URL: 'https://store.example' });
    const res = await waitFor(() => fetch(`http://127.0.0.1:${port}/healthz`), { what: `/healthz on port ${port}`, timeout: 30_000, every: 100 }).catch((err) => {
      // Not left running: its workers would take the jobs of the test files after this one.
      p.child.kill('SIGKILL');
      throw new Error(`${(err as Error).message}; output: ${p.out()}`);
    });
    expect(res.status, p.out()).to.equal(200);
    p.child.kill('SIGTERM');
    expect(await p.exit).to.equal(0);
    expect(p.out()).to.match(/"signal":"SIGTERM".*shutting down/);
  });

  it('a start without --demo and without PUBLIC_URL or SESSION_SECRET is refused, naming both', async () => {
    const p = run(['web'], { PUBLIC_URL: '', SESSION_SECRET: '' });
    expect(await p.exit).to.equal(1);
    expect(p.out()).to.match(/counterpart: A start without --demo needs PUBLIC_URL .* and SESSION_SECRET/);
  });

  it('the demo refuses NODE_ENV=production', async () => {
    const p = run(['all', '--demo'], { NODE_ENV: 'production' });
    expect(await p.exit).to.equal(1);
    expect(p.out()).to.contain('The demo does not run with NODE_ENV=production');
  });

  it('`counterpart stats --json` prints every table’s count', async () => {
    await testRuntime();
    const p = run(['stats', '--json'], {});
    expect(await p.exit).to.equal(0);
    const stats = JSON.parse(p.out());
    expect(stats.tables).to.include.keys('products', 'prices', 'stock', 'orders', 'sync_runs');
  });
});
