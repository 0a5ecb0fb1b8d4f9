// Starts long-running roles in this process and stops them cleanly on SIGTERM/SIGINT.
import type { Server } from 'node:http';
import { commercemlRouter } from '../../../connectors/commerceml/index.ts';
import { config } from '../../infra/config.ts';
import { log } from '../../infra/log.ts';
import { assertSafeStart, retireDemo } from './production.ts';
import { bindPrefix } from '../../infra/redis/prefix-owner.ts';
import { createRuntime, type Runtime } from '../../infra/runtime.ts';
import { createApp } from '../../web/app.ts';
import { consoleServices } from './console-services.ts';
import { moveLegacyJobs } from './legacy-queues.ts';
import { startScheduler } from './scheduler.ts';
import { startStreamConsumers, startWorkers } from './worker.ts';

export type Role = 'web' | 'worker' | 'scheduler';

export async function startRoles(roles: Role[], opts: { demo: boolean }): Promise<Runtime> {
  assertSafeStart(config(), opts);
  const rt = await createRuntime({ migrate: true, startLocalServices: opts.demo });
  // Before any job is taken or enqueued: this Redis prefix must be this database's.
  await bindPrefix(rt).catch(async (err) => {
    await rt.shutdown();
    throw err;
  });
  if (!opts.demo) await retireDemo(rt);
  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info({ signal }, 'shutting down');
    const force = setTimeout(() => process.exit(1), 15_000);
    force.unref();
    await rt.shutdown();
    process.exit(0);
  };
  process.once('SIGTERM', () => void stop('SIGTERM'));
  process.once('SIGINT', () => void stop('SIGINT'));

  try {
    const mounts = [
      // The demo is loaded only with --demo: its packages (simulator, SMTP capture) are development
      // dependencies, absent from a production install.
      ...(opts.demo ? await (await import('../../demo/index.ts')).startDemo(rt) : []),
      // The 1C exchange endpoint: a connector router the web app mounts (the web never imports connectors).
      { path: rt.config.COMMERCEML_PATH, router: commercemlRouter(rt) },
    ];
    if (roles.includes('worker')) {
      await moveLegacyJobs(rt);
      await startWorkers(rt);
      await startStreamConsumers(rt);
    }
    if (roles.includes('scheduler')) await startScheduler(rt);
    if (roles.includes('web')) {
      const demoAccounts = opts.demo ? await (await import('../../demo/accounts.ts')).ensureDemoAccounts(rt) : [];
      const app = createApp(rt, mounts, { console: consoleServices(rt), demoAccounts });
      const server: Server = await new Promise((resolve, reject) => {
        const s = app.listen(rt.config.PORT, rt.config.HOST, () => resolve(s));
        s.once('error', reject);
      });
      rt.onShutdown('http server', () => new Promise((r) => server.close(() => r())));
      log.info(`web listening on http://${rt.config.HOST}:${rt.config.PORT}`);
    }
  } catch (err) {
    await rt.shutdown();
    throw err;
  }
  return rt;
}
