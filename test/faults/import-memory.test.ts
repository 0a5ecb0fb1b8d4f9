// Fault tier: the worker's memory after big imports. A real worker process — started WITHOUT
// a heap flag (NODE_OPTIONS emptied) — imports a big catalog file, then a file with one item
// near the capture limits followed by one past them, then a file that is one 160 MB item (one
// such item once took the worker to 4.3 GB). Its resident set (VmRSS in
// /proc/<pid>/status, sampled all along; VmHWM, the kernel's own peak) stays under a bound
// above the idle worker, and comes back near the idle figure afterwards: what bounds the memory
// is the streaming (items captured one at a time, records handed on in chunks), not the heap cap.
import fs from 'node:fs';
import { expect } from 'chai';
import { Redis } from 'ioredis';
import { DEFAULT_UPLOAD_PREFIX, importJob } from '../../connectors/commerceml/index.ts';
import { sessionPrefix, uploadKey } from '../../connectors/commerceml/exchange/files.ts';
import { pgBlobStore } from '../../src/infra/blob/index.ts';
import type { BlobData } from '../../src/infra/blob/store.ts';
import { getQueue } from '../../src/infra/queue/connection.ts';
import type { Runtime } from '../../src/infra/runtime.ts';
import { ensureSource } from '../../src/sync/index.ts';
import { testRuntime, truncate } from '../support/runtime.ts';
import { until } from '../support/wait.ts';
import { freePort, type OwnRedis, type Role, startRedis, startRole } from './processes.ts';

const MB = 1024 * 1024;
/** Products of the big file, each with properties, requisites and a description (≈ 1 KB of XML). */
const PRODUCTS = 30_000;
/** Peak resident set allowed above the idle worker's, and how close to idle it must come back. */
const PEAK_ABOVE_IDLE = 400 * MB;
const BACK_ABOVE_IDLE = 100 * MB;
/** The single item of the third file. */
const HUGE_ITEM_MB = 160;

function bigCatalog(n: number): Buffer {
  const parts: string[] = ['<?xml version="1.0" encoding="UTF-8"?>\n<КоммерческаяИнформация ВерсияСхемы="2.08"><Каталог СодержитТолькоИзменения="true"><Ид>c1</Ид><Наименование>Каталог</Наименование><Товары>'];
  for (let i = 0; i < n; i++) {
    const props = Array.from({ length: 8 }, (_, k) => `<ЗначенияСвойства><Ид>prop-${k}</Ид><Значение>значение ${k} товара ${i}</Значение></ЗначенияСвойства>`).join('');
    parts.push(
      `<Товар><Ид>m-${i}</Ид><Артикул>M${i}</Артикул><Наименование>Товар для проверки памяти номер ${i}</Наименование>` +
        `<Описание>${'Описание товара, достаточно длинное для килобайта. '.repeat(4)}</Описание><ЗначенияСвойств>${props}</ЗначенияСвойств>` +
        `<ЗначенияРеквизитов><ЗначениеРеквизита><Наименование>Вес</Наименование><Значение>${i % 97}</Значение></ЗначениеРеквизита></ЗначенияРеквизитов></Товар>\n`,
    );
  }
  parts.push('</Товары></Каталог></КоммерческаяИнформация>');
  return Buffer.from(parts.join(''), 'utf8');
}

/** One item just under the element limit (captured whole), then one past the size limit (refused). */
function hostileCatalog(): Buffer {
  const many = (id: string, values: number, len: number) =>
    `<Товар><Ид>${id}</Ид><Наименование>Огромный ${id}</Наименование><ЗначенияСвойств>` +
    Array.from({ length: values }, (_, k) => `<ЗначенияСвойства><Ид>p${k}</Ид><Значение>${'ж'.repeat(len)}</Значение></ЗначенияСвойства>`).join('') +
    '</ЗначенияСвойств></Товар>';
  return Buffer.from(
    `<?xml version="1.0" encoding="UTF-8"?>\n<КоммерческаяИнформация ВерсияСхемы="2.08"><Каталог СодержитТолькоИзменения="true"><Ид>c1</Ид><Наименование>Каталог</Наименование><Товары>` +
      `${many('near-limit', 30_000, 20)}${many('past-limit', 60_000, 300)}</Товары></Каталог></КоммерческаяИнформация>`,
    'utf8',
  );
}

/** One product whose description is 160 MB of Cyrillic text (80 M characters), streamed into the blob store. */
async function* hugeItem(): AsyncGenerator<Buffer> {
  yield Buffer.from(
    `<?xml version="1.0" encoding="UTF-8"?>\n<КоммерческаяИнформация ВерсияСхемы="2.08"><Каталог СодержитТолькоИзменения="true"><Ид>c1</Ид><Наименование>Каталог</Наименование><Товары>` +
      '<Товар><Ид>huge-160</Ид><Наименование>Огромный</Наименование><Описание>',
    'utf8',
  );
  const mb = Buffer.from('ж'.repeat(MB / 2), 'utf8');
  for (let i = 0; i < HUGE_ITEM_MB; i++) yield mb;
  yield Buffer.from('</Описание></Товар></Товары></Каталог></КоммерческаяИнформация>', 'utf8');
}

/** VmRSS and VmHWM of a process, in bytes. */
function memoryOf(pid: number): { rss: number; hwm: number } {
  const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (field: string) => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? Number.NaN) * 1024;
  return { rss: kb('VmRSS'), hwm: kb('VmHWM') };
}

