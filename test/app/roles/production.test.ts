import { expect } from 'chai';
import { authenticate } from '../../../connectors/commerceml/exchange/auth.ts';
import { assertSafeStart, retireDemo } from '../../../src/app/roles/production.ts';
import { ensureDemoAccounts } from '../../../src/demo/accounts.ts';
import { DEMO_1C_LOGIN, DEMO_1C_PASSWORD, ensureCommerceMLDemoSource } from '../../../src/demo/commerceml.ts';
import { parseConfig } from '../../../src/infra/config.ts';
import { DomainError } from '../../../src/infra/domain-error.ts';
import type { Runtime } from '../../../src/infra/runtime.ts';
import { soapSources } from '../../../src/sources/soap-source.ts';
import { checkLogin } from '../../../src/store/accounts/users.ts';
import { testRuntime, truncate } from '../../support/runtime.ts';

describe('roles/production: unsafe starts are refused and an earlier demo is retired', () => {
  let rt: Runtime;
  before(async () => {
    rt = await testRuntime();
  });
  beforeEach(() => truncate(rt, 'users', 'sessions', 'sources'));

  it('refuses the demo under NODE_ENV=production and a production start without PUBLIC_URL / SESSION_SECRET', () => {
    const refusal = (env: Record<string, string>, demo: boolean) => {
      try {
        assertSafeStart(parseConfig(env), { demo });
        return null;
      } catch (err) {
        expect(err).to.be.instanceOf(DomainError);
        return (err as DomainError).code;
      }
    };
    expect(refusal({ NODE_ENV: 'production' }, true)).to.equal('start.demo_in_production');
    expect(refusal({}, true)).to.equal(null);
    expect(refusal({}, false)).to.equal('start.unsafe_settings');
    expect(refusal({ PUBLIC_URL: 'https://store.example' }, false)).to.equal('start.unsafe_settings');
    expect(refusal({ PUBLIC_URL: 'https://store.example', SESSION_SECRET: 'x'.repeat(32) }, false)).to.equal(null);
  });

  it('disables the demo sign-ins, their sessions and the demo 1C login; the demo brings them back', async () => {
    await ensureCommerceMLDemoSource(rt);
    const accounts = await ensureDemoAccounts(rt);
    const admin = accounts.find((a) => a.role === 'admin')!;
    const own = await rt.db('users').insert({ email: 'real@client.test', name: 'Real', role: 'admin' }).returning('id');
    const adminRow = await rt.db('users').where({ email: admin.email }).first('id');
    await rt.db('sessions').insert({ sid: 's1', sess: JSON.stringify({ userId: adminRow!.id }), expire: new Date(Date.now() + 3600_000) });
    await rt.db('sessions').insert({ sid: 's2', sess: JSON.stringify({ userId: own[0]!.id }), expire: new Date(Date.now() + 3600_000) });
    expect(typeof (await authenticate(rt.db, DEMO_1C_LOGIN, DEMO_1C_PASSWORD))).to.equal('object');

    const retired = await retireDemo(rt);
    expect(retired.users).to.include(admin.email);
    expect(retired.users).not.to.include('real@client.test');
    expect(retired.sources).to.deep.equal(['cml-demo']);
    expect((await checkLogin(rt.db, admin.email, admin.password)).ok).to.equal(false);
    expect(await rt.db('sessions').pluck('sid')).to.deep.equal(['s2']);
    expect(await authenticate(rt.db, DEMO_1C_LOGIN, DEMO_1C_PASSWORD)).to.equal('wrong login or password');
    const src = await rt.db('sources').where({ name: 'cml-demo' }).first('settings', 'disabled_at');
    expect(src!.disabled_at).to.be.instanceOf(Date);
    expect(src!.settings).not.to.have.any.keys('login', 'passwordHash');
    expect(await retireDemo(rt)).to.deep.equal({ users: [], sources: [] });

    await ensureCommerceMLDemoSource(rt);
    await ensureDemoAccounts(rt);
    expect((await checkLogin(rt.db, admin.email, admin.password)).ok).to.equal(true);
    expect(typeof (await authenticate(rt.db, DEMO_1C_LOGIN, DEMO_1C_PASSWORD))).to.equal('object');
  });

  it('a disabled SOAP source is not scheduled', async () => {
    await rt.db('sources').insert([
      { name: 'demo', kind: 'soap', title: 'sim', demo: true },
      { name: 'erp', kind: 'soap', title: 'ERP' },
    ]);
    await retireDemo(rt);
    expect((await soapSources(rt)).map((s) => s.name)).to.deep.equal(['erp']);
  });

  it('does not take over an account or source of the same name that the demo did not create', async () => {
    await rt.db('sources').insert({ name: 'cml-demo', kind: 'commerceml', title: 'someone else’s' });
    let err: unknown;
    await ensureCommerceMLDemoSource(rt).catch((e: unknown) => (err = e));
    expect(String(err)).to.match(/is not the demo's/);
  });
});
