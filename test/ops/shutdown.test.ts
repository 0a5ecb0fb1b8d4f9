// Graceful shutdown of real `counterpart` processes (SIGTERM, as an orchestrator stops them):
// a worker lets its running import finish before it exits, and one whose import outlasts its
// SHUTDOWN_TIMEOUT_MS exits at the bound anyway (the job runs again elsewhere); a web ends its event streams at once,
// answers /readyz with 503 for SHUTDOWN_UNREADY_MS while still serving (a load balancer stops
// sending), then stops taking connections, lets a slow upload in flight complete, and exits within
// SHUTDOWN_TIMEOUT_MS; a request that outlasts the bound is cut and the process exits anyway.
import http from 'node:http';
import { expect } from 'chai';
import { OneCClient } from '../../sim/commerceml/client.ts';
import type { Runtime } from '../../src/infra/runtime.ts';
import { ensureSource } from '../../src/sync/index.ts';
import type { Role } from '../faults/processes.ts';
import type { StoreFixture } from '../support/mirror-fixtures.ts';
import { SseStream } from '../support/sse.ts';
import { testRuntime } from '../support/runtime.ts';
import { until } from '../support/wait.ts';
import { seedWorld } from '../support/world.ts';
import { type Cluster, sessionFor, startCluster } from './cluster.ts';

const PASSWORD_ENV = 'CML_SD_PASSWORD';
const PASSWORD = 'пароль-стоп';
const PRODUCTS = 15_000;
const WEB_BOUND = 12_000;
/** The web's unready window: long enough for the test to see it on a loaded machine. */
const UNREADY = 4000;
const SHORT_BOUND = 3000;
const WORKER_BOUND = 60_000;
/** The bound of the worker whose import outlasts it; its catalog is twice the other's. */
const CUT_BOUND = 1000;

function catalogXml(n: number): Buffer {
  const items: string[] = new Array(n);
  for (let i = 0; i < n; i++) items[i] = `<Товар><Ид>sd-${i}</Ид><Артикул>S${i}</Артикул><Наименование>Товар ${i}</Наименование></Товар>`;
  return Buffer.from(
    `<?xml version="1.0" encoding="UTF-8"?>\n<КоммерческаяИнформация ВерсияСхемы="2.05"><Каталог СодержитТолькоИзменения="true"><Ид>c1</Ид><Наименование>Каталог</Наименование><Товары>${items.join('\n')}</Товары></Каталог></КоммерческаяИнформация>`,
  );
}

/** A 1C `file` upload whose body the test sends in parts: a request in flight for as long as the test wants. */
async function slowUpload(base: string, filename: string) {
  const c = new OneCClient(`${base}/exchange/1c`, { login: 'sd-1c', password: PASSWORD });
  expect((await c.checkauth('catalog')).status).to.equal('success');
  await c.init('catalog');
  const u = new URL(`${base}/exchange/1c`);
  u.search = new URLSearchParams({ type: 'catalog', mode: 'file', filename, sessid: c.sessid! }).toString();
  const req = http.request(u, { method: 'POST', headers: { cookie: c.cookie!, 'content-type': 'application/octet-stream' } });
  // never rejects: a cut connection is an answer of its own (`error`)
  const answer = new Promise<{ status?: number; body?: string; error?: string }>((resolve) => {
    req.once('response', (res) => {
      let body = '';
      res.on('data', (d) => (body += d));
      res.once('end', () => resolve({ status: res.statusCode!, body }));
      res.once('error', (err) => resolve({ error: err.message }));
    });
    req.once('error', (err) => resolve({ error: err.message }));
  });
  return { req, answer };
}

