// Starts long-running roles in this process and stops them cleanly on SIGTERM/SIGINT.
import type { Server } from 'node:http';
import { commercemlRouter } from '../../../connectors/commerceml/index.ts';
import { config } from '../../infra/config.ts';
import { log } from '../../infra/log.ts';
import { assertSafeStart, retireDemo } from './production.ts';
import { bindPrefix } from '../../infra/redis/prefix-owner.ts';
import { createRuntime, type Runtime } from '../../infra/runtime.ts';
import type { Worker } from 'bullmq';
import { createApp } from '../../web/app.ts';
import { type HttpDrain, httpDrain } from '../../web/shutdown.ts';
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
  let web: HttpDrain | undefined;
  let workers: Worker[] = [];
  const bound = rt.config.SHUTDOWN_TIMEOUT_MS;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    const deadline = Date.now() + bound;
    log.info({ signal, boundMs: bound }, 'shutting down');
    const force = setTimeout(() => {
      log.error({ boundMs: bound }, 'shutdown not finished within SHUTDOWN_TIMEOUT_MS: exiting; a cut-off job runs again elsewhere once its lock expired');
      process.exit(1);
    }, bound);
    force.unref();
    // At once and side by side: no new requests nor jobs; requests in flight and running jobs
    // finish (the web's cut off a moment before the bound, so the rest can close cleanly).
    await Promise.all([web?.drain(deadline - Math.min(1000, bound / 4)), ...workers.map((w) => w.close())]);
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
      workers = await startWorkers(rt);
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
      const drain = httpDrain(server, app, { unreadyMs: rt.config.SHUTDOWN_UNREADY_MS });
      web = drain;
      rt.onShutdown('http server', () => drain.drain(Date.now() + bound));
      log.info(`web listening on http://${rt.config.HOST}:${rt.config.PORT}`);
    }
  } catch (err) {
    await rt.shutdown();
    throw err;
  }
  return rt;
}
