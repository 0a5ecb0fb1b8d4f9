// The console's mapping checks against the real simulator over loopback SOAP.
import { expect } from 'chai';
import { provideSecret } from '../../../src/infra/config.ts';
import { consoleServices } from '../../../src/app/roles/console-services.ts';
import type { Runtime } from '../../../src/infra/runtime.ts';
import { type Simulator, startSimulator } from '../../../sim/index.ts';
import { testRuntime, truncate } from '../../support/runtime.ts';

describe('roles/console-services: mapping validate and dry-run from the console', () => {
  let rt: Runtime;
  let sim: Simulator;
  before(async () => {
    rt = await testRuntime();
    sim = await startSimulator({ dataset: { products: 30, counterparties: 6 }, credentials: { username: 'exchange', password: 'console-pw' } });
    provideSecret('SIM_SOAP_USER', 'exchange');
    provideSecret('SIM_SOAP_PASSWORD', 'console-pw');
  });
  after(() => sim.stop());
  beforeEach(() => truncate(rt, 'sources'));

  it('validates a source’s mapping and dry-runs it without writing the mirror', async () => {
    const [s] = await rt.db('sources').insert({ name: 'erp', kind: 'soap', settings: { mapping: 'connectors/mappings/simulator.yaml', endpoint: sim.url } }).returning('id');
    const svc = consoleServices(rt);
    const v = await svc.checkMapping!(s.id, { dryRun: false });
    expect(v.ok, v.lines.join('\n')).to.equal(true);
    expect(v.lines[0]).to.match(/^connectors\/mappings\/simulator\.yaml: valid \(\d+ entities, change feed, orders\)$/);

    const d = await svc.checkMapping!(s.id, { dryRun: true });
    expect(d.ok, d.lines.join('\n')).to.equal(true);
    expect(d.lines.join('\n')).to.match(/dry run: would change the mirror/).and.match(/products\s+received \d+, new \d+/).and.match(/records as mapped/);
    expect(await rt.db('products').count('* as n').first()).to.deep.equal({ n: 0 });
  });

  it('names what is wrong: a broken setting, a non-SOAP source', async () => {
    const [bad] = await rt.db('sources').insert({ name: 'broken', kind: 'soap', settings: { mapping: 'connectors/mappings/nope.yaml' } }).returning('id');
    const r = await consoleServices(rt).checkMapping!(bad.id, { dryRun: false });
    expect(r.ok).to.equal(false);
    expect(r.lines.join('\n')).to.contain('nope.yaml');
    const [cml] = await rt.db('sources').insert({ name: 'feed', kind: 'commerceml' }).returning('id');
    expect((await consoleServices(rt).checkMapping!(cml.id, { dryRun: true })).lines[0]).to.contain('only SOAP sources have a mapping file');
  });
});
