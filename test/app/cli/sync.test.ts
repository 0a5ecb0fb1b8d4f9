import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { expect } from 'chai';
import type { Simulator } from '../../../sim/index.ts';
import type { Runtime } from '../../../src/infra/runtime.ts';
import { testRuntime, truncate } from '../../support/runtime.ts';
import { mirrorCounts, SIM_PASSWORD, SIM_USER, simSource } from '../../support/sim-source.ts';

const run = promisify(execFile);

describe('cli: counterpart sync SOURCE --full', () => {
  let rt: Runtime;
  let sim: Simulator;
  let sourceId: number;
  before(async () => {
    rt = await testRuntime();
    await truncate(rt, 'sources');
    ({ sim, sourceId } = await simSource(rt, 'erp'));
  });
  after(() => sim.stop());

  it('runs a full sync in this process and prints what changed', async () => {
    const { stdout } = await run(process.execPath, ['--import', 'tsx', 'src/main.ts', 'sync', 'erp', '--full'], {
      env: { ...process.env, SIM_SOAP_USER: SIM_USER, SIM_SOAP_PASSWORD: SIM_PASSWORD }, timeout: 60_000,
    });
    expect(stdout).to.match(/^run \d+: mirror updated in [\d.]+ s/);
    expect(stdout).to.match(new RegExp(`prices\\s+received ${sim.state.counts().prices}, new ${sim.state.counts().prices}`));
    expect(stdout).to.match(/as of .+ \(the accounting system's time\)/);
    expect(await mirrorCounts(rt, sourceId)).to.deep.equal(sim.state.counts());
  });
});
