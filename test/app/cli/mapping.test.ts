import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { expect } from 'chai';
import { type Simulator, startSimulator } from '../../../sim/index.ts';
import type { Runtime } from '../../../src/infra/runtime.ts';
import { testRuntime, truncate } from '../../support/runtime.ts';

const run = promisify(execFile);

async function cli(args: string[], env: Record<string, string> = {}): Promise<{ code: number; out: string; err: string }> {
  try {
    const r = await run(process.execPath, ['--import', 'tsx', 'src/main.ts', ...args], { env: { ...process.env, ...env }, timeout: 60_000 });
    return { code: 0, out: r.stdout, err: r.stderr };
  } catch (e) {
    const x = e as { code: number; stdout: string; stderr: string };
    return { code: x.code, out: x.stdout, err: x.stderr };
  }
}

describe('cli: counterpart mapping validate | dry-run', () => {
  let rt: Runtime;
  let sim: Simulator;
  before(async () => {
    rt = await testRuntime();
    await truncate(rt, 'sources');
    sim = await startSimulator({ dataset: { products: 30, counterparties: 8 }, credentials: { username: 'u', password: 'p' } });
  });
  after(() => sim.stop());

  it('validate: says the simulator’s mapping is valid and, online, that the WSDL has every operation', async () => {
    const r = await cli(['mapping', 'validate', 'connectors/mappings/simulator.yaml', '--online', '--endpoint', sim.url]);
    expect(r.code, r.err).to.equal(0);
    expect(r.out).to.match(/simulator\.yaml: valid \(13 entities, change feed, orders\)/);
    expect(r.out).to.match(/every operation exists in the WSDL/);
  });

  it('validate: prints every problem with file, line and path, and exits 1', async () => {
    const file = path.join(os.tmpdir(), `cp-bad-${process.pid}.yaml`);
    fs.writeFileSync(file, fs.readFileSync('connectors/mappings/simulator.yaml', 'utf8').replace('unit: Unit', 'units: Unit').replace('[boolean] }\n\n  warehouses', '[booleann] }\n\n  warehouses'));
    try {
      const r = await cli(['mapping', 'validate', file]);
      expect(r.code).to.equal(1);
      expect(r.err).to.match(/priceTypes\.fields\.isBase\.modifiers\[0\]: unknown modifier "booleann"/);
      expect(r.err).to.match(new RegExp(`${file.replace(/[.]/g, '\\.')}:\\d+: `));
    } finally {
      fs.rmSync(file, { force: true });
    }
  });

  it('dry-run: a bad mapping exits 1 before any database is opened (no DATABASE_URL needed)', async () => {
    const file = path.join(os.tmpdir(), `cp-bad-dry-${process.pid}.yaml`);
    fs.writeFileSync(file, fs.readFileSync('connectors/mappings/simulator.yaml', 'utf8').replace('result: Groups.Group', 'result: Groups Group'));
    try {
      const env = { ...process.env };
      delete env.DATABASE_URL;
      const r = await run(process.execPath, ['--import', 'tsx', 'src/main.ts', 'mapping', 'dry-run', file, '--entity', 'groups'], { env, timeout: 60_000 }).then(
        (x) => ({ code: 0, err: x.stderr }),
        (e: { code: number; stderr: string }) => ({ code: e.code, err: e.stderr }),
      );
      expect(r.code).to.equal(1);
      expect(r.err).to.match(/entities\.groups\.result: must be a dotted element path/);
    } finally {
      fs.rmSync(file, { force: true });
    }
  });

  it('source add: checks the mapping first, registers the source, refuses a second one of the name; source list shows it', async function () {
    this.timeout(180_000); // seven CLI processes, each starting TypeScript
    const bad = await cli(['source', 'add', 'ut11', '--kind', 'soap', '--mapping', 'no/such.yaml']);
    expect(bad.code).to.equal(1);
    expect(await rt.db('sources').where({ name: 'ut11' }).first('id')).to.equal(undefined);
    const ok = await cli(['source', 'add', 'ut11', '--kind', 'soap', '--mapping', 'test/connectors/soap/fixtures/ut-site.yaml', '--endpoint', 'http://127.0.0.1:9/ut/ws/site', '--title', 'УТ 11']);
    expect(ok.code, ok.err).to.equal(0);
    expect(ok.out).to.match(/source "ut11" \(soap\) registered with id \d+/);
    expect(ok.out).to.contain('warning: the environment variable UT_SITE_USER is not set here');
    const row = await rt.db('sources').where({ name: 'ut11' }).first('kind', 'title', 'settings');
    expect(row).to.deep.include({ kind: 'soap', title: 'УТ 11' });
    expect(row?.settings).to.deep.equal({ mapping: 'test/connectors/soap/fixtures/ut-site.yaml', endpoint: 'http://127.0.0.1:9/ut/ws/site' });
    const again = await cli(['source', 'add', 'ut11', '--kind', 'soap', '--mapping', 'test/connectors/soap/fixtures/ut-site.yaml']);
    expect(again.code).to.equal(1);
    expect(again.err).to.contain('a source named "ut11" exists already');
    expect((await cli(['source', 'add', 'Bad Name', '--kind', 'soap'])).err).to.contain('must be lower-case letters');
    expect((await cli(['source', 'add', 'x1', '--kind', 'ftp'])).err).to.contain('--kind must be soap or commerceml');
    const list = await cli(['source', 'list']);
    expect(list.code, list.err).to.equal(0);
    expect(list.out).to.match(/\tut11\tsoap\tУТ 11\tas of never synced/);
  });

  it('dry-run: prints mapped records and what would change, writes nothing', async () => {
    const r = await cli(['mapping', 'dry-run', 'connectors/mappings/simulator.yaml', '--entity', 'products', '--limit', '3', '--endpoint', sim.url], {
      SIM_SOAP_USER: 'u', SIM_SOAP_PASSWORD: 'p',
    });
    expect(r.code, r.err).to.equal(0);
    expect(r.out).to.match(/3 products record\(s\) as mapped:/);
    expect(r.out).to.include(`"externalId":"${sim.state.data.products[0]!.id}"`);
    expect(r.out).to.match(/dry run: would change the mirror/);
    expect(r.out).to.match(/products\s+received 3, new 3, changed 0, deleted 0/);
    expect(r.out).to.match(/\+ .+: new \(/);
    const [{ n }] = await rt.db('products').count({ n: '*' });
    expect(Number(n)).to.equal(0);
    expect(await rt.db('sources').where('name', 'like', 'dry-run-%').first()).to.equal(undefined);
  });
});
