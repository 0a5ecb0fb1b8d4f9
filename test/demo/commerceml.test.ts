import { expect } from 'chai';
import { DEMO_1C_LOGIN, DEMO_1C_PASSWORD, ensureCommerceMLDemoSource } from '../../src/demo/commerceml.ts';
import { exchange } from '../connectors/commerceml/harness.ts';

describe('demo: the cml-demo source a 1C node can be pointed at', () => {
  it('is created once and accepts the demo credentials (argon2 hash), refuses others', async () => {
    const ex = await exchange();
    await ex.reset();
    await ensureCommerceMLDemoSource(ex.rt);
    await ensureCommerceMLDemoSource(ex.rt);
    expect(await ex.rt.db('sources').where({ name: 'cml-demo' }).count({ n: '*' })).to.deep.equal([{ n: 1 }]);
    const ok = await ex.client({ login: DEMO_1C_LOGIN, password: DEMO_1C_PASSWORD }).checkauth('catalog');
    expect(ok.status).to.equal('success');
    const bad = await ex.client({ login: DEMO_1C_LOGIN, password: 'guess' }).checkauth('catalog');
    expect(bad.status).to.equal('failure');
  });
});
