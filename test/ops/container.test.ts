// Docker is not on the test machines: compose.yaml and the Dockerfile are checked for what they
// promise (the Procfile roles from one image, two webs behind the proxy, the settings a
// production start needs), and the image's commands are started from a build the way the
// container starts them.
import fs from 'node:fs';
import { expect } from 'chai';
import { parse } from 'yaml';
import { parseConfig } from '../../src/infra/config.ts';
import { fromRoot } from '../../src/infra/paths.ts';
import { testRuntime } from '../support/runtime.ts';
import { until } from '../support/wait.ts';
import { buildOnce, freePort, removeBuild, runBuilt } from './build.ts';

interface Service {
  build?: string;
  image?: string;
  command?: string[];
  environment?: Record<string, string>;
  depends_on?: Record<string, { condition: string }>;
  ports?: string[];
  volumes?: string[];
  healthcheck?: { test: string[] };
  configs?: { source: string; target: string }[];
  stop_grace_period?: string;
}
interface Compose {
  services: Record<string, Service>;
  configs: Record<string, { content: string }>;
  volumes: Record<string, unknown>;
}

const compose = parse(fs.readFileSync(fromRoot('compose.yaml'), 'utf8'), { merge: true }) as Compose;
const procfile = Object.fromEntries(
  fs.readFileSync(fromRoot('Procfile'), 'utf8').trim().split('\n').map((l) => {
    const [role, cmd] = l.split(/:\s*/, 2) as [string, string];
    return [role, cmd.trim().split(/\s+/)];
  }),
) as Record<string, string[]>;
const dockerfile = fs.readFileSync(fromRoot('Dockerfile'), 'utf8');

/** What `docker compose` makes of `${VAR:?…}`, `${VAR:-default}` and `${VAR}` given these variables. */
function interpolate(value: string, vars: Record<string, string>): string {
  return value.replace(/\$\{(\w+)(?::([?-])([^}]*))?\}/g, (_, name: string, op?: string, arg?: string) => {
    if (vars[name]) return vars[name]!;
    if (op === '?') throw new Error(`compose would refuse: ${name} unset (${arg})`);
    return op === '-' ? (arg ?? '') : '';
  });
}

const VARS = {
  POSTGRES_PASSWORD: 'pg-secret',
  PUBLIC_URL: 'https://b2b.example.ru',
  SESSION_SECRET: 'a'.repeat(64),
  SMTP_URL: 'smtp://mail:25',
};
const appServices = Object.entries(compose.services).filter(([, s]) => s.command?.[1] === 'bin/counterpart.js');
const webs = appServices.filter(([, s]) => s.command?.[2] === 'web');

