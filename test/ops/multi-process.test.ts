// The store as separate processes on one PostgreSQL database and one Redis prefix, each process
// with a DATA_DIR of its own (nothing shared on disk): two `counterpart web`, one `counterpart
// worker`, one `counterpart scheduler`. A 1C package with a picture uploaded through web A is
// imported by the worker and its picture (and thumbnail) served by web B — the blob store
// (BLOB_STORE=postgres) is what they share.
import crypto from 'node:crypto';
import fs from 'node:fs';
import { expect } from 'chai';
import sharp from 'sharp';
import { OneCClient } from '../../sim/commerceml/client.ts';
import type { Runtime } from '../../src/infra/runtime.ts';
import { ensureSource } from '../../src/sync/index.ts';
import { testRuntime, truncate } from '../support/runtime.ts';
import { type Cluster, startCluster } from './cluster.ts';

const PASSWORD_ENV = 'CML_MP_PASSWORD';
const PASSWORD = 'пароль-мульти';

describe('ops: two webs, a worker and a scheduler sharing only PostgreSQL and Redis', function () {
  this.timeout(180_000);
  let rt: Runtime;
  let cluster: Cluster;
  let ports: number[];

  before(async () => {
    rt = await testRuntime();
    await truncate(rt, 'sources', 'images');
    await ensureSource(rt.db, { name: 'cml-mp', kind: 'commerceml', settings: { login: 'mp-1c', passwordEnv: PASSWORD_ENV } });
    cluster = await startCluster(rt, { webs: 2, workers: 1, scheduler: true }, { [PASSWORD_ENV]: PASSWORD });
    ports = cluster.webs.map((w) => Number(new URL(w).port));
  });

  after(async () => {
    await cluster?.stop();
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
    for (const d of cluster.dirs) expect(fs.readdirSync(d).filter((f) => f === 'exchange' || f === 'images' || f === 'thumbs'), d).to.deep.equal([]);
  });
});
