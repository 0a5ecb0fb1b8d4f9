// The store as separate processes on one PostgreSQL database and one Redis prefix, each process
// with a DATA_DIR of its own (nothing shared on disk): two `counterpart web`, one `counterpart
// worker`, one `counterpart scheduler`. A 1C package with a picture uploaded through web A is
// imported by the worker and its picture (and thumbnail) served by web B — the blob store
// (BLOB_STORE=postgres) is what they share.
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import sharp from 'sharp';
import { OneCClient } from '../../sim/commerceml/client.ts';
import type { Runtime } from '../../src/infra/runtime.ts';
import { ensureSource } from '../../src/sync/index.ts';
import { freePort, type Role, startRole } from '../faults/processes.ts';
import { testRuntime, truncate } from '../support/runtime.ts';
import { until } from '../support/wait.ts';

const PASSWORD_ENV = 'CML_MP_PASSWORD';
const PASSWORD = 'пароль-мульти';

describe('ops: two webs, a worker and a scheduler sharing only PostgreSQL and Redis', function () {
  this.timeout(180_000);
  let rt: Runtime;
  const roles: Role[] = [];
  const dirs: string[] = [];
  let ports: number[];

  const started = async (role: Role, text: string, what: string) =>
    until(() => role.out().includes(text), what, 90_000, 100).catch((err) => {
      throw new Error(`${(err as Error).message}\n${role.out()}`);
    });

  before(async () => {
    rt = await testRuntime();
    await truncate(rt, 'sources', 'images');
    await ensureSource(rt.db, { name: 'cml-mp', kind: 'commerceml', settings: { login: 'mp-1c', passwordEnv: PASSWORD_ENV } });
    ports = [await freePort(), await freePort()];
    // a Redis prefix of their own: the test process's own workers (other files) must not take their jobs
    const common = { BLOB_STORE: 'postgres', [PASSWORD_ENV]: PASSWORD, REDIS_PREFIX: `${process.env.REDIS_PREFIX}_mp`, HOST: '127.0.0.1' };
    const dir = () => {
      const d = fs.mkdtempSync(path.join(os.tmpdir(), 'cp-mp-'));
      dirs.push(d);
      return d;
    };
    const webA = startRole(['web'], { ...common, DATA_DIR: dir(), PORT: String(ports[0]) });
    const webB = startRole(['web'], { ...common, DATA_DIR: dir(), PORT: String(ports[1]) });
    const worker = startRole(['worker'], { ...common, DATA_DIR: dir() });
    const scheduler = startRole(['scheduler'], { ...common, DATA_DIR: dir() });
    roles.push(webA, webB, worker, scheduler);
    await Promise.all([
      started(webA, 'web listening', 'web A to listen'),
      started(webB, 'web listening', 'web B to listen'),
      started(worker, 'workers started', 'the worker to start'),
      started(scheduler, 'scheduler started', 'the scheduler to start'),
    ]);
  });

  after(async () => {
    for (const r of roles) await r.stop();
    for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
  });

  it('a package uploaded through web A is imported by the worker; its picture is served by web B', async () => {
    const picture = await sharp({ create: { width: 500, height: 500, channels: 3, background: '#2a7' } }).jpeg().toBuffer();
    const sha = crypto.createHash('sha256').update(picture).digest('hex');
    const xml = Buffer.from(
      `<?xml version="1.0" encoding="UTF-8"?><КоммерческаяИнформация ВерсияСхемы="2.10" ДатаФормирования="2024-05-01T10:00:00">` +
        `<Классификатор><Ид>cls</Ид><Наименование>К</Наименование></Классификатор><Каталог СодержитТолькоИзменения="false"><Ид>cat</Ид><ИдКлассификатора>cls</ИдКлассификатора><Наименование>Каталог</Наименование>` +
        `<Товары><Товар><Ид>mp-1</Ид><Наименование>Насос</Наименование><Картинка>import_files/4f/pump.jpg</Картинка></Товар></Товары></Каталог></КоммерческаяИнформация>`,
    );
    const c = new OneCClient(`http://127.0.0.1:${ports[0]}/exchange/1c`, { login: 'mp-1c', password: PASSWORD, pollMs: 50 });
    const r = await c.pushCatalog([{ name: 'import.xml', data: xml }, { name: 'import_files/4f/pump.jpg', data: picture }]);
    expect(r.failed, r.failed?.lines.join('\n')).to.equal(undefined);
    expect(r.answers['import.xml']!.lines).to.include('pictures: 1 kept (1 new), 0 as sent before, 0 not uploaded, 0 not images');
    const product = await rt.db('products').where({ external_id: 'mp-1' }).first('images');
    expect(product!.images).to.deep.equal([`sha256:${sha}`]);

    const orig = await fetch(`http://127.0.0.1:${ports[1]}/images/${sha}`);
    expect(orig.status).to.equal(200);
    expect(Buffer.from(await orig.arrayBuffer()).equals(picture)).to.equal(true);
    const thumb = await fetch(`http://127.0.0.1:${ports[1]}/images/${sha}/240.webp`);
    expect(thumb.status).to.equal(200);
    expect((await sharp(Buffer.from(await thumb.arrayBuffer())).metadata()).width).to.equal(240);
    // nothing of it on any process's disk
    for (const d of dirs) expect(fs.readdirSync(d).filter((f) => f === 'exchange' || f === 'images' || f === 'thumbs'), d).to.deep.equal([]);
  });
});
