import { expect } from 'chai';
import { ConfigError, parseConfig } from '../../src/infra/config.ts';

describe('config', () => {
  it('applies defaults', () => {
    const c = parseConfig({});
    expect(c.PORT).to.equal(3000);
    expect(c.DATA_DIR).to.equal('./.data');
    expect(c.redisUrlGiven).to.equal(false);
    expect(c.JOB_LOCK_MS).to.equal(30_000);
  });

  it('keeps blobs in PostgreSQL in production and on disk elsewhere, unless BLOB_STORE says', () => {
    expect(parseConfig({}).blobStore).to.equal('fs');
    expect(parseConfig({ NODE_ENV: 'production' }).blobStore).to.equal('postgres');
    expect(parseConfig({ NODE_ENV: 'production', BLOB_STORE: 'fs' }).blobStore).to.equal('fs');
    expect(parseConfig({ BLOB_STORE: 'postgres' }).blobStore).to.equal('postgres');
    expect(() => parseConfig({ BLOB_STORE: 's3' })).to.throw(ConfigError, /^Configuration error: BLOB_STORE /);
  });

  it('names the variable that is wrong', () => {
    expect(() => parseConfig({ PORT: 'eighty' })).to.throw(ConfigError, /^Configuration error: PORT .*"eighty"/);
    expect(() => parseConfig({ DATABASE_URL: 'mysql://x' })).to.throw(ConfigError, /DATABASE_URL must be a URL starting with postgres:/);
    expect(() => parseConfig({ SESSION_SECRET: 'short' })).to.throw(ConfigError, /SESSION_SECRET must be at least 16/);
    expect(() => parseConfig({ JOB_LOCK_MS: '500' })).to.throw(ConfigError, /JOB_LOCK_MS must be at least 1000 ms/);
    expect(() => parseConfig({ SHUTDOWN_UNREADY_MS: '15000' })).to.throw(ConfigError, /SHUTDOWN_UNREADY_MS must be less than SHUTDOWN_TIMEOUT_MS \(15000\)/);
    expect(parseConfig({ SHUTDOWN_UNREADY_MS: '5000', SHUTDOWN_TIMEOUT_MS: '20000' }).SHUTDOWN_UNREADY_MS).to.equal(5000);
    expect(() => parseConfig({ PUBLIC_URL: 'store.example' })).to.throw(ConfigError, /PUBLIC_URL must be a URL starting with https: or http:/);
  });

  it('reads TRUST_PROXY as express does: hops, addresses and subnets, or nobody', () => {
    expect(parseConfig({}).TRUST_PROXY).to.deep.equal(['loopback']);
    expect(parseConfig({ TRUST_PROXY: '2' }).TRUST_PROXY).to.equal(2);
    expect(parseConfig({ TRUST_PROXY: 'false' }).TRUST_PROXY).to.equal(false);
    expect(parseConfig({ TRUST_PROXY: 'loopback, 10.0.0.0/8, fd00::1' }).TRUST_PROXY).to.deep.equal(['loopback', '10.0.0.0/8', 'fd00::1']);
    expect(() => parseConfig({ TRUST_PROXY: 'true' })).to.throw(ConfigError, /TRUST_PROXY must be false, a hop count, .* not true/);
    expect(() => parseConfig({ TRUST_PROXY: '10.0.0.0/8, proxy.local' })).to.throw(ConfigError, /not proxy\.local/);
  });
});
