import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import { redisAnswers } from '../../../src/infra/redis/redis.ts';
import { ensureLocalRedis } from '../../../src/infra/redis/local.ts';

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
    let up = true;
    for (let i = 0; i < 30 && up; i++) {
      await new Promise((res) => setTimeout(res, 100));
      up = await redisAnswers(r.url, 100);
    }
    expect(up).to.equal(false);
  });
});
