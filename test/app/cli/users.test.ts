import { expect } from 'chai';
import { DomainError, messageIn } from '../../../src/infra/domain-error.ts';
import { Command } from 'commander';
import { addUserCommands } from '../../../src/app/cli/users.ts';
import { getQueue } from '../../../src/infra/queue/connection.ts';
import { QUEUES } from '../../../src/infra/queue/names.ts';
import type { Runtime } from '../../../src/infra/runtime.ts';
import { checkLogin } from '../../../src/store/accounts/users.ts';
import { storeFixture } from '../../support/mirror-fixtures.ts';
import { testRuntime, truncate } from '../../support/runtime.ts';

describe('cli: user add, clients seed', () => {
  let rt: Runtime;
  const out: string[] = [];
  const origLog = console.log;
  const run = async (...args: string[]) => {
    const program = new Command('counterpart').exitOverride();
    addUserCommands(program, (fn) => fn(rt));
    console.log = (...a: unknown[]) => void out.push(a.join(' '));
    try {
      await program.parseAsync(['node', 'counterpart', ...args]);
    } finally {
      console.log = origLog;
    }
  };
  before(async () => {
    rt = await testRuntime();
  });
  beforeEach(async () => {
    out.length = 0;
    await truncate(rt, 'sources', 'users', 'clients');
  });

  it('adds a buyer to a client by name with a password, and one with an invitation link', async () => {
    await storeFixture(rt.db);
    await run('user', 'add', '--email', 'new@alpha.test', '--role', 'buyer', '--client', 'Alpha LLC', '--password', 'long enough pw');
    expect(out[0]).to.match(/^user \d+ created: new@alpha.test \(buyer\)$/);
    expect((await checkLogin(rt.db, 'new@alpha.test', 'long enough pw')).ok).to.equal(true);
    await run('user', 'add', '--email', 'inv@alpha.test', '--role', 'manager', '--send');
    expect(out[1]).to.match(/invitation link:\nhttp:\/\/.+\/password\/set\/[\w-]+$/);
    expect(out[2]).to.equal('invitation e-mail queued');
    const id = Number(out[1]!.match(/^user (\d+)/)![1]);
    const job = await getQueue(rt, QUEUES.mailSend).getJob(`mail-invite-${id}`);
    expect(job?.data).to.deep.include({ to: 'inv@alpha.test', template: 'store-plain' });
    expect(job?.data.data.text).to.contain(out[1]!.split('\n')[1]);
    await job?.remove();
  });

  it('names what is wrong: unknown client, bad role, buyer without client, duplicate', async () => {
    await storeFixture(rt.db);
    // as runCli prints it: a store refusal in English
    const err = async (...a: string[]) => run(...a).then(() => '', (e: Error) => (e instanceof DomainError && e.text ? messageIn('en', e.text) : e.message));
    expect(await err('user', 'add', '--email', 'x@y.test', '--role', 'buyer', '--client', 'Nope')).to.contain('no client "Nope"');
    expect(await err('user', 'add', '--email', 'x@y.test', '--role', 'boss')).to.contain('--role must be buyer, manager or admin');
    expect(await err('user', 'add', '--email', 'x@y.test', '--role', 'buyer')).to.contain('A buyer needs a client');
    expect(await err('user', 'add', '--email', 'BUYER@alpha.test', '--role', 'admin')).to.contain('already exists');
  });

  it('seeds clients from the mirror', async () => {
    await storeFixture(rt.db);
    await run('clients', 'seed');
    expect(out[0]).to.equal('clients created: 0, links added: 0, links removed: 0');
  });
});
