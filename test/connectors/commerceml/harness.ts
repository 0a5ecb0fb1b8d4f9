// A real exchange endpoint for the tests: the web app built the way src/app/roles/start.ts builds
// it (the connector's router passed as a mount), BullMQ workers for its import and quiet-period jobs, and a
// commerceml source whose password comes from an environment variable.
import type { AddressInfo } from 'node:net';
import { commercemlRouter } from '../../../connectors/commerceml/index.ts';
import { commercemlImportJob } from '../../../jobs/commerceml-import.ts';
import { commercemlQuietJob } from '../../../jobs/commerceml-quiet.ts';
import { OneCClient } from '../../../sim/commerceml/client.ts';
import { startWorkers } from '../../../src/app/roles/worker.ts';
import type { Runtime } from '../../../src/infra/runtime.ts';
import { ensureSource } from '../../../src/sync/index.ts';
import { createApp } from '../../../src/web/app.ts';
import { testRuntime, truncate } from '../../support/runtime.ts';

export const LOGIN = 'onec';
export const PASSWORD = 'пароль-1C';
export const PASSWORD_ENV = 'CML_TEST_PASSWORD';

export interface Exchange {
  rt: Runtime;
  url: string;
  uploadPrefix: string;
  sourceId: number;
  client(o?: Partial<ConstructorParameters<typeof OneCClient>[1]>): OneCClient;
  count(table: string, where?: Record<string, unknown>): Promise<number>;
  setSettings(patch: Record<string, unknown>): Promise<void>;
  reset(): Promise<void>;
}

let shared: Promise<Exchange> | undefined;

export function exchange(): Promise<Exchange> {
  shared ??= (async () => {
    const rt = await testRuntime();
    process.env[PASSWORD_ENV] = PASSWORD;
    const uploadPrefix = 'exchange-test';
    const app = createApp(rt, [{ path: '/exchange/1c', router: commercemlRouter(rt, { uploadPrefix }) }]);
    const server = app.listen(0, '127.0.0.1');
    await new Promise((r) => server.once('listening', r));
    rt.onShutdown('commerceml test server', () => new Promise((r) => server.close(() => r())));
    await startWorkers(rt, [commercemlImportJob, commercemlQuietJob]);
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/exchange/1c`;
    const ex: Exchange = {
      rt,
      url,
      uploadPrefix,
      sourceId: 0,
      client: (o = {}) => new OneCClient(url, { login: LOGIN, password: PASSWORD, pollMs: 20, ...o }),
      count: async (table, where = {}) => Number((await rt.db(table).where({ source_id: ex.sourceId, ...where }).count({ n: '*' }))[0]!.n),
      setSettings: async (patch) => {
        await rt.db.raw(`UPDATE sources SET settings = settings || ?::jsonb WHERE id = ?`, [JSON.stringify(patch), ex.sourceId]);
      },
      reset: async () => {
        await truncate(rt, 'sources');
        ex.sourceId = await ensureSource(rt.db, {
          name: 'cml-test',
          kind: 'commerceml',
          settings: { login: LOGIN, passwordEnv: PASSWORD_ENV },
        });
      },
    };
    return ex;
  })();
  return shared;
}