describe('container: Dockerfile and compose.yaml', function () {
  this.timeout(240_000);

  it('the Procfile roles run from one image: two webs, a worker, a scheduler, each with its Procfile command', () => {
    expect(Object.keys(procfile)).to.have.members(['web', 'worker', 'scheduler']);
    expect(webs.map(([n]) => n)).to.have.length(2);
    for (const role of ['worker', 'scheduler']) {
      const s = appServices.filter(([, x]) => x.command?.[2] === role);
      expect(s, role).to.have.length(1);
    }
    for (const [name, s] of appServices) {
      expect(s.build, name).to.equal('.');
      expect(s.image, name).to.equal('counterpart:latest');
      const role = s.command![2]!;
      if (role !== 'migrate') expect(s.command, name).to.deep.equal(procfile[role]);
    }
    expect(compose.services.migrate?.command).to.deep.equal(['node', 'bin/counterpart.js', 'migrate']);
  });

  it('PostgreSQL and Redis are services every role waits for; only the proxy publishes ports', () => {
    expect(compose.services.postgres?.image).to.match(/^postgres:\d+/);
    expect(compose.services.redis?.image).to.match(/^redis:\d+/);
    expect(compose.services.redis?.command).to.include('noeviction');
    for (const [name, s] of appServices) {
      expect(s.depends_on, name).to.include.keys('postgres');
      if (name !== 'migrate') {
        expect(s.depends_on, name).to.include.keys('redis', 'migrate');
        expect(s.depends_on!.migrate!.condition).to.equal('service_completed_successfully');
        // uploads, attachments and pictures live in PostgreSQL: the roles share no folder
        expect(s.environment?.BLOB_STORE, name).to.equal('postgres');
        expect(s.volumes ?? [], name).not.to.include('data:/data');
      }
      expect(s.ports, name).to.equal(undefined);
    }
    for (const [name, s] of Object.entries(compose.services)) {
      for (const dep of Object.keys(s.depends_on ?? {})) expect(compose.services, `${name} depends on ${dep}`).to.have.property(dep);
      for (const v of s.volumes ?? []) expect(compose.volumes, v).to.have.property(v.split(':')[0]!);
    }
  });

  it('the proxy balances over both webs, checks them with /readyz and keeps /metrics inside', () => {
    const proxy = compose.services.proxy!;
    expect(proxy.ports).to.include.members(['80:80', '443:443']);
    expect(proxy.depends_on).to.have.keys(webs.map(([n]) => n));
    const caddyfile = compose.configs[proxy.configs![0]!.source]!.content;
    expect(proxy.configs![0]!.target).to.equal('/etc/caddy/Caddyfile');
    expect(caddyfile).to.match(new RegExp(`reverse_proxy ${webs.map(([n]) => `${n}:3000`).join(' ')}`));
    expect(caddyfile).to.contain('health_uri /readyz').and.contain('respond /metrics 404');
    for (const [, s] of webs) expect(s.healthcheck?.test.join(' ')).to.contain('/readyz');
    // a stopping web is unready for longer than Caddy's check interval, within its shutdown bound
    const interval = Number(/health_interval (\d+)s/.exec(caddyfile)![1]) * 1000;
    for (const [name, s] of webs) {
      const cfg = parseConfig(Object.fromEntries(Object.entries(s.environment ?? {}).map(([k, v]) => [k, interpolate(String(v), VARS)])));
      expect(cfg.SHUTDOWN_UNREADY_MS, name).to.be.above(interval);
      expect(cfg.SHUTDOWN_TIMEOUT_MS, name).to.be.below(Number(/^(\d+)s$/.exec(String(s.stop_grace_period))![1]) * 1000);
    }
  });

  it("every role's environment is a valid production configuration (README's production settings)", () => {
    for (const [name, s] of appServices) {
      const env = Object.fromEntries(Object.entries(s.environment ?? {}).map(([k, v]) => [k, interpolate(String(v), VARS)]));
      expect(env, name).to.include.keys('DATABASE_URL', 'REDIS_URL', 'PUBLIC_URL', 'SESSION_SECRET', 'SMTP_URL', 'TRUST_PROXY');
      const cfg = parseConfig(env);
      expect(cfg.NODE_ENV, name).to.equal('production');
      expect(cfg.DATABASE_URL, name).to.equal('postgres://counterpart:pg-secret@postgres:5432/counterpart');
      expect(cfg.REDIS_URL, name).to.equal('redis://redis:6379');
      expect(cfg.PUBLIC_URL, name).to.equal(VARS.PUBLIC_URL);
      expect(cfg.TRUST_PROXY, name).to.deep.equal(['uniquelocal']);
      expect(cfg.HOST, name).to.equal('0.0.0.0');
    }
    const withoutSecret = { ...VARS, SESSION_SECRET: '' };
    expect(() => interpolate(String(compose.services.worker!.environment!.SESSION_SECRET), withoutSecret)).to.throw(/SESSION_SECRET/);
  });

  it('the Dockerfile builds in a stage of its own and runs the build as a non-root user with production dependencies only', () => {
    const stages = dockerfile.split(/^FROM /m).slice(1);
    expect(stages.length).to.be.at.least(2);
    const final = stages.at(-1)!;
    expect(dockerfile).to.match(/RUN npm run build/);
    expect(dockerfile).to.match(/RUN npm ci --omit=dev/);
    expect(final).to.match(/COPY --from=\w+ \/app\/node_modules/).and.match(/COPY --from=build \/app\/dist \.\/dist/);
    for (const dir of ['views', 'public', 'bin', 'connectors/mappings']) expect(final, dir).to.contain(`COPY ${dir} ./${dir}`);
    expect(final).to.match(/^USER node$/m).and.match(/NODE_ENV=production/);
    expect(final).to.not.match(/tsx/);
    const cmd = JSON.parse(/^CMD (.+)$/m.exec(final)![1]!) as string[];
    expect(cmd).to.deep.equal(procfile.web);
  });

  describe("the image's commands, started from a build", () => {
    before(async () => {
      await testRuntime();
      await buildOnce();
    });
    after(() => removeBuild());

    // As in the image: NODE_ENV=production, HOST/PORT/DATA_DIR set, on the run's database and a Redis prefix of its own.
    const imageEnv = async () => ({
      NODE_ENV: 'production',
      PUBLIC_URL: 'https://b2b.example.ru',
      REDIS_PREFIX: `${process.env.REDIS_PREFIX}_image`,
      HOST: '127.0.0.1',
      PORT: String(await freePort()),
      LOG_LEVEL: 'info',
    });

    it('CMD (the web) answers /readyz and /metrics, then stops cleanly on SIGTERM', async () => {
      const env = await imageEnv();
      const cmd = JSON.parse(/^CMD (.+)$/m.exec(dockerfile)![1]!) as string[];
      expect(cmd.slice(0, 2)).to.deep.equal(['node', 'bin/counterpart.js']);
      const p = await runBuilt(cmd.slice(2), env);
      try {
        const base = `http://127.0.0.1:${env.PORT}`;
        const ready = await until(() => fetch(`${base}/readyz`).catch(() => undefined), `the built web to listen\n${p.out()}`, 60_000, 100);
        expect(ready?.status, p.out()).to.equal(200);
        expect(await (await fetch(`${base}/metrics`)).text()).to.contain('cp_queue_jobs{');
      } finally {
        p.child.kill('SIGTERM');
      }
      expect(await p.exit, p.out()).to.equal(0);
    });

    for (const role of ['worker', 'scheduler'] as const) {
      it(`the ${role} service's command starts its role and stops cleanly on SIGTERM`, async () => {
        const service = appServices.find(([, s]) => s.command?.[2] === role)![1];
        const p = await runBuilt(service.command!.slice(2), await imageEnv());
        try {
          await until(() => p.out().includes(role === 'worker' ? 'workers started' : 'scheduler started'), `the built ${role} to start\n${p.out()}`, 60_000, 100);
        } finally {
          p.child.kill('SIGTERM');
        }
        expect(await p.exit, p.out()).to.equal(0);
      });
    }
  });
});
