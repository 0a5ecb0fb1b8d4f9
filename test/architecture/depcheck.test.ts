// The import rules of ARCHITECTURE.md are enforced, not hoped for: `npm run depcheck` on a scratch
// copy of the sources passes as it is, and fails naming the rule for every rule-breaking import
// added as a probe (while imports the rules allow stay accepted). One run per probe set.
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { expect } from 'chai';

const run = promisify(execFile);
const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
/** What the depcheck script cruises, and what it needs to do so. */
const COPIED = ['src', 'connectors', 'jobs', 'sim', 'migrations', 'bench', 'bin', '.dependency-cruiser.cjs', 'tsconfig.json', 'package.json'];

/** One line of the checker's report: `  error web-not-db: src/web/x.ts → src/infra/db/knex.ts`. */
interface Violation {
  severity: string;
  rule: string;
  from: string;
  to: string;
}

interface Probe {
  /** The rule-breaking (or, with rule null, allowed) file, relative to the copy. */
  file: string;
  /** What it imports: a path relative to the copy, or a package name. */
  imports: string[];
  /** The rule that must name it, or null when every import is allowed. */
  rule: string | null;
}

// Targets are files the test creates in each folder, so probes do not depend on what the
// folders hold today; packages (knex, bullmq) are the real ones.
const target = (dir: string) => `${dir}/probe-target.ts`;
const PROBES: Probe[] = [
  { file: 'src/web/probe-db.ts', imports: [target('src/infra/db')], rule: 'web-not-db' },
  { file: 'src/web/routes/probe-knex.ts', imports: ['knex'], rule: 'web-not-db' },
  { file: 'src/web/probe-sync.ts', imports: [target('src/sync')], rule: 'web-not-sync' },
  { file: 'src/web/probe-queue.ts', imports: [target('src/infra/queue')], rule: 'web-not-queue' },
  { file: 'src/web/routes/probe-bullmq.ts', imports: ['bullmq'], rule: 'web-not-queue' },
  { file: 'src/web/probe-connector.ts', imports: [target('connectors/soap')], rule: 'web-not-connectors' },
  { file: 'src/web/probe-sources.ts', imports: [target('src/sources')], rule: 'web-not-connectors' },
  { file: 'src/web/probe-jobs.ts', imports: [target('jobs')], rule: 'web-not-jobs' },
  { file: 'src/web/probe-app.ts', imports: [target('src/app/roles')], rule: 'app-only-from-entry' },
  { file: 'src/store/probe-mod/web.ts', imports: [target('src/web')], rule: 'store-not-up' },
  { file: 'src/store/probe-mod/connector.ts', imports: [target('connectors/commerceml')], rule: 'store-not-up' },
  { file: 'src/store/probe-mod/jobs.ts', imports: [target('jobs')], rule: 'store-not-up' },
  { file: 'src/store/probe-mod/sync.ts', imports: [target('src/sync')], rule: 'store-not-up' },
  { file: 'src/store/probe-mod/demo.ts', imports: [target('src/demo')], rule: 'demo-only-from-roots' },
  { file: 'src/store/probe-mod/bench.ts', imports: [target('bench')], rule: 'product-not-harness' },
  { file: 'connectors/soap/probe-other.ts', imports: [target('connectors/commerceml')], rule: 'connector-not-other-connector' },
  { file: 'connectors/commerceml/probe-store.ts', imports: [target('src/store/probe-mod')], rule: 'connector-only-sync-mirror-infra' },
  { file: 'connectors/soap/probe-web.ts', imports: [target('src/web')], rule: 'connector-only-sync-mirror-infra' },
  { file: 'connectors/soap/probe-mail.ts', imports: [target('src/mail')], rule: 'connector-only-sync-mirror-infra' },
  { file: 'connectors/commerceml/probe-sources.ts', imports: [target('src/sources')], rule: 'connector-only-sync-mirror-infra' },
  { file: 'jobs/probe-web.ts', imports: [target('src/web')], rule: 'jobs-not-web' },
  { file: 'jobs/probe-sim.ts', imports: [target('sim')], rule: 'no-sim-in-product' },
  { file: 'src/sources/probe-jobs.ts', imports: [target('jobs')], rule: 'sources-not-up' },
  { file: 'src/sync/probe-store.ts', imports: [target('src/store/probe-mod')], rule: 'sync-not-up' },
  { file: 'src/mail/probe-store.ts', imports: [target('src/store/probe-mod')], rule: 'mail-not-up' },
  { file: 'src/mirror/probe-store.ts', imports: [target('src/store/probe-mod')], rule: 'mirror-not-up' },
  { file: 'src/mirror/probe-sync.ts', imports: [target('src/sync')], rule: 'mirror-not-up' },
  { file: 'src/infra/probe-mirror.ts', imports: [target('src/mirror')], rule: 'infra-is-the-bottom' },
  { file: 'src/infra/db/probe-store.ts', imports: [target('src/store/probe-mod')], rule: 'infra-is-the-bottom' },
  { file: 'migrations/29991231000000_probe.ts', imports: [target('src/infra')], rule: 'migrations-self-contained' },
  { file: 'src/app/roles/probe-cli.ts', imports: [target('src/app/cli')], rule: 'roles-not-cli' },
  { file: 'sim/probe-store.ts', imports: [target('src/store/probe-mod')], rule: 'sim-standalone' },
  { file: 'src/store/probe-mod/cycle-a.ts', imports: ['src/store/probe-mod/cycle-b.ts'], rule: 'no-circular' },
  { file: 'src/store/probe-mod/cycle-b.ts', imports: ['src/store/probe-mod/cycle-a.ts'], rule: 'no-circular' },
  // what the rules allow must stay allowed
  { file: 'src/web/probe-allowed.ts', imports: [target('src/store/probe-mod'), target('src/mirror'), target('src/mail'), target('src/infra/redis'), target('src/infra')], rule: null },
  { file: 'connectors/soap/probe-allowed.ts', imports: [target('src/sync'), target('src/mirror'), target('src/infra/db'), target('src/infra/queue'), 'connectors/soap/probe-target.ts'], rule: null },
  { file: 'jobs/probe-allowed.ts', imports: [target('connectors/soap'), target('src/sources'), target('src/store/probe-mod'), target('src/sync'), target('src/infra/queue')], rule: null },
  { file: 'src/app/roles/probe-allowed.ts', imports: [target('src/demo'), target('src/web'), target('jobs'), target('connectors/commerceml'), target('src/infra/db')], rule: null },
  { file: 'src/mail/probe-allowed.ts', imports: [target('src/mirror'), target('src/infra/queue'), target('src/infra/mail')], rule: null },
  { file: 'src/store/probe-mod/allowed.ts', imports: [target('src/mirror'), target('src/mail'), target('src/infra/db'), target('src/infra/queue'), target('src/store/probe-other')], rule: null },
  { file: 'src/demo/probe-allowed.ts', imports: [target('sim'), target('src/web'), target('src/sources')], rule: null },
  { file: 'bench/probe-allowed.ts', imports: [target('src/app/roles'), target('src/demo'), target('jobs'), target('sim')], rule: null },
];

