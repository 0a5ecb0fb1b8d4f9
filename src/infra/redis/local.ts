// `npm start` convenience: when no REDIS_URL was given and nothing answers on the default port,
// start a private redis-server on loopback (if one is installed) and stop it on exit.
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { redisAnswers } from './redis.ts';

export const DEFAULT_REDIS_URL = 'redis://127.0.0.1:6379';

export class RedisUnavailableError extends Error {}

export async function ensureLocalRedis(dataDir: string, port = 6379): Promise<{ url: string; stop(): Promise<void> }> {
  const url = `redis://127.0.0.1:${port}`;
  if (await redisAnswers(url)) return { url, stop: async () => {} };
  const which = spawnSync('sh', ['-c', 'command -v redis-server'], { encoding: 'utf8' });
  const bin = which.stdout.trim();
  if (!bin) {
    throw new RedisUnavailableError(
      `No Redis answers at ${url} and no redis-server is installed. Install one ` +
        '(Debian/Ubuntu: apt-get install redis-server; macOS: brew install redis) or set REDIS_URL.',
    );
  }
  const dir = path.join(dataDir, 'redis');
  fs.mkdirSync(dir, { recursive: true });
  const child: ChildProcess = spawn(
    bin,
    ['--bind', '127.0.0.1', '--port', String(port), '--save', '', '--appendonly', 'no', '--dir', dir],
    { stdio: 'ignore' },
  );
  for (let i = 0; i < 50; i++) {
    if (await redisAnswers(url, 200)) {
      return {
        url,
        stop: async () => {
          child.kill('SIGTERM');
        },
      };
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  child.kill('SIGKILL');
  throw new RedisUnavailableError(`Started ${bin} on port ${port} but it does not answer; set REDIS_URL.`);
}