describe('faults: the worker’s memory through big imports (no heap flag)', function () {
  this.timeout(180_000);
  let rt: Runtime;
  let view: Runtime;
  let redis: OwnRedis;
  let sourceId: number;
  let worker: Role;
  const closers: (() => Promise<void>)[] = [];
  let sampler: NodeJS.Timeout | undefined;
  let peak = 0;

  before(async function () {
    this.timeout(180_000);
    rt = await testRuntime();
    await truncate(rt, 'sources', 'commerceml_sessions', 'sync_runs');
    sourceId = await ensureSource(rt.db, { name: 'cml-memory', kind: 'commerceml', settings: { login: 'memory', passwordEnv: 'CML_MEMORY_PASSWORD' } });
    redis = await startRedis(await freePort());
    const conn = new Redis(redis.url, { maxRetriesPerRequest: 3 });
    view = { ...rt, redis: conn, redisUrl: redis.url, onShutdown: (_n, fn) => void closers.push(fn), shutdown: async () => {} };
    closers.push(async () => void conn.disconnect());
    worker = startRole(['worker'], { REDIS_URL: redis.url, BLOB_STORE: 'postgres', NODE_OPTIONS: '' });
    await until(() => worker.out().includes('workers started'), 'the worker process to start', 90_000, 100).catch((err) => {
      throw new Error(`${(err as Error).message}\n${worker.out()}`);
    });
  });

  after(async () => {
    if (sampler) clearInterval(sampler);
    await worker?.stop();
    for (const c of closers.reverse()) await c();
    await redis?.kill();
  });

  /** What 1C's file + import calls leave: the upload in the blob store, the import row, its job. */
  async function importFile(name: string, data: Buffer | BlobData): Promise<{ state: string; message: string | null }> {
    const [s] = await rt.db('commerceml_sessions').insert({ source_id: sourceId, type: 'catalog', token: `${name}-${'t'.repeat(40)}`, sessid: 's'.repeat(32) }).returning(['id', 'token']);
    await pgBlobStore(rt.db).put(uploadKey(sessionPrefix(DEFAULT_UPLOAD_PREFIX, Number(s.id)), 'import.xml'), data);
    await rt.db('commerceml_imports').insert({ session_id: s.id, filename: 'import.xml' });
    const job = importJob({ id: Number(s.id), token: s.token }, 'import.xml', DEFAULT_UPLOAD_PREFIX);
    await getQueue(view, 'commerceml.import').add('commerceml.import', job.data, job.opts);
    return until(async () => {
      const r = await rt.db('commerceml_imports').where({ session_id: s.id }).first('state', 'message');
      return r && (r.state === 'done' || r.state === 'failed') ? r : undefined;
    }, `the import of ${name} to be decided`, 120_000, 100);
  }

  it('a big file, a hostile one and a 160 MB item: the peak stays under idle + 400 MB, and the worker comes back under idle + 100 MB', async () => {
    const pid = worker.child.pid!;
    // Idle: the started worker, before any exchange (modules, pools).
    const idle = memoryOf(pid).rss;
    sampler = setInterval(() => {
      peak = Math.max(peak, memoryOf(pid).rss);
    }, 25);

    const big = bigCatalog(PRODUCTS);
    const done = await importFile('big', big);
    expect(done.state, done.message ?? '').to.equal('done');
    expect(Number((await rt.db('products').where({ source_id: sourceId }).count({ n: '*' }))[0]!.n)).to.equal(PRODUCTS);

    const refused = await importFile('hostile', hostileCatalog());
    expect(refused.state).to.equal('failed');
    expect(refused.message).to.match(/item <Товар Ид="past-limit"> starting at line \d+ (is larger than the limit of \d+ characters|has more than \d+ elements)/);
    // Refused while it is being read: the worker never holds more of it than the item limit.
    const huge = await importFile('huge', hugeItem());
    expect(huge.state).to.equal('failed');
    expect(huge.message).to.match(/item <Товар Ид="huge-160"> starting at line \d+ is larger than the limit of \d+ characters/);

    clearInterval(sampler);
    sampler = undefined;
    const { hwm } = memoryOf(pid);
    const figures = `idle ${Math.round(idle / MB)} MB, sampled peak ${Math.round(peak / MB)} MB, VmHWM ${Math.round(hwm / MB)} MB (file ${Math.round(big.length / MB)} MB)`;
    console.log(`      worker memory: ${figures}`);
    // Each file gives its garbage back, the refused ones too (logged once the job ends, just after its row is decided).
    const afterFile = await until(() => {
      const l = worker.out().split('\n').filter((x) => x.includes('worker memory after the file'));
      return l.length === 3 ? l : undefined;
    }, 'one collection per file', 10_000, 50);
    for (const l of afterFile) {
      const m = JSON.parse(l) as Record<string, unknown>;
      console.log(`      after ${m.file}: ${m.freedMb} MB collected; rss ${m.rssMb} MB, heap ${m.heapUsedMb} of ${m.heapTotalMb} MB, external ${m.externalMb} MB`);
    }
    expect(hwm - idle, figures).to.be.below(PEAK_ABOVE_IDLE);
    // The job's garbage is given back after each file (src/infra/memory.ts), without a restart.
    const back = await until(
      () => {
        const { rss } = memoryOf(pid);
        return rss - idle < BACK_ABOVE_IDLE ? rss : undefined;
      },
      `the worker's RSS to come back under idle + ${BACK_ABOVE_IDLE / MB} MB (${figures}, now ${Math.round(memoryOf(pid).rss / MB)} MB)`,
      60_000,
      250,
    );
    console.log(`      worker memory after: ${Math.round(back / MB)} MB`);
    expect(worker.child.exitCode).to.equal(null);
  });
});