/**
 * `npm run depcheck` in dir: its exit code and the violations it reports. (Its plain report,
 * because depcruise's JSON reporter always exits 0 and the exit code is what CI sees.)
 */
async function depcheck(dir: string): Promise<{ code: number; violations: Violation[] }> {
  let code = 0;
  let stdout: string;
  try {
    ({ stdout } = await run('npm', ['run', '--silent', 'depcheck'], { cwd: dir, env: { ...process.env, NO_COLOR: '1', FORCE_COLOR: '0' }, maxBuffer: 16 * 1024 * 1024 }));
  } catch (err) {
    const e = err as { code?: number; stdout?: string };
    if (typeof e.code !== 'number' || e.stdout === undefined) throw err;
    code = e.code;
    stdout = e.stdout;
  }
  if (!/dependency violations|no dependency violations found/.test(stdout)) throw new Error(`depcheck printed no summary:\n${stdout}`);
  const violations = [...stdout.matchAll(/^ {2}(error|warn|info) ([\w-]+): (\S+)(?: → (\S*))?$/gm)].map(([, severity, rule, from, to]) => ({ severity: severity!, rule: rule!, from: from!, to: to ?? '' }));
  return { code, violations };
}

const errors = (vs: Violation[]) => vs.filter((v) => v.severity === 'error');
const show = (vs: Violation[]) => vs.map((v) => `${v.rule}: ${v.from} → ${v.to}`).join('\n');

