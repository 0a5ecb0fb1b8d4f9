import { expect } from 'chai';
import { ConfigError, parseConfig } from '../../src/infra/config.ts';

describe('config', () => {
  it('applies defaults', () => {
    const c = parseConfig({});
    expect(c.PORT).to.equal(3000);
    expect(c.DATA_DIR).to.equal('./.data');
    expect(c.redisUrlGiven).to.equal(false);
  });

  it('names the variable that is wrong', () => {
    expect(() => parseConfig({ PORT: 'eighty' })).to.throw(ConfigError, /^Configuration error: PORT .*"eighty"/);
    expect(() => parseConfig({ DATABASE_URL: 'mysql://x' })).to.throw(ConfigError, /DATABASE_URL must be a URL starting with postgres:/);
    expect(() => parseConfig({ SESSION_SECRET: 'short' })).to.throw(ConfigError, /SESSION_SECRET must be at least 16/);
  });
});
