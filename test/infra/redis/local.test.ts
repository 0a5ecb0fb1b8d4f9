import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import { redisAnswers } from '../../../src/infra/redis/redis.ts';
import { ensureLocalRedis } from '../../../src/infra/redis/local.ts';
import { waitFor } from '../../support/wait.ts';

const freePort = () =>
  new Promise<number>((resolve) => {
    const s = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address() as net.AddressInfo;
      s.close(() => resolve(port));
    });
  });

describe('local Redis for `npm start`', () => {
  it('uses a Redis that answers, without starting another', async () => {
    const r = await ensureLocalRedis(path.join(os.tmpdir(), 'cp-redis-test'), 6379);
    expect(r.url).to.equal('redis://127.0.0.1:6379');
    await r.stop(); // a no-op: it is not ours
    expect(await redisAnswers('redis://127.0.0.1:6379')).to.equal(true);
  });

  it('starts a private redis-server on loopback when nothing answers, and stops it', async function () {
    this.timeout(15_000);
    const port = await freePort();
    const r = await ensureLocalRedis(path.join(os.tmpdir(), 'cp-redis-test'), port);
    expect(await redisAnswers(r.url)).to.equal(true);
    await r.stop();
    await waitFor(async () => !(await redisAnswers(r.url, 100)), { what: `the private redis-server on ${r.url} to stop answering`, timeout: 5000, every: 100 });
  });
});