function importPath(fromFile: string, spec: string): string {
  if (!spec.includes('/') || !spec.endsWith('.ts')) return spec; // a package
  const rel = path.posix.relative(path.posix.dirname(fromFile), spec);
  return rel.startsWith('.') ? rel : `./${rel}`;
}

describe('architecture: npm run depcheck enforces the import rules', function () {
  this.timeout(180_000);
  let scratch: string;

  before(() => {
    scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'cp-depcheck-'));
    for (const name of COPIED) {
      fs.cpSync(path.join(repo, name), path.join(scratch, name), {
        recursive: true,
        filter: (p) => !p.includes(`${path.sep}bench${path.sep}results`),
      });
    }
    fs.symlinkSync(fs.realpathSync(path.join(repo, 'node_modules')), path.join(scratch, 'node_modules'), 'dir');
  });
  after(() => {
    if (scratch) fs.rmSync(scratch, { recursive: true, force: true });
  });

  it('has a probe for every rule of the config', () => {
    const config = createRequire(import.meta.url)(path.join(repo, '.dependency-cruiser.cjs')) as { forbidden: { name: string }[] };
    const probed = new Set([...PROBES.map((p) => p.rule), 'no-orphans']);
    expect(config.forbidden.map((r) => r.name).filter((name) => !probed.has(name)), 'rules without a probe').to.deep.equal([]);
  });

  it('passes on the sources as they are; an orphan added to them is only a warning', async () => {
    const orphan = 'src/store/probe-orphan.ts';
    fs.writeFileSync(path.join(scratch, orphan), 'export const orphan = 1;\n');
    const { code, violations } = await depcheck(scratch);
    fs.rmSync(path.join(scratch, orphan));
    expect(show(errors(violations)), 'errors on the unmodified copy').to.equal('');
    expect(violations.filter((v) => v.rule === 'no-orphans').map((v) => v.from)).to.include(orphan);
    expect(code).to.equal(0);
  });

  it('fails on each rule-breaking probe, naming its rule, and accepts the allowed imports', async () => {
    const write = (file: string, text: string) => {
      fs.mkdirSync(path.dirname(path.join(scratch, file)), { recursive: true });
      fs.writeFileSync(path.join(scratch, file), text);
    };
    const targets = new Set(PROBES.flatMap((p) => p.imports.filter((i) => i.endsWith('/probe-target.ts'))));
    for (const t of targets) write(t, 'export const probe = 1;\n');
    for (const p of PROBES) write(p.file, `${p.imports.map((i) => `import '${importPath(p.file, i)}';`).join('\n')}\nexport const probe = 1;\n`);

    const { code, violations } = await depcheck(scratch);
    expect(code, 'exit code').to.be.greaterThan(0);
    const found = errors(violations);
    const cycle = PROBES.filter((p) => p.rule === 'no-circular').map((p) => p.file);
    for (const p of PROBES) {
      // a cycle is reported once, from one of its files
      const own = found.filter((v) => v.from === p.file || (p.rule === 'no-circular' && cycle.includes(v.from)));
      if (p.rule === null) expect(show(own), `${p.file} imports only what the rules allow`).to.equal('');
      else expect(own.map((v) => v.rule), `${p.file} breaks ${p.rule}; reported:\n${show(found)}`).to.include(p.rule);
    }
    // nothing else is reported: every error comes from a probe
    const probeFiles = new Set(PROBES.map((p) => p.file));
    expect(show(found.filter((v) => !probeFiles.has(v.from)))).to.equal('');
  });
});
