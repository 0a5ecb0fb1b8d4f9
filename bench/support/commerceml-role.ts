// A child process for the CommerceML benchmark: `web` serves the exchange endpoint, `worker`
// runs the import jobs — separate processes, so the worker's peak RSS is measured on its own.
// Prints "ready <port>" on stdout when listening / consuming.
import type { AddressInfo } from 'node:net';
import { commercemlRouter } from '../../connectors/commerceml/index.ts';
import { commercemlImportJob } from '../../jobs/commerceml-import.ts';
import { startWorkers } from '../../src/app/roles/worker.ts';
import { createRuntime } from '../../src/infra/runtime.ts';
import { createApp } from '../../src/web/app.ts';

const role = process.argv[2];
const rt = await createRuntime();
if (role === 'web') {
  const server = createApp(rt, [{ path: '/exchange/1c', router: commercemlRouter(rt) }]).listen(0, '127.0.0.1');
  await new Promise((r) => server.once('listening', r));
  rt.onShutdown('http', () => new Promise((r) => server.close(() => r())));
  console.log(`ready ${(server.address() as AddressInfo).port}`);
} else {
  await startWorkers(rt, [commercemlImportJob]);
  console.log('ready 0');
}
// What the process holds before any exchange (modules, pools): the baseline of its peak RSS.
{
  const m = /VmRSS:\s+(\d+) kB/.exec((await import('node:fs')).readFileSync('/proc/self/status', 'utf8'));
  console.log(`rss ${m ? Number(m[1]) / 1024 : 0}`);
}
process.once('SIGTERM', () => {
  void rt.shutdown().then(() => process.exit(0));
});