describe('ops: graceful shutdown (SIGTERM) of web and worker processes', function () {
  this.timeout(180_000);
  let rt: Runtime;
  let fx: StoreFixture;
  let cluster: Cluster;
  let web: Role;
  let shortWeb: Role;
  let worker: Role;
  let sourceId: number;

  /** Chunks the postgres blob store holds for the upload named `filename` (BLOB_CHUNK_BYTES=4096). */
  const chunksOf = async (filename: string) =>
    Number(
      (
        await rt.db('blob_chunks').join('blob_objects', 'blob_objects.id', 'blob_chunks.object_id').where('blob_objects.key', 'like', `%/${filename}`).count({ n: '*' })
      )[0]!.n,
    );

  before(async () => {
    rt = await testRuntime();
    fx = await seedWorld(rt, { tables: ['commerceml_sessions', 'sync_runs'] });
    sourceId = await ensureSource(rt.db, { name: 'cml-sd', kind: 'commerceml', settings: { login: 'sd-1c', passwordEnv: PASSWORD_ENV } });
    cluster = await startCluster(rt, { webs: 0, workers: 0, scheduler: false }, { [PASSWORD_ENV]: PASSWORD, BLOB_CHUNK_BYTES: '4096' });
    [web, shortWeb, worker] = await Promise.all([
      cluster.start('web', { SHUTDOWN_TIMEOUT_MS: String(WEB_BOUND), SHUTDOWN_UNREADY_MS: String(UNREADY) }),
      cluster.start('web', { SHUTDOWN_TIMEOUT_MS: String(SHORT_BOUND) }),
      cluster.start('worker', { SHUTDOWN_TIMEOUT_MS: String(WORKER_BOUND) }),
    ]);
  });
  after(async () => {
    await cluster?.stop();
  });

  it('a worker lets its running import finish, then exits 0', async () => {
    const c = new OneCClient(`${cluster.webs[0]}/exchange/1c`, { login: 'sd-1c', password: PASSWORD, pollMs: 100 });
    const exchange = c.pushCatalog([{ name: 'import.xml', data: catalogXml(PRODUCTS) }]);
    await until(() => rt.db('sync_runs').where({ source_id: sourceId, state: 'running' }).first('id'), 'the import’s sync run to be open', 60_000, 10);
    const t0 = Date.now();
    worker.child.kill('SIGTERM');
    expect(await worker.exit, worker.out()).to.equal(0);
    expect(Date.now() - t0).to.be.below(WORKER_BOUND);
    // finished by the stopping worker, not cut: the run committed, 1C hears success
    const runs = await rt.db('sync_runs').where({ source_id: sourceId }).select('state');
    expect(runs.map((r) => r.state)).to.deep.equal(['succeeded']);
    expect(Number((await rt.db('products').where({ source_id: sourceId }).count({ n: '*' }))[0]!.n)).to.equal(PRODUCTS);
    const r = await exchange;
    expect(r.failed, r.failed?.lines.join('\n')).to.equal(undefined);
    expect(worker.out()).to.contain('shutting down');
  });

  it('a worker whose running import outlasts SHUTDOWN_TIMEOUT_MS exits at the bound (1), the import not committed', async () => {
    const cutSource = await ensureSource(rt.db, { name: 'cml-sd-cut', kind: 'commerceml', settings: { login: 'sd-cut-1c', passwordEnv: PASSWORD_ENV } });
    const cutWorker = await cluster.start('worker', { SHUTDOWN_TIMEOUT_MS: String(CUT_BOUND) });
    const c = new OneCClient(`${cluster.webs[0]}/exchange/1c`, { login: 'sd-cut-1c', password: PASSWORD, pollMs: 100 });
    // it never ends here (no worker is left to finish it): its end, when the web stops, is no failure of this test
    const exchange = c.pushCatalog([{ name: 'import.xml', data: catalogXml(2 * PRODUCTS) }]).then(
      (r) => r,
      (err: Error) => err,
    );
    await until(() => rt.db('sync_runs').where({ source_id: cutSource, state: 'running' }).first('id'), 'the import’s sync run to be open', 60_000, 10);
    const t0 = Date.now();
    cutWorker.child.kill('SIGTERM');
    expect(await cutWorker.exit, cutWorker.out()).to.equal(1);
    expect(Date.now() - t0, 'exits at the bound (and the time a loaded machine takes to start the exit)').to.be.below(CUT_BOUND + 3000);
    expect(cutWorker.out()).to.contain('shutdown not finished within SHUTDOWN_TIMEOUT_MS');
    expect(Number((await rt.db('products').where({ source_id: cutSource }).count({ n: '*' }))[0]!.n), 'the cut import committed nothing').to.equal(0);
    void exchange;
  });

  it('a web ends its event streams at once, answers /readyz 503 while still serving, then refuses connections, lets a slow upload finish and exits 0 within the bound', async () => {
    const base = cluster.webs[0]!;
    const buyer = await sessionFor(rt, fx.users.a);
    const cookies = new Map([buyer.cookie.split('=') as [string, string]]);
    const sse = await SseStream.open({ base, cookies }, `/live/offers?ids=${fx.offers[0]}`);
    expect((await fetch(`${base}/readyz`)).status).to.equal(200);
    const part = Buffer.alloc(10_000, 'a');
    const upload = await slowUpload(base, 'slow.bin');
    upload.req.write(part);
    await until(async () => (await chunksOf('slow.bin')) >= 2, 'the slow upload to be in flight (chunks stored)', 30_000, 20);

    const t0 = Date.now();
    web.child.kill('SIGTERM');
    await sse.waitFor(() => false, 'the event stream to end').then(
      () => expect.fail('waitFor(false) returned'),
      (err: Error) => expect(err.message).to.contain('the stream ended'),
    );
    expect(Date.now() - t0, 'event streams end at once, not at the bound').to.be.below(WEB_BOUND / 2);
    // the unready window: /readyz says so, other requests are still answered, a new event stream is refused
    const ready = await fetch(`${base}/readyz`);
    expect(Date.now() - t0, 'still inside the unready window (the machine was too slow to tell)').to.be.below(UNREADY);
    expect(ready.status).to.equal(503);
    expect(await ready.json()).to.deep.equal({ status: 'draining' });
    expect(ready.headers.get('connection')).to.equal('close');
    expect((await fetch(`${base}/healthz`)).status, 'still serving while unready').to.equal(200);
    const again = await fetch(`${base}/live/offers?ids=${fx.offers[0]}`, { headers: { cookie: buyer.cookie, accept: 'text/event-stream' } });
    expect(again.status, 'a new event stream is refused while draining').to.equal(503);
    expect(again.headers.get('retry-after')).to.equal('1');
    await again.body?.cancel();

    await until(() => fetch(`${base}/healthz`).then(() => false, () => true), 'new connections to be refused', 5000 + UNREADY, 20);
    expect(Date.now() - t0, 'the listener stayed open for the unready window').to.be.at.least(UNREADY);
    expect(web.child.exitCode, 'still running: the upload is in flight').to.equal(null);

    upload.req.end(part);
    const answer = await upload.answer;
    expect(answer.status).to.equal(200);
    expect(answer.body!.replace(/^\uFEFF/, '').split('\n')[0]).to.equal('success');
    expect(await web.exit, web.out()).to.equal(0);
    expect(Date.now() - t0).to.be.below(WEB_BOUND);
    expect(web.out()).to.contain('web unready');
    const obj = await rt.db('blob_objects').where('key', 'like', '%/slow.bin').first('size');
    expect(Number(obj!.size)).to.equal(2 * part.length);
  });

  it('a request outlasting SHUTDOWN_TIMEOUT_MS is cut at the bound and the process exits', async () => {
    const base = cluster.webs[1]!;
    const upload = await slowUpload(base, 'stuck.bin');
    upload.req.write(Buffer.alloc(10_000, 'b'));
    await until(async () => (await chunksOf('stuck.bin')) >= 2, 'the stuck upload to be in flight', 30_000, 20);
    const t0 = Date.now();
    shortWeb.child.kill('SIGTERM');
    await shortWeb.exit;
    const took = Date.now() - t0;
    expect(took, 'it waited for the request').to.be.above(SHORT_BOUND / 2);
    expect(took, 'within the bound (and the time a loaded machine takes to start the exit)').to.be.below(SHORT_BOUND + 2000);
    const cut = await upload.answer;
    expect(cut.status, `the cut request was answered: ${cut.body}`).to.equal(undefined);
    expect(cut.error).to.match(/socket hang up|ECONNRESET|aborted/);
    expect(shortWeb.out()).to.contain('cut off');
  });
});
